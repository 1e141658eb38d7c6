// Removes what no image record needs: blobs, and unpacked layers (with their -<shift> copies).
// Runs under the records' lock, after the records were written.
import fs from 'node:fs';
import path from 'node:path';
import {treeBytes} from '../fs/tree-bytes.js';
import {hexOf} from './blobs.js';
import type {RecordMap} from './records.js';
import type {ImageStore} from './store.js';

/** The bytes it freed. */
export function collectGarbage(store: ImageStore, images: RecordMap): number {
	const blobs = new Set<string>();
	const layers = new Set<string>();
	for (const record of Object.values(images)) {
		blobs.add(record.id);
		blobs.add(record.digest);
		for (const layer of record.layers) {
			blobs.add(layer.digest);
			layers.add(hexOf(layer.diffId));
		}
	}
	let freed = 0;
	for (const digest of store.blobs.list()) {
		if (blobs.has(digest)) continue;
		freed += store.blobs.size(digest);
		fs.rmSync(store.blobs.path(digest), {force: true});
	}
	for (const name of layerDirNames(store.paths.layers)) {
		if (layers.has(name.split('-')[0]!)) continue;
		const dir = path.join(store.paths.layers, name);
		freed += treeBytes(dir);
		fs.rmSync(dir, {recursive: true, force: true});
	}
	return freed;
}

/** Unpacked layer directories: <diffid hex> or <diffid hex>-<shift> (not the .staging- ones). */
export function layerDirNames(layersDir: string): string[] {
	try {
		return fs.readdirSync(layersDir).filter((name) => /^[0-9a-f]{64}(?:-\d+)?$/.test(name));
	} catch {
		return [];
	}
}
