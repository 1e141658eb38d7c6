// Waiting for a container to end: its monitor's exit file appears (watched, with a short
// poll as a safety net), or its main process dies with no monitor left to write one.
import fs from 'node:fs';
import path from 'node:path';
import {isC32Error} from '../errors.js';
import {containerPaths} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import type {Lifecycle} from './context.js';
import {observeEnd} from './observe.js';
import {reconcile} from './reconcile.js';
import {isLive} from './transitions.js';

const POLL_MS = 50;

/** Resolves true once `done()` holds, false after `timeoutMs`. Re-checks on every change in `dir` and every 50 ms. */
export async function waitUntil(dir: string, done: () => boolean, timeoutMs: number): Promise<boolean> {
	if (done()) return true;
	const deadline = Date.now() + timeoutMs;
	let watcher: fs.FSWatcher | null = null;
	let timer: NodeJS.Timeout | undefined;
	try {
		await new Promise<void>((resolve) => {
			const check = () => {
				if (done() || Date.now() >= deadline) resolve();
			};
			try {
				watcher = fs.watch(dir, check);
				watcher.on('error', () => {});
			} catch {
				watcher = null;
			}
			timer = setInterval(check, POLL_MS);
			check();
		});
	} finally {
		clearInterval(timer);
		(watcher as fs.FSWatcher | null)?.close();
	}
	return done();
}

/** Resolves true once `file` exists, false after `timeoutMs`. */
export function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
	return waitUntil(path.dirname(file), () => fs.existsSync(file), timeoutMs);
}

/** Resolves true once the run of `record` has ended (recorded or not), false after `timeoutMs`. */
export function waitForEnd(lc: Lifecycle, record: ContainerRecord, timeoutMs: number): Promise<boolean> {
	const paths = containerPaths(lc.layout, record.metadata.id);
	return waitUntil(paths.userdata, () => observeEnd(record, paths) !== null, timeoutMs);
}

/**
 * The exit code once the container is no longer running or paused. A container removed
 * while waited for (rm -f) ends as docker's does: the code its monitor recorded, else 137 (killed).
 */
export async function waitForExit(lc: Lifecycle, id: string): Promise<number> {
	const paths = containerPaths(lc.layout, id);
	let seenExitCode: number | null = null;
	let seen = false;
	for (;;) {
		let record: ContainerRecord;
		try {
			record = await reconcile(lc, id);
		} catch (error) {
			if (seen && isC32Error(error) && error.code === 'NOT_FOUND') return seenExitCode ?? 137;
			throw error;
		}
		if (!isLive(record)) return record.metadata.exitCode ?? -1;
		seen = true;
		await waitForEnd(lc, record, 1000);
		seenExitCode = observeEnd(record, paths)?.exitCode ?? seenExitCode;
	}
}
