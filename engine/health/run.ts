// One health check: the command runs inside the container as exec does (no lock held while
// it runs), with a timeout; its result goes into the health file under the container's lock;
// a change of status is an event; an unhealthy container gets its --health-on-failure action.
import {Writable} from 'node:stream';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error, isC32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {driverContext, type Lifecycle, readExisting, save} from '../lifecycle/context.js';
import {execIn} from '../lifecycle/exec.js';
import {reconcile, reconcileLocked} from '../lifecycle/reconcile.js';
import {stop, terminate} from '../lifecycle/stop.js';
import {isLive} from '../lifecycle/transitions.js';
import {containerPaths} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import {applyResult, HEALTH_OUTPUT_MAX, type HealthFile, publicHealth, readHealth, trimOutput, writeHealth} from './state.js';
import type {ContainerHealth, HealthcheckConfig, HealthLogEntry} from './types.js';

/** How long a check killed at its timeout may take to end before it is given up on (a process driver's command's children). */
const TIMEOUT_GRACE_MS = 3000;

export type CheckOutcome = {ran: true; health: ContainerHealth; result: HealthLogEntry} | {ran: false; reason: 'over' | 'paused'};

/**
 * Runs the container's check now. `scheduled`: the generation the schedule was started for;
 * a run that is over (ended, restarted, removed) is then `over` rather than an error.
 * Unscheduled (c32 healthcheck run): BAD_STATE without a check or when not running.
 */
export async function runCheck(lc: Lifecycle, id: string, scheduled: number | null = null): Promise<CheckOutcome> {
	let record: ContainerRecord;
	try {
		record = await reconcile(lc, id);
	} catch (error) {
		if (scheduled !== null && isC32Error(error) && error.code === 'NOT_FOUND') return {ran: false, reason: 'over'};
		throw error;
	}
	const check = record.config.healthcheck;
	const {name, state} = record.metadata;
	if (scheduled !== null) {
		if (check === null || record.internal.generation !== scheduled || !isLive(record)) return {ran: false, reason: 'over'};
		if (state === 'paused') return {ran: false, reason: 'paused'};
	} else {
		if (check === null) {
			throw new C32Error(
				'BAD_STATE',
				`container ${name} has no health check: create it with --health-cmd (or from an image with a HEALTHCHECK)`,
			);
		}
		if (state !== 'running')
			throw new C32Error('BAD_STATE', `container ${name} is ${state}, not running: start it (c32 start ${name}), then check it`);
	}
	const result = await execCheck(lc, record, check!);
	if (result === null) return {ran: false, reason: 'over'};
	const health = await recordResult(lc, record, check!, result);
	if (health === null) return {ran: false, reason: 'over'};
	if (health.status === 'unhealthy' && result.exitCode !== 0)
		await actOnFailure(lc, record, check!).catch((error) => lc.log(`health action for ${id.slice(0, 12)}`, error));
	return {ran: true, health: publicHealth(health), result};
}

/** The check's result; null when the container stopped running before it could run. */
async function execCheck(lc: Lifecycle, record: ContainerRecord, check: HealthcheckConfig): Promise<HealthLogEntry | null> {
	const start = new Date().toISOString();
	const output = new OutputTail();
	const controller = new AbortController();
	const timeoutMs = check.timeout * 1000;
	const request = {args: check.command, env: {}, user: null, cwd: null, terminal: false, detach: false};
	const run = execIn(lc, record.metadata.id, request, {stdio: {stdin: null, stdout: output, stderr: output}, kill: controller.signal});
	const timedOut = sleep(timeoutMs, 'timeout' as const, {ref: false});
	let exitCode: number;
	let text: string;
	try {
		const first = await Promise.race([run, timedOut]);
		if (first === 'timeout') {
			controller.abort();
			await Promise.race([run.catch(() => 0), sleep(TIMEOUT_GRACE_MS, 0, {ref: false})]);
			exitCode = -1;
			text = `health check exceeded its timeout (${check.timeout}s)`;
		} else {
			exitCode = first;
			text = output.text();
		}
	} catch (error) {
		if (isC32Error(error) && (error.code === 'BAD_STATE' || error.code === 'NOT_FOUND')) return null;
		exitCode = -1;
		text = error instanceof Error ? error.message : String(error);
	}
	return {start, end: new Date().toISOString(), exitCode, output: text};
}

/** Writes the result into the health file, unless the run it was made for is over. */
async function recordResult(
	lc: Lifecycle,
	record: ContainerRecord,
	check: HealthcheckConfig,
	result: HealthLogEntry,
): Promise<HealthFile | null> {
	const {id} = record.metadata;
	const {userdata} = containerPaths(lc.layout, id);
	return lc.store.withContainerLock(id, () => {
		const current = lc.store.readRecord(id);
		const health = readHealth(userdata);
		const generation = record.internal.generation;
		// A check the end of its run cut short (exit 137 under a stop) says nothing of the container's health.
		if (!current || current.internal.generation !== generation || !isLive(current)) return null;
		if (health === null || health.generation !== generation) return null;
		const next = applyResult(health, result, check);
		writeHealth(userdata, next);
		if (next.status !== health.status) {
			appendEvent(lc.layout, {
				subject: 'container',
				event: 'health_status',
				id,
				name: current.metadata.name,
				labels: current.metadata.labels,
				attributes: {health: next.status, failingStreak: next.failingStreak},
			});
		}
		return next;
	});
}

/**
 * kill: SIGKILL, and the restart policy applies as to any death. stop: a user's stop (stays
 * stopped). restart: the end of this run is restarted whatever the policy, counted and after
 * the backoff, as the policy's restarts are (InternalState.healthRestart).
 */
async function actOnFailure(lc: Lifecycle, record: ContainerRecord, check: HealthcheckConfig): Promise<void> {
	const {id} = record.metadata;
	const generation = record.internal.generation;
	const sameRun = (current: ContainerRecord) => current.internal.generation === generation && isLive(current);
	switch (check.onFailure) {
		case 'none':
			return;
		case 'kill': {
			const current = readExisting(lc, id);
			if (!sameRun(current)) return;
			await (await lc.services.driverFor(current)).signal(driverContext(lc, current), 'SIGKILL', true);
			return;
		}
		case 'stop':
			if (sameRun(readExisting(lc, id))) await stop(lc, id);
			return;
		case 'restart': {
			const marked = await lc.store.withContainerLock(id, async () => {
				const current = await reconcileLocked(lc, id);
				if (!sameRun(current)) return null;
				const next = {...current, internal: {...current.internal, healthRestart: generation}};
				await save(lc, next);
				return next;
			});
			if (marked !== null) await terminate(lc, marked, marked.config.stopSignal, marked.config.stopTimeout);
			return;
		}
	}
}

/** Collects what a check writes, keeping only its last bytes. */
class OutputTail extends Writable {
	private chunks: Buffer[] = [];
	private size = 0;

	override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
		this.chunks.push(chunk);
		this.size += chunk.length;
		if (this.size > 4 * HEALTH_OUTPUT_MAX) {
			const joined = Buffer.concat(this.chunks).subarray(-HEALTH_OUTPUT_MAX);
			this.chunks = [joined];
			this.size = joined.length;
		}
		done();
	}

	text(): string {
		return trimOutput(Buffer.concat(this.chunks));
	}
}
