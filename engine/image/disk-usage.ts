// system df: what images, unpacked layers and containers' own writes take on disk.
import fs from 'node:fs';
import path from 'node:path';
import {treeBytes} from '../fs/tree-bytes.js';
import {hexOf} from './blobs.js';
import {layerDirNames} from './gc.js';
import type {ContainerUse} from './in-use.js';
import type {RecordMap} from './records.js';
import type {ImageStore} from './store.js';
import type {DiskUsage} from './types.js';

export function diskUsage(store: ImageStore, images: RecordMap, uses: ContainerUse[]): DiskUsage {
	const inUse = new Set(uses.flatMap((use) => use.images));
	// blob → whether an image a container uses needs it; each blob counted once.
	const blobs = new Map<string, boolean>();
	const imagesPerLayer = new Map<string, number>();
	for (const record of Object.values(images)) {
		const used = inUse.has(record.id);
		for (const digest of [record.id, record.digest, ...record.layers.map((l) => l.digest)])
			blobs.set(digest, (blobs.get(digest) ?? false) || used);
		for (const hex of new Set(record.layers.map((l) => hexOf(l.diffId)))) imagesPerLayer.set(hex, (imagesPerLayer.get(hex) ?? 0) + 1);
	}
	let size = 0;
	let reclaimable = 0;
	for (const [digest, used] of blobs) {
		const bytes = store.blobs.size(digest);
		size += bytes;
		if (!used) reclaimable += bytes;
	}
	let layerBytes = 0;
	let shared = 0;
	const names = layerDirNames(store.paths.layers);
	for (const name of names) {
		const bytes = treeBytes(path.join(store.paths.layers, name));
		layerBytes += bytes;
		if ((imagesPerLayer.get(name.split('-')[0]!) ?? 0) > 1) shared += bytes;
	}
	const containerBytes = uses.reduce((sum, use) => sum + (fs.existsSync(use.upper) ? treeBytes(use.upper) : 0), 0);
	return {
		images: {count: Object.keys(images).length, size, reclaimable},
		layers: {count: names.length, size: layerBytes, shared},
		containers: {count: uses.length, size: containerBytes},
	};
}
