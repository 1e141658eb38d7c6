// Stop, kill, pause and resume. A user's stop is recorded only when it takes effect: a stop
// request (with a deadline) goes into the record before the signal, and an end observed
// before that deadline is the user's stop, whoever observes it. A stopper interrupted
// (Ctrl-C) leaves a request that expires, so the restart policy is not silently disabled.
// The stop acts even when its record cannot be written (a full disk) and says so after.
import {C32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {containerEvent} from '../events/transitions.js';
import type {ContainerRecord} from '../record.js';
import {driverContext, type Lifecycle, readExisting, trySave} from './context.js';
import {reconcileLocked, thisProcess} from './reconcile.js';
import {endProcess} from './release.js';
import {isLive, paused, stoppedWhileDown, stopRequested} from './transitions.js';
import {waitForEnd} from './wait.js';

/** How long SIGKILL may take to end every process of a container. */
export const KILL_WAIT_MS = 10_000;
/** Signals that end a container for good when sent by kill, as docker treats them; others leave the restart policy in place. */
const FATAL_SIGNALS = new Set(['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']);

const MUST_ACT = {proceedWithoutSpace: true} as const;

/** Stops with `signal` (default: the container's stop signal), then SIGKILL after `timeoutSeconds` (default: its stop timeout). */
export async function stop(lc: Lifecycle, id: string, options: {timeoutSeconds?: number; signal?: string} = {}): Promise<ContainerRecord> {
	const {timeoutSeconds} = options;
	let unsaved: unknown = null;
	const noteUnsaved = (error: unknown) => (unsaved ??= error);
	const before = await lc.store.withContainerLock(
		id,
		async () => {
			const record = await reconcileLocked(lc, id, {onSaveError: noteUnsaved});
			if (!isLive(record)) {
				const next = stoppedWhileDown(record);
				if (next !== record) {
					endProcess(record.internal.scheduler);
					noteIf(await trySave(lc, next, 'stop'), noteUnsaved);
				}
				return next;
			}
			const timeout = timeoutSeconds ?? record.config.stopTimeout;
			const until = new Date(Date.now() + timeout * 1000 + KILL_WAIT_MS + 2000).toISOString();
			const requested = stopRequested(record, until, thisProcess());
			noteIf(await trySave(lc, requested, 'stop request'), noteUnsaved);
			return requested;
		},
		MUST_ACT,
	);
	if (!isLive(before)) return finish(before, unsaved, 'stopped');
	await terminate(lc, before, options.signal ?? before.config.stopSignal, timeoutSeconds ?? before.config.stopTimeout);
	const after = await lc.store.withContainerLock(id, () => reconcileLocked(lc, id, {userStop: true, onSaveError: noteUnsaved}), MUST_ACT);
	return finish(after, unsaved, 'stopped');
}

/** Sends the stop signal, waits up to `timeoutSeconds`, then kills every process of the container. */
export async function terminate(lc: Lifecycle, record: ContainerRecord, signal: string, timeoutSeconds: number): Promise<void> {
	const driver = await lc.services.driverFor(record);
	const ctx = driverContext(lc, record);
	const logFailure = (what: string) => (error: unknown) => lc.log(`${what} ${record.metadata.id.slice(0, 12)}`, error);
	if (timeoutSeconds > 0) {
		await driver.signal(ctx, signal, false).catch(logFailure(signal));
		if (record.metadata.state === 'paused') await driver.resume(ctx).catch(logFailure('resume'));
		if (await waitForEnd(lc, record, timeoutSeconds * 1000)) return;
	}
	await driver.signal(ctx, 'SIGKILL', true).catch(logFailure('SIGKILL'));
	if (record.metadata.state === 'paused') await driver.resume(ctx).catch(logFailure('resume'));
	if (!(await waitForEnd(lc, record, KILL_WAIT_MS))) {
		throw new C32Error('RUNTIME_ERROR', `container ${record.metadata.name} did not exit after SIGKILL: check the host (c32 doctor)`);
	}
}

/** Sends a signal. SIGKILL, SIGTERM, SIGINT, SIGQUIT and the stop signal end it as a user stop (no restart), as docker kill does. */
export async function kill(lc: Lifecycle, id: string, signal: string): Promise<ContainerRecord> {
	let unsaved: unknown = null;
	const noteUnsaved = (error: unknown) => (unsaved ??= error);
	const record = await lc.store.withContainerLock(
		id,
		async () => {
			const current = await reconcileLocked(lc, id, {onSaveError: noteUnsaved});
			if (!isLive(current)) {
				throw new C32Error('BAD_STATE', `container ${current.metadata.name} is ${current.metadata.state}, not running: nothing to signal`);
			}
			if (!FATAL_SIGNALS.has(signal) && signal !== current.config.stopSignal) return current;
			// A kill does not wait for the end, so its request outlives the killer, for a while.
			const requested = stopRequested(current, new Date(Date.now() + KILL_WAIT_MS).toISOString(), null);
			noteIf(await trySave(lc, requested, 'kill request'), noteUnsaved);
			return requested;
		},
		MUST_ACT,
	);
	await (await lc.services.driverFor(record)).signal(driverContext(lc, record), signal, signal === 'SIGKILL');
	appendEvent(lc.layout, containerEvent(record, 'kill', {signal}), {hooks: record.config.hooks});
	if (signal !== 'SIGKILL') return finish(readExisting(lc, id), unsaved, 'signalled');
	await waitForEnd(lc, record, KILL_WAIT_MS);
	const after = await lc.store.withContainerLock(id, () => reconcileLocked(lc, id, {userStop: true, onSaveError: noteUnsaved}), MUST_ACT);
	return finish(after, unsaved, 'killed');
}

export async function freeze(lc: Lifecycle, id: string, pause: boolean): Promise<ContainerRecord> {
	return lc.store.withContainerLock(id, async () => {
		const record = await reconcileLocked(lc, id);
		const meta = record.metadata;
		const from = pause ? 'running' : 'paused';
		if (meta.state !== from) {
			throw new C32Error(
				'BAD_STATE',
				`container ${meta.name} is ${meta.state}: only a ${from} container can be ${pause ? 'paused' : 'resumed'}`,
			);
		}
		const driver = await lc.services.driverFor(record);
		const ctx = driverContext(lc, record);
		await (pause ? driver.pause(ctx) : driver.resume(ctx));
		const next = paused(record, pause);
		const error = await trySave(lc, next, pause ? 'pause' : 'resume');
		if (error) throw notSaved(next, pause ? 'paused' : 'resumed', error);
		return next;
	});
}

function noteIf(error: unknown, note: (error: unknown) => void): void {
	if (error) note(error);
}

/** The record after an action; when part of it could not be saved, an error that says the action happened anyway. */
function finish(record: ContainerRecord, unsaved: unknown, done: string): ContainerRecord {
	if (unsaved) throw notSaved(record, done, unsaved);
	return record;
}

function notSaved(record: ContainerRecord, done: string, error: unknown): C32Error {
	const reason = error instanceof Error ? error.message : String(error);
	return new C32Error(
		'STATE_NOT_SAVED',
		`container ${record.metadata.name} was ${done}, but c32 could not record it (${reason}); c32 ps shows its real state`,
	);
}
