// Roots left mounted by containers that vanished without a teardown; the listing reclaims them
// (engine.ts listContainers), as it frees their network leases.
import fs from 'node:fs';
import {containersDir, mountsDir, type StorageLayout} from './paths.js';
import {TOMBSTONE_PREFIX} from './store.js';

/**
 * Containers whose root is still mounted though their directory is gone: a c32 that crashed
 * while removing one (after the record went, before the teardown) leaves them. A start mounts
 * only under an existing directory and a remove unmounts before the directory goes, so no
 * container in use is ever among them.
 */
export function orphanedMounts(layout: StorageLayout): string[] {
	let names: string[];
	try {
		names = fs.readdirSync(mountsDir(layout));
	} catch {
		return [];
	}
	if (names.length === 0) return [];
	const containers = containersDir(layout);
	// One read of the containers directory, after the mounts' (a mount is made only under an
	// existing directory), rather than a lookup per mounted container on every listing.
	let present: Set<string>;
	try {
		present = new Set(fs.readdirSync(containers));
	} catch {
		present = new Set();
	}
	return names.filter(
		(id) =>
			/^[0-9a-f]{64}$/.test(id) &&
			!present.has(id) &&
			!present.has(`${TOMBSTONE_PREFIX}${id}`) &&
			!fs.existsSync(`${containers}/${id}`) &&
			!fs.existsSync(`${containers}/${TOMBSTONE_PREFIX}${id}`),
	);
}
