// The state machine of a container as pure functions from record to record. Nothing here
// reads the clock, the disk or /proc: every fact comes in as an argument, so each transition
// is tested on its own (test/unit/lifecycle-transitions.test.ts). See docs/architecture.md for the diagram.

import {type ContainerRecord, FORMAT_VERSION, INTERNAL_DEFAULTS, type NetworkState, type ProcessRef} from '../record.js';
import {BACKOFF_RESET_AFTER_MS, backoffDelayMs, enteredCrashLoop, isCrashLoop, shouldRestart, startsAtBoot} from '../restart.js';
import type {ResolvedConfig} from '../types.js';

export const LIVE_STATES: ReadonlySet<string> = new Set(['running', 'paused']);

export const isLive = (record: ContainerRecord) => LIVE_STATES.has(record.metadata.state);

export function newRecord(id: string, config: ResolvedConfig, imageDir: string | null, runtime: string, now: string): ContainerRecord {
	return {
		formatVersion: FORMAT_VERSION,
		metadata: {
			id,
			name: config.name,
			state: 'created',
			pid: null,
			exitCode: null,
			oomKilled: false,
			errorMessage: null,
			image: config.image ?? imageLabel(config.ociImage ?? null),
			isolationLevel: config.isolationLevel,
			runtime,
			createdAt: now,
			startedAt: null,
			finishedAt: null,
			restartCount: 0,
			nextRestartAt: null,
			stopRequested: false,
			labels: config.labels,
			crashLoop: false,
		},
		config,
		internal: {...INTERNAL_DEFAULTS, imageDir},
	};
}

/** How an OCI image is shown: its name, else its short id. */
export function imageLabel(image: ResolvedConfig['ociImage']): string | null {
	if (image === null) return null;
	return image.name ?? image.id.replace(/^sha256:/, '').slice(0, 12);
}

function with_(
	record: ContainerRecord,
	metadata: Partial<ContainerRecord['metadata']>,
	internal: Partial<ContainerRecord['internal']> = {},
): ContainerRecord {
	return {...record, metadata: {...record.metadata, ...metadata}, internal: {...record.internal, ...internal}};
}

/** A user's start: clears a remembered stop and the crash-loop counters. */
export function userStart(record: ContainerRecord): ContainerRecord {
	return with_(record, {stopRequested: false, crashLoop: false}, {restartsSinceStart: 0, backoffAttempt: 0});
}

/** A start is under way (by the user or a restart): a new generation. The last run's outcome shows until it runs. */
export function starting(record: ContainerRecord, runtime: string, now: string): ContainerRecord {
	return with_(
		record,
		{runtime},
		{
			generation: record.internal.generation + 1,
			startingAt: now,
			stopRequest: null,
			scheduler: null,
			network: null,
			additionalNetworks: [],
		},
	);
}

export interface RunFacts {
	pid: number;
	pidStartTime: number | null;
	monitorPid: number;
	monitorStartTime: number | null;
	bootId: string | null;
	/** The c32 network it joined, if any. */
	network?: NetworkState | null;
	/** The further c32 networks it joined. */
	additionalNetworks?: NetworkState[];
}

export function started(record: ContainerRecord, run: RunFacts, now: string): ContainerRecord {
	return with_(
		record,
		{
			state: 'running',
			pid: run.pid,
			startedAt: now,
			finishedAt: null,
			exitCode: null,
			oomKilled: false,
			errorMessage: null,
			nextRestartAt: null,
			crashLoop: false,
		},
		{
			startingAt: null,
			monitorPid: run.monitorPid,
			monitorStartTime: run.monitorStartTime,
			pidStartTime: run.pidStartTime,
			bootId: run.bootId,
			network: run.network ?? null,
			additionalNetworks: run.additionalNetworks ?? [],
		},
	);
}

export function startFailed(record: ContainerRecord, message: string, now: string): ContainerRecord {
	return with_(
		record,
		{
			state: 'failed',
			pid: null,
			finishedAt: now,
			errorMessage: message,
			exitCode: exitCodeForStartError(message),
			oomKilled: false,
			nextRestartAt: null,
		},
		{startingAt: null, monitorPid: null, monitorStartTime: null},
	);
}

/**
 * The process that was starting the container died before it finished (a Ctrl-C, or a killed
 * restart scheduler). A policy that restarts an end without an exit code gets its restart
 * (`exited`, then restartWanted); otherwise the start failed.
 */
export function startInterrupted(record: ContainerRecord, now: string): ContainerRecord {
	const policyRestarts = shouldRestart(record.config.restartPolicy, {
		exitCode: -1,
		stopRequested: record.metadata.stopRequested,
		restartsSinceStart: record.internal.restartsSinceStart,
	});
	return with_(
		record,
		{
			state: policyRestarts ? 'exited' : 'failed',
			pid: null,
			finishedAt: now,
			errorMessage: 'c32 was interrupted while starting the container: start it again',
			exitCode: null,
			nextRestartAt: null,
		},
		{startingAt: null, monitorPid: null, monitorStartTime: null},
	);
}

/** docker's convention: 127 when the command is not found, 126 when it cannot be invoked. */
export function exitCodeForStartError(message: string): number | null {
	if (/not found|no such file/i.test(message)) return 127;
	if (/permission denied|exec format/i.test(message)) return 126;
	return null;
}

/** How a live container was found to have ended. */
export interface EndFacts {
	/** The exit file's code; null when nobody recorded one. */
	exitCode: number | null;
	oomKilled: boolean;
	finishedAt: string;
	cause: 'exited' | 'rebooted' | 'monitor-lost';
	/** The process that requested a stop is gone (interrupted): its request no longer counts. */
	stopperGone: boolean;
}

