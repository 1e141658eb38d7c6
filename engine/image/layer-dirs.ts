// Each layer unpacked once, into layers/<diffid hex> (layers/<diffid hex>-<shift> for a user
// namespace): under a lock per directory, into a .staging- directory renamed into place, with
// the blob's digest checked while it streams to the unpacker and the diff id it yields
// checked against the image config.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {withLock} from '../store.js';
import {hashFile, hexOf, shortDigest, tamperedError} from './blobs.js';
import {unpackLayer} from './layer-unpack.js';
import {removeAbandoned} from './staging.js';
import {type ImageStore, storeError} from './store.js';
import type {ImageLayer, TransferOptions} from './types.js';

/** The unpacked directories of image `ref`'s layers, bottom first, unpacking those missing. */
export async function layerDirs(store: ImageStore, ref: string, idShift: number, options: TransferOptions = {}): Promise<string[]> {
	if (!Number.isSafeInteger(idShift) || idShift < 0) throw new C32Error('INVALID_CONFIG', `invalid id shift ${idShift}`);
	const {record} = store.find(store.records.read(), ref);
	const label = record.names[0] ?? shortDigest(record.id);
	// The config names the diff ids the layers must unpack to; reading it checks it too.
	const {config} = store.documents(record);
	const total = record.layers.reduce((sum, layer) => sum + layer.size, 0);
	let done = 0;
	const dirs: string[] = [];
	for (const [i, layer] of record.layers.entries()) {
		if (layer.diffId !== config.rootfs.diff_ids[i]) {
			throw new C32Error(
				'IMAGE_INVALID',
				`the record of ${label} disagrees with its config about layer ${i + 1}: remove the image and pull it again`,
			);
		}
		dirs.push(
			await ensureLayer(store, layer, idShift, label, (bytes) => {
				done += bytes;
				options.onProgress?.({phase: 'unpacking', done, total, item: shortDigest(layer.digest)});
			}),
		);
	}
	return dirs;
}

async function ensureLayer(
	store: ImageStore,
	layer: ImageLayer,
	idShift: number,
	label: string,
	onBytes: (n: number) => void,
): Promise<string> {
	const name = idShift === 0 ? hexOf(layer.diffId) : `${hexOf(layer.diffId)}-${idShift}`;
	const dir = path.join(store.paths.layers, name);
	if (fs.existsSync(dir)) return dir;
	store.ensureDirs();
	return withLock(
		path.join(store.paths.locks, name),
		async () => {
			if (fs.existsSync(dir)) return dir; // another process unpacked it meanwhile
			removeAbandoned(store.paths);
			const staging = path.join(store.paths.layers, `.staging-${process.pid}-${randomBytes(6).toString('hex')}`);
			try {
				fs.mkdirSync(staging, {mode: 0o700});
				await unpackVerified(store, layer, staging, idShift, label, onBytes);
				fs.renameSync(staging, dir);
				return dir;
			} catch (error) {
				fs.rmSync(staging, {recursive: true, force: true});
				throw storeError(error, store.paths.layers);
			}
		},
		{waitMs: 10 * 60_000},
	);
}

async function unpackVerified(
	store: ImageStore,
	layer: ImageLayer,
	target: string,
	idShift: number,
	label: string,
	onBytes: (n: number) => void,
): Promise<void> {
	const what = `layer ${shortDigest(layer.digest)} of ${label}`;
	if (!store.blobs.has(layer.digest)) {
		throw new C32Error(
			'IMAGE_INVALID',
			`blob ${layer.digest} (${what}) is missing from the store: remove the image and pull or load it again`,
		);
	}
	const blob = store.blobs.open(layer.digest, what, onBytes);
	let diffId: string;
	try {
		({diffId} = await unpackLayer(blob.stream, target, {idShift}));
		await blob.verify();
	} catch (error) {
		blob.stream.destroy();
		// A damaged blob often breaks the unpacker first: the digest says what really happened.
		const actual = await hashFile(store.blobs.path(layer.digest)).catch(() => null);
		if (actual !== null && actual.digest !== layer.digest) throw tamperedError(layer.digest, what);
		throw error;
	}
	if (diffId !== layer.diffId) {
		throw new C32Error(
			'IMAGE_INVALID',
			`${what} unpacks to diff id ${diffId}, not the ${layer.diffId} its config names: the image is damaged`,
		);
	}
}
