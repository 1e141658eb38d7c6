// Images made here: `import` of a root filesystem tar (one layer) and `commit` (a parent
// image plus a layer). c32 writes their config and manifest itself; like every transfer
// they are prepared in a staging directory and enter the store in one step.
import {createHash, type Hash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {Transform, Writable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {createGunzip, createGzip} from 'node:zlib';
import {C32Error} from '../errors.js';
import {hashFile, sha256, tamperedError} from './blobs.js';
import {applyChanges} from './changes.js';
import {emptyRuntimeConfig, hostArchitecture, MEDIA, type RawImageConfig, toRawRuntimeConfig} from './oci-json.js';
import {localName} from './reference.js';
import {type Staging, withStaging} from './staging.js';
import {type ImageStore, storeError} from './store.js';
import {isGzip, isTarHeader, readHead} from './tar-scan.js';
import type {ChangeOptions, ImageLayer, ImageSummary, OciImageConfig, TransferOptions} from './types.js';

export interface NewLayer {
	/** A gzip layer blob; it is moved into the store (copied when it is on another filesystem). */
	file: string;
	digest: string;
	diffId: string;
	size: number;
}

export interface AddImageInput {
	/** The id (or a reference) of the image this one is on top of; null for a base image. */
	parent: string | null;
	/** The new layer; null for an image that only changes the config. */
	layer: NewLayer | null;
	config: OciImageConfig;
	/** Stored as localhost/NAME:latest for a bare name; null leaves it untagged. */
	name: string | null;
	/** The history entry's created_by, e.g. "c32 commit bot". */
	history?: string;
}

/** `c32 import FILE NAME`: a root filesystem tar (plain or gzip) as a one-layer image. */
export async function importRootfs(
	store: ImageStore,
	file: string,
	name: string,
	options: ChangeOptions & TransferOptions = {},
): Promise<ImageSummary> {
	const target = localName(name);
	const config = applyChanges(emptyRuntimeConfig(), options.changes ?? []);
	let size: number;
	let gzip: boolean;
	try {
		size = fs.statSync(file).size;
		gzip = isGzip(await readHead(file, 2));
	} catch (error) {
		throw new C32Error('TRANSPORT_FAILED', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	return inStore(store, async (staging) => {
		const blob = path.join(staging.dir, 'layer');
		const layer = await copyLayer(file, blob, gzip, size, options);
		return enterNew(
			store,
			staging,
			{parentConfig: null, parentLayers: [], layer: {...layer, file: blob}, config, history: `c32 import ${path.basename(file)}`},
			[target],
		);
	});
}

/** For commit (H3): a new image from a parent, a layer and a config. */
export async function addImage(store: ImageStore, input: AddImageInput): Promise<ImageSummary> {
	const names = input.name === null ? [] : [localName(input.name)];
	let parentConfig: RawImageConfig | null = null;
	let parentLayers: ImageLayer[] = [];
	if (input.parent !== null) {
		const {record} = store.find(store.records.read(), input.parent);
		parentConfig = store.documents(record).config;
		parentLayers = record.layers;
	}
	return inStore(store, async (staging) => {
		let layer: (NewLayer & {file: string}) | null = null;
		if (input.layer !== null) {
			const file = path.join(staging.dir, 'layer');
			moveOrCopy(input.layer.file, file);
			const actual = await hashFile(file);
			if (actual.digest !== input.layer.digest || actual.size !== input.layer.size)
				throw tamperedError(input.layer.digest, 'the new layer');
			layer = {...input.layer, file};
		}
		return enterNew(
			store,
			staging,
			{parentConfig, parentLayers, layer, config: input.config, history: input.history ?? 'c32 commit'},
			names,
		);
	});
}

/** A failure inside the store (a full disk) is told as the store's. */
function inStore<T>(store: ImageStore, work: (staging: Staging) => Promise<T>): Promise<T> {
	return withStaging(store, async (staging) => {
		try {
			return await work(staging);
		} catch (error) {
			throw storeError(error, store.paths.root);
		}
	});
}

function moveOrCopy(from: string, to: string): void {
	try {
		fs.renameSync(from, to);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
		fs.copyFileSync(from, to);
		fs.rmSync(from, {force: true});
	}
}

function hashing(hash: Hash, onChunk?: (chunk: Buffer) => void): Transform {
	return new Transform({
		transform(chunk: Buffer, _encoding, done) {
			hash.update(chunk);
			onChunk?.(chunk);
			done(null, chunk);
		},
	});
}

/**
 * Copies a root filesystem tar into a gzip layer blob: a gzip file as it is, a plain tar
 * compressed. The digest (of the blob) and the diff id (of the tar) are computed on the way.
 */
async function copyLayer(
	source: string,
	blob: string,
	gzip: boolean,
	total: number,
	options: TransferOptions,
): Promise<{digest: string; diffId: string; size: number}> {
	const digestHash = createHash('sha256');
	const diffHash = createHash('sha256');
	let done = 0;
	let head = Buffer.alloc(0);
	const watchHead = (chunk: Buffer) => {
		if (head.length < 512) head = Buffer.concat([head, chunk.subarray(0, 512 - head.length)]);
	};
	const input = fs.createReadStream(source);
	input.on('data', (chunk) => {
		done += chunk.length;
		options.onProgress?.({phase: 'copying', done, total});
	});
	const output = fs.createWriteStream(blob, {mode: 0o600, flags: 'wx'});
	const signal = options.signal;
	try {
		if (gzip) {
			// The blob is the file; the diff id is of what it unpacks to (read on a second stream).
			await Promise.all([
				pipeline(input, hashing(digestHash), output, {signal}),
				pipeline(fs.createReadStream(source), createGunzip(), hashing(diffHash, watchHead), discard(), {signal}),
			]);
		} else {
			await pipeline(input, hashing(diffHash, watchHead), createGzip(), hashing(digestHash), output, {signal});
		}
	} catch (error) {
		if (signal?.aborted) throw new C32Error('TRANSPORT_FAILED', `import of ${source} was interrupted: nothing was stored`);
		if ((error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw notATar(source, 'its gzip stream is damaged');
		throw error;
	}
	if (!isTarHeader(head)) throw notATar(source, 'it is not a tar archive');
	return {digest: `sha256:${digestHash.digest('hex')}`, diffId: `sha256:${diffHash.digest('hex')}`, size: fs.statSync(blob).size};
}

/** Where a stream that is only hashed goes. */
const discard = () =>
	new Writable({
		write(_chunk, _encoding, done) {
			done();
		},
	});

function notATar(file: string, why: string): C32Error {
	return new C32Error('TRANSPORT_FAILED', `${file} cannot be imported: ${why} (give a root filesystem as a tar or tar.gz)`);
}

interface NewImage {
	parentConfig: RawImageConfig | null;
	parentLayers: ImageLayer[];
	layer: (NewLayer & {file: string}) | null;
	config: OciImageConfig;
	history: string;
}

/** Writes the config and manifest of a new image into staging, then enters it. */
async function enterNew(store: ImageStore, staging: Staging, image: NewImage, names: string[]): Promise<ImageSummary> {
	const created = new Date().toISOString();
	const parent = image.parentConfig;
	const layers: ImageLayer[] = [...image.parentLayers];
	if (image.layer)
		layers.push({digest: image.layer.digest, diffId: image.layer.diffId, size: image.layer.size, mediaType: MEDIA.ociLayerGzip});
	const config: RawImageConfig = {
		...(parent ?? {}),
		created,
		architecture: typeof parent?.architecture === 'string' ? parent.architecture : hostArchitecture(),
		os: 'linux',
		config: toRawRuntimeConfig(image.config, parent?.config ?? {}),
		rootfs: {type: 'layers', diff_ids: layers.map((layer) => layer.diffId)},
		history: [
			...(Array.isArray(parent?.history) ? parent.history : []),
			{created, created_by: image.history, ...(image.layer ? {} : {empty_layer: true})},
		],
	};
	const configData = Buffer.from(JSON.stringify(config));
	const manifest = {
		schemaVersion: 2,
		mediaType: MEDIA.ociManifest,
		config: {mediaType: MEDIA.ociConfig, digest: sha256(configData), size: configData.length},
		layers: layers.map((layer) => ({mediaType: layer.mediaType, digest: layer.digest, size: layer.size})),
	};
	const manifestData = Buffer.from(JSON.stringify(manifest));
	const files = new Map<string, string>();
	for (const [label, data] of [
		['config.json', configData],
		['manifest.json', manifestData],
	] as const) {
		const file = path.join(staging.dir, label);
		fs.writeFileSync(file, data, {mode: 0o600});
		files.set(sha256(data), file);
	}
	if (image.layer) files.set(image.layer.digest, image.layer.file);
	return store.enter({id: sha256(configData), digest: sha256(manifestData), created, layers, files}, names);
}