/** Records an end. A stop request still in force (or a stop already recorded) makes it the user's stop. */
export function ended(record: ContainerRecord, end: EndFacts): ContainerRecord {
	const request = record.internal.stopRequest;
	const inForce = request !== null && !end.stopperGone && Date.parse(end.finishedAt) <= Date.parse(request.until);
	const byUser = record.metadata.stopRequested || inForce;
	const errorMessage =
		end.cause === 'rebooted'
			? 'the host rebooted while the container ran'
			: end.cause === 'monitor-lost'
				? 'its monitor (conmon) was killed, so its exit code is unknown'
				: null;
	return with_(
		record,
		{
			state: byUser ? 'stopped' : 'exited',
			stopRequested: byUser,
			pid: null,
			exitCode: end.exitCode,
			oomKilled: end.oomKilled,
			finishedAt: end.finishedAt,
			errorMessage,
		},
		{stopRequest: null},
	);
}

/** A user's stop or kill is about to signal the container; it takes effect if the container ends before `until` while `by` runs. */
export function stopRequested(record: ContainerRecord, until: string, by: ProcessRef | null): ContainerRecord {
	return with_(record, {}, {stopRequest: {until, by}});
}

/** A stop request whose time passed while the container kept running: the stopper was interrupted. */
export function stopRequestExpired(record: ContainerRecord, now: string): boolean {
	const request = record.internal.stopRequest;
	return request !== null && isLive(record) && Date.parse(now) > Date.parse(request.until);
}

export function stopRequestVoided(record: ContainerRecord): ContainerRecord {
	return with_(record, {}, {stopRequest: null});
}

/**
 * A user's stop of a container that is not running: a pending (or about to be planned)
 * restart is cancelled and the stop remembered. Returns the record unchanged otherwise.
 */
export function stoppedWhileDown(record: ContainerRecord): ContainerRecord {
	const {metadata: meta} = record;
	const restartDue = meta.state === 'restarting' || (meta.state === 'exited' && restartWanted(record));
	if (!restartDue) return record;
	return with_(record, {state: 'stopped', stopRequested: true, nextRestartAt: null, crashLoop: false}, {scheduler: null});
}

/**
 * Whether `c32 system boot` starts this (reconciled) container: its policy starts at boot, the
 * user did not stop it, and its last run was in an earlier boot than `bootId` — so a second
 * `system boot` in the same boot starts nothing.
 */
export function bootStartWanted(record: ContainerRecord, bootId: string | null): boolean {
	const {metadata: meta, internal} = record;
	if (isLive(record) || meta.state === 'created' || meta.state === 'damaged') return false;
	if (internal.bootId === null || internal.bootId === bootId) return false;
	return startsAtBoot(record.config.restartPolicy, meta.stopRequested);
}

/** A restart that was pending when the host went down: `c32 system boot` decides now. */
export function restartLostToReboot(record: ContainerRecord): ContainerRecord {
	return with_(
		record,
		{state: 'exited', nextRestartAt: null, crashLoop: false, errorMessage: 'the host rebooted while a restart was pending'},
		{scheduler: null},
	);
}

/** Whether the restart policy (or a health check's restart of this run) asks to start an ended container again. */
export function restartWanted(record: ContainerRecord): boolean {
	const {metadata: meta} = record;
	if (meta.state !== 'exited') return false;
	if (record.internal.healthRestart === record.internal.generation && !meta.stopRequested) return true;
	return shouldRestart(record.config.restartPolicy, {
		exitCode: meta.exitCode ?? -1,
		stopRequested: meta.stopRequested,
		restartsSinceStart: record.internal.restartsSinceStart,
	});
}

/** The policy's restart is planned: `restarting` until `nextRestartAt`, with the backoff of the crash loop. */
export function restartScheduled(record: ContainerRecord, now: string, scheduler: ProcessRef | null): ContainerRecord {
	const {metadata: meta, internal} = record;
	const uptime = Date.parse(meta.finishedAt ?? now) - Date.parse(meta.startedAt ?? now);
	const attempt = uptime >= BACKOFF_RESET_AFTER_MS ? 0 : internal.backoffAttempt;
	const delay = backoffDelayMs(attempt, record.config.restartMaxDelayMs);
	return with_(
		record,
		{state: 'restarting', nextRestartAt: new Date(Date.parse(now) + delay).toISOString(), crashLoop: isCrashLoop(attempt + 1)},
		{backoffAttempt: attempt + 1, scheduler},
	);
}

/** Whether the change from `before` to `after` is the restart that entered a crash loop (said once, as a restart_loop event). */
export function crashLoopEntered(before: ContainerRecord, after: ContainerRecord): boolean {
	return after.metadata.state === 'restarting' && enteredCrashLoop(before.internal.backoffAttempt, after.internal.backoffAttempt);
}

export function schedulerAdopted(record: ContainerRecord, scheduler: ProcessRef): ContainerRecord {
	return with_(record, {}, {scheduler});
}

/** Whether a restart planned for `generation` is still the one to carry out. */
export function restartStillDue(record: ContainerRecord, generation: number): boolean {
	return record.metadata.state === 'restarting' && !record.metadata.stopRequested && record.internal.generation === generation;
}

/** The policy's restart begins: counted, then started like any start. */
export function restartBegins(record: ContainerRecord): ContainerRecord {
	return with_(
		record,
		{restartCount: record.metadata.restartCount + 1},
		{restartsSinceStart: record.internal.restartsSinceStart + 1, scheduler: null},
	);
}

export function paused(record: ContainerRecord, isPaused: boolean): ContainerRecord {
	return with_(record, {state: isPaused ? 'paused' : 'running'});
}

export function renamed(record: ContainerRecord, name: string): ContainerRecord {
	return {...record, metadata: {...record.metadata, name}, config: {...record.config, name}};
}
