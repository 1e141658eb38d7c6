// An image out of the store: as an OCI layout in a directory (for a container archive), or
// as an oci-archive / docker-archive file (save). Every blob is checked on the way out; the
// archive file appears only once skopeo has written all of it.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {hashFile, hexOf, tamperedError} from './blobs.js';
import {MEDIA} from './oci-json.js';
import {parseReference} from './reference.js';
import {runSkopeo} from './skopeo.js';
import {createStaging, removeStaging} from './staging.js';
import {type ImageStore, storeError} from './store.js';
import type {ArchiveFormat} from './types.js';

/**
 * Writes image `ref` as an OCI layout (oci-layout, index.json, blobs/) into `dir`: blobs are
 * hard-linked where they can be (same filesystem), else copied, and checked either way.
 */
export async function exportArchive(store: ImageStore, ref: string, dir: string, refName?: string | null): Promise<void> {
	const {record} = store.find(store.records.read(), ref);
	const label = record.names[0] ?? record.id;
	const {manifest} = store.documents(record);
	const blobsDir = path.join(dir, 'blobs', 'sha256');
	fs.mkdirSync(blobsDir, {recursive: true, mode: 0o700});
	for (const [digest, what] of [
		[record.digest, 'manifest'],
		[record.id, 'config'],
		...record.layers.map((layer) => [layer.digest, 'layer'] as const),
	] as const) {
		await exportBlob(store, digest, path.join(blobsDir, hexOf(digest)), `${what} of ${label}`);
	}
	const name = refName === undefined ? (record.names[0] ?? null) : refName;
	const index = {
		schemaVersion: 2,
		mediaType: MEDIA.ociIndex,
		manifests: [
			{
				mediaType: manifest.mediaType ?? MEDIA.ociManifest,
				digest: record.digest,
				size: store.blobs.size(record.digest),
				...(name ? {annotations: {'org.opencontainers.image.ref.name': name}} : {}),
			},
		],
	};
	fs.writeFileSync(path.join(dir, 'oci-layout'), `${JSON.stringify({imageLayoutVersion: '1.0.0'})}\n`, {mode: 0o600});
	fs.writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify(index)}\n`, {mode: 0o600});
}

async function exportBlob(store: ImageStore, digest: string, target: string, what: string): Promise<void> {
	if (fs.existsSync(target)) fs.rmSync(target);
	try {
		fs.linkSync(store.blobs.path(digest), target);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error;
		await store.blobs.copyTo(digest, target, what);
		return;
	}
	if ((await hashFile(target)).digest !== digest) {
		fs.rmSync(target, {force: true});
		throw tamperedError(digest, what);
	}
}

/** `c32 save`: image `ref` as an oci-archive or docker-archive at `file`, under all of its names. */
export async function saveImage(store: ImageStore, ref: string, file: string, format: ArchiveFormat = 'oci-archive'): Promise<void> {
	if (format !== 'oci-archive' && format !== 'docker-archive') {
		throw new C32Error('INVALID_CONFIG', `unknown archive format ${JSON.stringify(format)}: use oci-archive or docker-archive`);
	}
	const {record} = store.find(store.records.read(), ref);
	// docker-archive can carry tagged names only (a name kept as repo@digest has no tag).
	const names = record.names.filter((name) => parseReference(name).digest === null);
	const target = path.resolve(file);
	const targetDir = path.dirname(target);
	if (!fs.existsSync(targetDir)) throw new C32Error('INVALID_CONFIG', `cannot save to ${file}: ${targetDir} does not exist`);
	store.ensureDirs();
	const staging = createStaging(store.paths);
	const temp = `.c32-save-${process.pid}-${randomBytes(4).toString('hex')}.tar`;
	try {
		await exportArchive(store, record.id, staging.layout, null);
		// skopeo splits its arguments at ":": the target directory is reached through a plain name.
		const out = path.join(staging.dir, 'out');
		fs.symlinkSync(targetDir, out);
		const destination =
			format === 'oci-archive'
				? `oci-archive:${out}/${temp}${names[0] ? `:${names[0]}` : ''}`
				: `docker-archive:${out}/${temp}${names[0] ? `:${names[0]}` : ''}`;
		const extra = format === 'docker-archive' ? names.slice(1).flatMap((name) => ['--additional-tag', name]) : [];
		await runSkopeo(['copy', '--quiet', '--tmpdir', staging.tmp, ...extra, `oci:${staging.layout}`, destination], {
			what: `save of ${names[0] ?? record.id} to ${file}`,
		});
		fs.renameSync(path.join(targetDir, temp), target);
	} catch (error) {
		throw storeError(error, targetDir);
	} finally {
		fs.rmSync(path.join(targetDir, temp), {force: true});
		removeStaging(staging);
	}
}
