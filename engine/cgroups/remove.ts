// Removing a cgroup: rmdir every directory, deepest first. cgroupfs refuses (EBUSY) while a
// process is still inside, so removal waits briefly for killed processes to finish exiting.
import {readdirSync, rmdirSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error} from '../errors.js';
import {allDirs, type CgroupDirs} from './paths.js';

type RemoveOutcome = 'removed' | 'busy';

/** Removes `dir` and any child cgroups; 'busy' when a process still holds one. */
export function removeEmptyCgroupSync(dir: string): RemoveOutcome {
	let children: string[];
	try {
		children = readdirSync(dir, {withFileTypes: true})
			.filter((entry) => entry.isDirectory())
			.map((entry) => path.join(dir, entry.name));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'removed';
		throw error;
	}
	for (const child of children) {
		if (removeEmptyCgroupSync(child) === 'busy') return 'busy';
	}
	try {
		rmdirSync(dir);
		return 'removed';
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return 'removed';
		if (code === 'EBUSY') return 'busy';
		throw error;
	}
}

/**
 * Removes every directory of the cgroup. The processes must already be dead or dying
 * (see killCgroup); fails after `timeoutMs` if one is still inside.
 */
export async function removeCgroup(dirs: CgroupDirs, {timeoutMs = 2000}: {timeoutMs?: number} = {}): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	let pending = allDirs(dirs);
	let delayMs = 1;
	for (;;) {
		pending = pending.filter((dir) => removeEmptyCgroupSync(dir) === 'busy');
		if (pending.length === 0) return;
		if (Date.now() >= deadline) {
			throw new C32Error('RUNTIME_ERROR', `Cannot remove cgroup ${pending.join(', ')}: processes are still running in it`);
		}
		await sleep(delayMs);
		delayMs = Math.min(delayMs * 2, 50);
	}
}
