// An OCI layout written by skopeo (a staging directory), checked blob by blob before any of
// it enters the store: each blob's sha256 and size against its descriptor, the manifest
// and config as documents, one image for this platform.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {hashFile, hexOf, sha256, tamperedError} from './blobs.js';
import {type Descriptor, layersOf, parseImageConfig, parseManifestOrIndex, pickPlatform} from './oci-json.js';
import type {PreparedImage} from './store.js';

export async function prepareLayout(layoutDir: string, what: string): Promise<PreparedImage> {
	const file = (digest: string) => path.join(layoutDir, 'blobs', 'sha256', hexOf(digest));
	const files = new Map<string, string>();
	const readDocument = (descriptor: Descriptor, label: string): Buffer => {
		let data: Buffer;
		try {
			data = fs.readFileSync(file(descriptor.digest));
		} catch {
			throw new C32Error('IMAGE_INVALID', `${what}: the ${label} ${descriptor.digest} is missing`);
		}
		if (sha256(data) !== descriptor.digest || data.length !== descriptor.size)
			throw tamperedError(descriptor.digest, `${label} of ${what}`);
		files.set(descriptor.digest, file(descriptor.digest));
		return data;
	};
	let index: unknown;
	try {
		index = JSON.parse(fs.readFileSync(path.join(layoutDir, 'index.json'), 'utf8'));
	} catch {
		throw new C32Error('IMAGE_INVALID', `${what}: the transfer wrote no readable index.json`);
	}
	const top = parseManifestOrIndex(Buffer.from(JSON.stringify(index)), `the index of ${what}`);
	if (!('index' in top) || top.index.length !== 1)
		throw new C32Error('IMAGE_INVALID', `${what}: expected one image, found ${'index' in top ? top.index.length : 0}`);
	let descriptor = top.index[0]!;
	let parsed = parseManifestOrIndex(readDocument(descriptor, 'manifest'), `the manifest of ${what}`);
	if ('index' in parsed) {
		files.clear();
		descriptor = pickPlatform(parsed.index, `the image index of ${what}`);
		parsed = parseManifestOrIndex(readDocument(descriptor, 'manifest'), `the manifest of ${what}`);
		if ('index' in parsed) throw new C32Error('IMAGE_INVALID', `${what}: an index inside an index is not supported`);
	}
	const manifest = parsed.manifest;
	const config = parseImageConfig(readDocument(manifest.config, 'config'), `the config of ${what}`, manifest.layers.length);
	for (const layer of manifest.layers) {
		const blob = file(layer.digest);
		let actual: {digest: string; size: number};
		try {
			actual = await hashFile(blob);
		} catch {
			throw new C32Error('IMAGE_INVALID', `${what}: layer ${layer.digest} is missing`);
		}
		if (actual.digest !== layer.digest || actual.size !== layer.size) throw tamperedError(layer.digest, `layer of ${what}`);
		files.set(layer.digest, blob);
	}
	return {
		id: manifest.config.digest,
		digest: descriptor.digest,
		created: typeof config.created === 'string' ? config.created : null,
		layers: layersOf(manifest, config),
		files,
	};
}
