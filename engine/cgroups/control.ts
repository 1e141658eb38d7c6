// Acting on every process of a cgroup at once: list, freeze, thaw, signal.
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error} from '../errors.js';
import {parseFreezerState, parseKeyedValues, parsePidList} from './parse.js';
import {type CgroupDirs, processListDir} from './paths.js';

/** The pids in the cgroup (empty when it is gone). */
export function cgroupProcesses(dirs: CgroupDirs): number[] {
	const dir = processListDir(dirs);
	if (dir === undefined) return [];
	try {
		return parsePidList(readFileSync(path.join(dir, 'cgroup.procs'), 'utf8'));
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
}

type Freezer = {kind: 'v1'; dir: string} | {kind: 'v2'; dir: string};

function freezerOf(dirs: CgroupDirs): Freezer {
	if (dirs.version === 2) return {kind: 'v2', dir: dirs.unified};
	if (dirs.controllers.freezer !== undefined) return {kind: 'v1', dir: dirs.controllers.freezer};
	// A hybrid host without the v1 freezer still has the core v2 freezer (kernel 5.2+).
	if (dirs.unified !== null && existsSync(path.join(dirs.unified, 'cgroup.freeze'))) return {kind: 'v2', dir: dirs.unified};
	throw new C32Error('UNSUPPORTED', 'No cgroup freezer on this host: pause and resume are unavailable');
}

function isSettled(freezer: Freezer, frozen: boolean): boolean {
	if (freezer.kind === 'v1') {
		return parseFreezerState(readFileSync(path.join(freezer.dir, 'freezer.state'), 'utf8')) === (frozen ? 'FROZEN' : 'THAWED');
	}
	return parseKeyedValues(readFileSync(path.join(freezer.dir, 'cgroup.events'), 'utf8')).get('frozen') === (frozen ? 1 : 0);
}

function requestFreeze(freezer: Freezer, frozen: boolean): void {
	if (freezer.kind === 'v1') writeFileSync(path.join(freezer.dir, 'freezer.state'), frozen ? 'FROZEN' : 'THAWED');
	else writeFileSync(path.join(freezer.dir, 'cgroup.freeze'), frozen ? '1' : '0');
}

async function setFrozen(dirs: CgroupDirs, frozen: boolean, timeoutMs: number): Promise<void> {
	const freezer = freezerOf(dirs);
	const deadline = Date.now() + timeoutMs;
	let delayMs = 1;
	for (;;) {
		// v1 can sit in FREEZING when a task forks mid-freeze; asking again moves it on.
		requestFreeze(freezer, frozen);
		if (isSettled(freezer, frozen)) return;
		if (Date.now() >= deadline) {
			if (frozen) requestFreeze(freezer, false);
			throw new C32Error('RUNTIME_ERROR', `The container's cgroup did not ${frozen ? 'freeze' : 'thaw'} within ${timeoutMs} ms`);
		}
		await sleep(delayMs);
		delayMs = Math.min(delayMs * 2, 20);
	}
}

/** Freezes every process of the cgroup; resolves once the kernel reports it frozen. */
export function freezeCgroup(dirs: CgroupDirs, {timeoutMs = 5000}: {timeoutMs?: number} = {}): Promise<void> {
	return setFrozen(dirs, true, timeoutMs);
}

export function thawCgroup(dirs: CgroupDirs, {timeoutMs = 5000}: {timeoutMs?: number} = {}): Promise<void> {
	return setFrozen(dirs, false, timeoutMs);
}

export function isCgroupFrozen(dirs: CgroupDirs): boolean {
	try {
		return isSettled(freezerOf(dirs), true);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
		throw error;
	}
}

function signalEach(pids: number[], signal: NodeJS.Signals | number): void {
	for (const pid of pids) {
		try {
			process.kill(pid, signal);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
		}
	}
}

function cgroupKillFile(dirs: CgroupDirs): string | undefined {
	const dir = dirs.unified;
	if (dir === null) return undefined;
	const file = path.join(dir, 'cgroup.kill');
	return existsSync(file) ? file : undefined;
}

/**
 * Sends `signal` to every process of the cgroup. SIGKILL uses cgroup.kill where the kernel
 * has it (5.14+), which no fork can race; otherwise the cgroup is frozen while each pid is
 * signalled so nothing escapes by forking, then thawed so the signals are delivered.
 */
export async function killCgroup(dirs: CgroupDirs, signal: NodeJS.Signals | number = 'SIGKILL'): Promise<void> {
	if (signal !== 'SIGKILL') {
		signalEach(cgroupProcesses(dirs), signal);
		return;
	}
	const killFile = cgroupKillFile(dirs);
	if (killFile !== undefined) {
		try {
			writeFileSync(killFile, '1');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
	}
	// On hybrid hosts a process may sit in the v1 hierarchies only; sweep them too.
	if (cgroupProcesses(dirs).length === 0) return;
	let frozen = false;
	try {
		await freezeCgroup(dirs);
		frozen = true;
	} catch {
		// No freezer, or it could not settle: signal anyway, a forking process may need a second pass.
	}
	signalEach(cgroupProcesses(dirs), 'SIGKILL');
	if (frozen) await thawCgroup(dirs);
}
