// Waiting for a container to end: its monitor's exit file appears (watched, with a short
// poll as a safety net), or its main process dies with no monitor left to write one.
import {setTimeout as sleep} from 'node:timers/promises';
import {isC32Error} from '../errors.js';
import {containerPaths} from '../paths.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import type {Lifecycle} from './context.js';
import {isRunning, observeEnd} from './observe.js';
import {reconcile, reconcileLocked} from './reconcile.js';
import {isLive} from './transitions.js';
import {waitUntil} from './watch.js';

export {waitForFile} from './watch.js';

/** Resolves true once the run of `record` has ended (recorded or not), false after `timeoutMs`. */
export function waitForEnd(lc: Lifecycle, record: ContainerRecord, timeoutMs: number): Promise<boolean> {
	const paths = containerPaths(lc.layout, record.metadata.id);
	return waitUntil(paths.userdata, () => observeEnd(record, paths) !== null, timeoutMs);
}

/**
 * Resolves true once `ref` has ended (a zombie counts: its parent may be held), false after
 * `timeoutMs`. Polled briefly: nothing on disk changes when a process dies.
 */
export async function waitForDeath(ref: ProcessRef | null, timeoutMs: number): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (let pause = 1; isRunning(ref); pause = Math.min(pause * 2, 50)) {
		if (Date.now() >= deadline) return false;
		await sleep(pause);
	}
	return true;
}

/**
 * The code of an end seen without one (its monitor was dead). It may have been seen while
 * another process held the lock (rm -f killing it): wait for that one to finish. Gone by then
 * means removed while waited for, which is 137.
 */
async function settledExitCode(lc: Lifecycle, id: string): Promise<number> {
	try {
		return (await lc.store.withContainerLock(id, () => reconcileLocked(lc, id))).metadata.exitCode ?? -1;
	} catch (error) {
		if (isC32Error(error) && error.code === 'NOT_FOUND') return 137;
		return -1;
	}
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
		if (!isLive(record)) return record.metadata.exitCode ?? (seen ? settledExitCode(lc, id) : -1);
		seen = true;
		await waitForEnd(lc, record, 1000);
		seenExitCode = observeEnd(record, paths)?.exitCode ?? seenExitCode;
	}
}
