// The scratch space of one transfer: staging/<pid>-<rand>/ under the store, on the same
// filesystem as the blobs (so verified blobs move in by rename). Removed when the transfer
// ends, however it ends; one left by a process that died is removed by a later transfer.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {isProcessAlive} from '../host-facts.js';
import type {OciPaths} from './paths.js';
import {type ImageStore, storeError} from './store.js';

export interface Staging {
	dir: string;
	/** skopeo's OCI layout. */
	layout: string;
	/** skopeo's temporary files (--tmpdir). */
	tmp: string;
}

export function createStaging(paths: OciPaths): Staging {
	// skopeo splits its oci: and archive arguments at ':', so a path with one is read wrongly.
	if (paths.staging.includes(':')) {
		throw new C32Error(
			'INVALID_CONFIG',
			`the storage root ${path.dirname(paths.root)} has a ':' in its path, which skopeo cannot take: use a C32_STORAGE_DIR without one for OCI images`,
		);
	}
	removeAbandoned(paths);
	const dir = path.join(paths.staging, `${process.pid}-${randomBytes(6).toString('hex')}`);
	fs.mkdirSync(dir, {mode: 0o700});
	const staging = {dir, layout: path.join(dir, 'layout'), tmp: path.join(dir, 'tmp')};
	fs.mkdirSync(staging.tmp, {mode: 0o700});
	return staging;
}

export function removeStaging(staging: Staging): void {
	fs.rmSync(staging.dir, {recursive: true, force: true});
}

/** Runs `work` in a fresh staging directory of the store, which goes however `work` ends. */
export async function withStaging<T>(store: ImageStore, work: (staging: Staging) => Promise<T>): Promise<T> {
	store.ensureDirs();
	let staging: Staging;
	try {
		staging = createStaging(store.paths);
	} catch (error) {
		throw storeError(error, store.paths.staging);
	}
	try {
		return await work(staging);
	} finally {
		removeStaging(staging);
	}
}

/** Bytes in files under `dir` (what a transfer has written so far). */
export function bytesUnder(dir: string): number {
	let total = 0;
	let entries: fs.Dirent[];
	try {
		entries = fs.readdirSync(dir, {withFileTypes: true});
	} catch {
		return 0;
	}
	for (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) total += bytesUnder(full);
		else if (entry.isFile()) {
			try {
				total += fs.statSync(full).size;
			} catch {
				// renamed meanwhile
			}
		}
	}
	return total;
}

const isAlive = (pid: number) => pid === process.pid || isProcessAlive(pid, null);

/** Staging directories (and half-unpacked layers) of processes that are gone. */
export function removeAbandoned(paths: OciPaths): void {
	for (const [dir, prefix] of [
		[paths.staging, ''],
		[paths.layers, '.staging-'],
	] as const) {
		let names: string[];
		try {
			names = fs.readdirSync(dir);
		} catch {
			continue;
		}
		for (const name of names) {
			if (!name.startsWith(prefix)) continue;
			const pid = Number.parseInt(name.slice(prefix.length), 10);
			if (pid > 0 && !isAlive(pid)) fs.rmSync(path.join(dir, name), {recursive: true, force: true});
		}
	}
}

export {isAlive};
