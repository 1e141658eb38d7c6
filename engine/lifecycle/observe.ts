// What really runs: whether a container recorded as live has ended, read from its monitor's
// exit and oom files, the boot id, and the liveness of its main process and monitor (pid plus
// start time, so a reused pid is never mistaken for them). Cheap: no exceptions, no writes.
import fs from 'node:fs';
import {isProcessAlive, readBootId, readTrimmed} from '../host-facts.js';
import type {ContainerPaths} from '../paths.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import {type EndFacts, isLive, stopRequestExpired} from './transitions.js';

export function isRunning(ref: ProcessRef | null): boolean {
	return ref !== null && isProcessAlive(ref.pid, ref.startTime);
}

/**
 * A listing checks the main process of every running container, on every tick of `c32 top`.
 * Reading /proc/<pid>/stat (start time, zombie or not) is most of what a listing costs per
 * container; once that full check has found the process alive, a later one within
 * PID_REUSE_GUARD_MS only looks whether /proc/<pid> still exists: a pid is handed out again
 * only after the kernel has gone round every other free pid, not within a tick. The full check
 * comes back every FULL_CHECK_MS (plus a per-pid spread, so they do not all fall on one tick),
 * which also sees a process that ended but that nobody has reaped (a zombie keeps its entry).
 */
const PID_REUSE_GUARD_MS = 2_000;
const FULL_CHECK_MS = 5_000;
const checked = new Map<number, {startTime: number | null; seenAt: number; fullAt: number}>();

export function mainIsRunning(ref: ProcessRef | null, nowMs = performance.now()): boolean {
	if (ref === null) return false;
	const last = checked.get(ref.pid);
	const fresh =
		last !== undefined &&
		last.startTime === ref.startTime &&
		nowMs - last.seenAt < PID_REUSE_GUARD_MS &&
		nowMs - last.fullAt < FULL_CHECK_MS + (ref.pid % 8) * 250;
	if (fresh && fs.existsSync(`/proc/${ref.pid}`)) {
		last.seenAt = nowMs;
		return true;
	}
	const alive = isRunning(ref);
	if (alive) checked.set(ref.pid, {startTime: ref.startTime, seenAt: nowMs, fullAt: nowMs});
	else checked.delete(ref.pid);
	// Pids of containers no longer listed; bounded by the containers running in between.
	if (checked.size > 4096) checked.clear();
	return alive;
}

export const mainProcess = (record: ContainerRecord): ProcessRef | null =>
	record.metadata.pid === null ? null : {pid: record.metadata.pid, startTime: record.internal.pidStartTime};

export const monitorProcess = (record: ContainerRecord): ProcessRef | null =>
	record.internal.monitorPid === null ? null : {pid: record.internal.monitorPid, startTime: record.internal.monitorStartTime};

/**
 * How a live container is doing: ended (how), `running`, or `ending` — its main process is
 * gone and its monitor is about to record the exit. Not live at all: `running` (nothing to see).
 */
export function observe(
	record: ContainerRecord,
	paths: ContainerPaths,
	mainAlive: (ref: ProcessRef | null) => boolean = isRunning,
): EndFacts | 'running' | 'ending' {
	if (!isLive(record)) return 'running';
	// The monitor writes the exit file only once the main process is gone (reaped): while that
	// process lives (its pid and start time, in this boot) there is no file to look for.
	const earlierBoot = fromEarlierBoot(record);
	if (!earlierBoot && mainAlive(mainProcess(record))) return 'running';
	const fromFile = readExitFile(paths);
	if (fromFile) return {...fromFile, stopperGone: stopperIsGone(record)};
	const now = new Date().toISOString();
	if (earlierBoot) {
		return {exitCode: null, oomKilled: false, finishedAt: now, cause: 'rebooted', stopperGone: stopperIsGone(record)};
	}
	if (isRunning(monitorProcess(record))) return 'ending';
	// The monitor may have written the exit file and gone between the first look and now.
	const late = readExitFile(paths);
	if (late) return {...late, stopperGone: stopperIsGone(record)};
	return {
		exitCode: null,
		oomKilled: fs.existsSync(paths.oomFile),
		finishedAt: now,
		cause: 'monitor-lost',
		stopperGone: stopperIsGone(record),
	};
}

/** Whether the container last started in an earlier boot of the host. */
export function fromEarlierBoot(record: ContainerRecord): boolean {
	return record.internal.bootId !== null && record.internal.bootId !== readBootId();
}

/** How a live container ended, or null while it still runs (or its monitor is about to record the exit). */
export function observeEnd(record: ContainerRecord, paths: ContainerPaths): EndFacts | null {
	const seen = observe(record, paths);
	return typeof seen === 'string' ? null : seen;
}

function stopperIsGone(record: ContainerRecord): boolean {
	const by = record.internal.stopRequest?.by ?? null;
	return by !== null && !isRunning(by);
}

/** A stop request that no longer counts: its time passed while the container ran, or its stopper was interrupted. */
export function staleStopRequest(record: ContainerRecord, now: string): boolean {
	return record.internal.stopRequest !== null && isLive(record) && (stopRequestExpired(record, now) || stopperIsGone(record));
}

function readExitFile(paths: ContainerPaths): Omit<EndFacts, 'stopperGone'> | null {
	// A stat first: a missing file is the common case, and a failed read costs an exception.
	const stat = fs.statSync(paths.exitFile, {throwIfNoEntry: false});
	if (!stat) return null;
	const text = readTrimmed(paths.exitFile);
	if (text === null) return null;
	const code = Number.parseInt(text, 10);
	const finishedAt = stat.mtime.toISOString();
	return {exitCode: Number.isNaN(code) ? null : code, oomKilled: fs.existsSync(paths.oomFile), finishedAt, cause: 'exited'};
}
