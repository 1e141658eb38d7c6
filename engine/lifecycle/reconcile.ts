// Reconcile: every read of a container checks what really runs and records what changed.
// A start whose process died, an end nobody recorded yet, a stop request whose stopper was
// interrupted, a pending restart whose scheduler is gone: each is settled here, under the
// container's lock. Reads never wait for that lock: when another process holds it, they
// show what they observed without recording it.

import {isC32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {processStartTime, statFields} from '../host-facts.js';
import {type ContainerPaths, containerPaths} from '../paths.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import {driverContext, type Lifecycle, now, readExisting, trySave} from './context.js';
import {fromEarlierBoot, isRunning, mainIsRunning, monitorProcess, observe, observeEnd, staleStopRequest} from './observe.js';
import {release} from './release.js';
import {
	crashLoopEntered,
	type EndFacts,
	ended,
	restartLostToReboot,
	restartScheduled,
	restartWanted,
	schedulerAdopted,
	startInterrupted,
	stopRequestVoided,
} from './transitions.js';
import {waitForFile} from './watch.js';

export interface ReconcileOptions {
	/** This process carries out the restart it finds pending (the exit command). */
	asScheduler?: ProcessRef;
	/** An end observed now is the user's stop, even if the request could not be saved (full disk). */
	userStop?: boolean;
	/** Called when what changed could not be saved; by default it is only logged. */
	onSaveError?: (error: unknown) => void;
	/**
	 * The end is the SIGKILL of a removal that held the monitor (rm -f): recorded as the
	 * monitor would have (137), and no restart is planned for a container about to go.
	 */
	killedForRemoval?: boolean;
}

/** The current process as a scheduler. */
export function thisProcess(): ProcessRef {
	return {pid: process.pid, startTime: processStartTime(process.pid)};
}

/** Whether a record needs anything recorded, given what `observe` saw. Cheap: file and /proc reads only. */
function needsReconcile(record: ContainerRecord, seen: ReturnType<typeof observe>): boolean {
	if (record.internal.startingAt) return true;
	if (typeof seen !== 'string') return true;
	if (record.internal.stopRequest !== null && staleStopRequest(record, now())) return true;
	if (record.metadata.state === 'restarting' && fromEarlierBoot(record)) return true;
	return orphanedRestart(record) || orphanedRemoval(record);
}

/** A pending restart with nobody left to carry it out: its scheduler is gone and no monitor will run an exit command. */
function orphanedRestart(record: ContainerRecord): boolean {
	return record.metadata.state === 'restarting' && !isRunning(record.internal.scheduler) && !isRunning(monitorProcess(record));
}

/**
 * An ended container that removes itself (autoRemove) but whose exit command will never run:
 * its monitor is gone (killed, or the exit command was) and nobody else took it over.
 */
function orphanedRemoval(record: ContainerRecord): boolean {
	const {metadata: meta} = record;
	return (
		record.config.autoRemove &&
		meta.startedAt !== null &&
		(meta.state === 'exited' || meta.state === 'stopped' || meta.state === 'failed') &&
		!isRunning(record.internal.scheduler) &&
		!isRunning(monitorProcess(record))
	);
}

/** A listing reconciles every container on every tick of `c32 top`: their paths are made once. */
const pathsByLayout = new WeakMap<Lifecycle['layout'], Map<string, ContainerPaths>>();

function pathsOf(lc: Lifecycle, id: string): ContainerPaths {
	let byId = pathsByLayout.get(lc.layout);
	if (!byId) {
		byId = new Map();
		pathsByLayout.set(lc.layout, byId);
	}
	let paths = byId.get(id);
	if (!paths) {
		if (byId.size >= 4096) byId.clear();
		paths = containerPaths(lc.layout, id);
		byId.set(id, paths);
	}
	return paths;
}

/** How long a read waits for a monitor that is writing the exit file of a process that just ended. */
const ENDING_WAIT_MS = 2000;

/**
 * The record as it is when nothing needs recording, checked without waiting: a listing
 * takes this path for nearly every container (no promise per container); null when
 * reconcile has something to do. Only here is a process found alive a moment ago taken as
 * alive while its /proc entry is there (mainIsRunning): an unreaped one (its monitor dead)
 * may show as running a few seconds longer in a dashboard; a stop, a wait and reconcile
 * look at the process itself.
 */
export function settledRecord(lc: Lifecycle, id: string, record: ContainerRecord): ContainerRecord | null {
	const seen = observe(record, pathsOf(lc, id), mainIsRunning);
	return seen === 'running' && !needsReconcile(record, seen) ? record : null;
}

/**
 * Reads a record and, when reality moved on, records that (when the lock is free; else shows
 * it unrecorded). `justRead`: the record as the caller read it a moment ago (a listing), so
 * it is not read twice.
 */
export async function reconcile(lc: Lifecycle, id: string, justRead?: ContainerRecord): Promise<ContainerRecord> {
	let record = justRead ?? readExisting(lc, id);
	const paths = pathsOf(lc, id);
	let seen = observe(record, paths);
	if (seen === 'ending') await resumeOrphanedHold(lc, id, record);
	// Never "running" with a dead process: wait the moment until its monitor records the end.
	if (seen === 'ending' && (await waitForFile(paths.exitFile, ENDING_WAIT_MS))) {
		record = readExisting(lc, id);
		seen = observe(record, paths);
	}
	if (!needsReconcile(record, seen)) return record;
	try {
		return await lc.store.withContainerLock(id, () => reconcileLocked(lc, id), {waitMs: 0});
	} catch (error) {
		if (isC32Error(error) && (error.code === 'LOCK_BUSY' || error.code === 'NO_SPACE')) return observedOnly(lc, record);
		throw error;
	}
}

/**
 * A monitor held (SIGSTOP) by an `rm -f` that was killed before it ended it waits forever,
 * its container's end unrecorded. The removal held the container's lock throughout: whoever
 * gets that lock now knows the hold is orphaned and lets the monitor go on.
 */
async function resumeOrphanedHold(lc: Lifecycle, id: string, record: ContainerRecord): Promise<void> {
	const monitor = monitorProcess(record);
	if (monitor === null || statFields(monitor.pid)?.[0] !== 'T') return;
	await lc.store
		.withContainerLock(id, () => isRunning(monitor) && process.kill(monitor.pid, 'SIGCONT'), {waitMs: 0})
		.catch(() => {
			// Held by a removal still at work (it ends the monitor), or gone with the container.
		});
}

/** What the record would say once reconciled, without recording it (another process holds the lock, or the disk is full). */
function observedOnly(lc: Lifecycle, record: ContainerRecord): ContainerRecord {
	if (record.internal.startingAt) return record;
	const end = observeEnd(record, containerPaths(lc.layout, record.metadata.id));
	if (!end) return record;
	const next = ended(record, end);
	// The one recording it plans the policy's restart too: say so now, and roughly when.
	return policyRestarts(next, end) ? restartScheduled(next, now(), null) : next;
}

/** Settles the record under its lock (the caller holds it). */
export async function reconcileLocked(lc: Lifecycle, id: string, options: ReconcileOptions = {}): Promise<ContainerRecord> {
	const original = readExisting(lc, id);
	let record = original;
	const saveFailed = options.onSaveError ?? (() => {});

	if (record.internal.startingAt) {
		// We hold the lock, so the process that was starting this container is gone.
		const driver = await lc.services.driverFor(record);
		await driver
			.signal(driverContext(lc, record), 'SIGKILL', true)
			.catch((error) => lc.log(`kill of an interrupted start ${id.slice(0, 12)}`, error));
		await release(lc, record);
		record = startInterrupted(record, now());
		if (restartWanted(record)) record = restartScheduled(record, now(), options.asScheduler ?? null);
	} else {
		const end = observeEnd(record, containerPaths(lc.layout, id));
		if (end) record = await recordEnd(lc, record, options.killedForRemoval ? removalEnd(end) : end, options);
	}
	if (staleStopRequest(record, now())) record = stopRequestVoided(record);
	if (record.metadata.state === 'restarting' && fromEarlierBoot(record)) record = restartLostToReboot(record);
	if (!options.killedForRemoval && (record.metadata.state === 'restarting' || (!options.asScheduler && orphanedRemoval(record)))) {
		record = assignScheduler(lc, record, options.asScheduler);
	}

	if (record !== original) {
		const error = await trySave(lc, record, 'reconcile');
		if (error) saveFailed(error);
		else if (crashLoopEntered(original, record)) announceCrashLoop(lc, record);
	}
	return record;
}

/** Said once, by the process that recorded the restart that entered the loop. */
function announceCrashLoop(lc: Lifecycle, record: ContainerRecord): void {
	const {metadata: meta} = record;
	appendEvent(lc.layout, {
		subject: 'container',
		event: 'restart_loop',
		id: meta.id,
		name: meta.name,
		labels: meta.labels,
		attributes: {
			restartCount: meta.restartCount,
			nextRestartInMs: Math.max(0, Date.parse(meta.nextRestartAt ?? now()) - Date.parse(now())),
		},
	});
}

async function recordEnd(lc: Lifecycle, record: ContainerRecord, end: EndFacts, options: ReconcileOptions): Promise<ContainerRecord> {
	await release(lc, record);
	let next = ended(options.userStop ? {...record, metadata: {...record.metadata, stopRequested: true}} : record, end);
	if (!options.killedForRemoval && policyRestarts(next, end)) next = restartScheduled(next, now(), options.asScheduler ?? null);
	return next;
}

/** A held monitor wrote no exit file for the kill: the code is the one it would have written. */
function removalEnd(end: EndFacts): EndFacts {
	return end.cause === 'monitor-lost' && end.exitCode === null ? {...end, exitCode: 137, cause: 'exited'} : end;
}

/** A run the host's reboot ended is started again by `c32 system boot`, by its policy's rules for a boot, not here. */
function policyRestarts(record: ContainerRecord, end: EndFacts): boolean {
	return end.cause !== 'rebooted' && restartWanted(record);
}

/**
 * A pending restart (or an autoRemove) needs exactly one live scheduler: the exit command
 * adopts it; anyone else starts one only when none runs and no monitor is left to run the
 * exit command. The started one carries out the restart, or the removal.
 */
function assignScheduler(lc: Lifecycle, record: ContainerRecord, me: ProcessRef | undefined): ContainerRecord {
	const current = record.internal.scheduler;
	if (me) return isRunning(current) && current!.pid !== me.pid ? record : schedulerAdopted(record, me);
	if (!orphanedRestart(record) && !orphanedRemoval(record)) return record;
	try {
		return schedulerAdopted(record, lc.services.spawnScheduler(record.metadata.id));
	} catch (error) {
		lc.log(`restart scheduler for ${record.metadata.id.slice(0, 12)}`, error);
		return record;
	}
}
