// Attaching to a container: its live output, its stdin (when created with stdinOpen) and its
// terminal's size (tty), until its run ends or the caller detaches. The OCI driver's monitor
// serves all of it on its attach socket (drivers/oci-attach.ts). A minimal container has
// no monitor socket and no stdin or terminal (config.ts refuses them): its output is followed
// in its log. One attach is one run, as in docker: a restart of the policy is not followed.
import {setTimeout as sleep} from 'node:timers/promises';
import type {AttachOptions, AttachResult} from '../api.js';
import {DEFAULT_DETACH_KEYS, DetachWatcher, parseDetachKeys} from '../detach-keys.js';
import type {AttachConnection, AttachOutput} from '../drivers/oci-attach.js';
import {C32Error} from '../errors.js';
import {followLog} from '../logs.js';
import {containerPaths} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import type {ContainerMetadata} from '../types.js';
import {type Lifecycle, readExisting} from './context.js';
import {observeEnd} from './observe.js';
import {reconcile} from './reconcile.js';
import {isLive} from './transitions.js';
import {waitForEnd, waitForExit} from './wait.js';

/** A user's start of the container; `created` runs between the runtime's create and start. */
export type Starter = (id: string, created?: () => Promise<void>) => Promise<ContainerMetadata>;

export async function attach(lc: Lifecycle, id: string, options: AttachOptions, start: Starter): Promise<AttachResult> {
	const keys = parseDetachKeys(options.detachKeys ?? DEFAULT_DETACH_KEYS);
	const output: AttachOutput = {stdout: options.stdout, stderr: options.stderr ?? options.stdout};
	const before = await reconcile(lc, id);
	const starting = options.start === true && !isLive(before);
	if (!starting) requireRunning(before);
	if (before.config.isolationLevel === 'minimal') {
		const from = new Date().toISOString();
		const run = starting ? await startedRun(lc, id, start) : before;
		return followOutput(lc, run, output, starting ? {since: from} : {tail: 0}, options.signal);
	}

	let connection: AttachConnection | null = null;
	const connect = async () => {
		const {connectAttach} = await import('../drivers/oci-attach.js');
		const input = options.stdin !== null && options.stdin !== undefined && before.config.stdinOpen === true;
		connection = await connectAttach(containerPaths(lc.layout, id).bundle, output, {input});
		// The size is set before the process runs (start) or as soon as possible (a running one).
		if (before.config.tty && options.terminal) connection.resize(options.terminal.rows, options.terminal.columns);
	};
	let run: ContainerRecord;
	try {
		if (starting) {
			await start(id, connect);
			run = readExisting(lc, id);
		} else {
			await connect().catch(async (error) => {
				// It may have ended between the look above and the connect.
				requireRunning(await reconcile(lc, id));
				throw error;
			});
			run = before;
		}
	} catch (error) {
		(connection as AttachConnection | null)?.close();
		throw error;
	}
	return relay(lc, run, connection!, keys, options);
}

/** BAD_STATE with what to do, for a container that is not running. */
function requireRunning(record: ContainerRecord): void {
	const {name, state} = record.metadata;
	if (state === 'running') return;
	if (state === 'paused') throw new C32Error('BAD_STATE', `container ${name} is paused: resume it first (c32 resume ${name})`);
	if (state === 'restarting') {
		throw new C32Error('BAD_STATE', `container ${name} is restarting: attach once it runs again (c32 wait, c32 ps)`);
	}
	throw new C32Error('BAD_STATE', `container ${name} is not running (${state}): start it attached with c32 start -a ${name}`);
}

/** The record of the run a start just began. */
async function startedRun(lc: Lifecycle, id: string, start: Starter): Promise<ContainerRecord> {
	await start(id);
	return readExisting(lc, id);
}

/** Output, input and resizes through the monitor's socket, until the run ends, a detach or an abort. */
async function relay(
	lc: Lifecycle,
	run: ContainerRecord,
	connection: AttachConnection,
	keys: Buffer,
	options: AttachOptions,
): Promise<AttachResult> {
	const cleanups: (() => void)[] = [() => connection.close()];
	try {
		const left = new Promise<'detached'>((resolve) => {
			const detach = () => resolve('detached');
			if (options.signal) {
				if (options.signal.aborted) detach();
				options.signal.addEventListener('abort', detach, {once: true});
				cleanups.push(() => options.signal?.removeEventListener('abort', detach));
			}
			// A terminal without stdinOpen (-t alone) is never written to: conmon would type it in.
			if (options.stdin && run.config.stdinOpen === true) cleanups.push(forwardInput(options.stdin, connection, keys, detach));
		});
		const terminal = options.terminal;
		if (run.config.tty && terminal) cleanups.push(terminal.onResize((rows, columns) => connection.resize(rows, columns)));

		const how = await Promise.race([connection.closed.then(() => 'closed' as const), left]);
		if (how === 'detached') return {exitCode: null, detached: true};
		return {exitCode: await runExitCode(lc, run, options.signal), detached: false};
	} finally {
		for (const cleanup of cleanups.reverse()) cleanup();
	}
}

/** Passes the caller's input on, watching for the detach keys; its end is the container's EOF. Returns the stop. */
function forwardInput(stdin: NodeJS.ReadableStream, connection: AttachConnection, keys: Buffer, detach: () => void): () => void {
	const watcher = new DetachWatcher(keys);
	let stopped = false;
	// Writes in order, and the EOF after the last of them ('end' does not wait for a paused stream's writes).
	let sent = Promise.resolve();
	const send = (then: () => Promise<void> | void) => {
		sent = sent.then(then).catch(() => {});
		return sent;
	};
	const onData = (chunk: Buffer | string) => {
		const {forward, detach: detaching} = watcher.feed(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
		if (detaching) {
			// What came before the keys is still sent (given a moment); then the caller leaves.
			stop();
			void Promise.race([send(() => connection.write(forward)), sleep(1000)]).finally(detach);
			return;
		}
		if (forward.length === 0) return;
		stdin.pause();
		void send(() => connection.write(forward)).then(() => {
			if (!stopped) stdin.resume();
		});
	};
	const onEnd = () => void send(() => connection.endInput());
	const stop = () => {
		if (stopped) return;
		stopped = true;
		stdin.off('data', onData);
		stdin.off('end', onEnd);
		stdin.pause();
	};
	stdin.on('data', onData);
	stdin.on('end', onEnd);
	stdin.resume();
	return stop;
}

/**
 * The exit code of the run that the attach followed. conmon writes the exit file before it
 * closes its sockets, so it is there when the connection closes, before any restart of the
 * policy could start a new run; without one (the monitor was killed), the lifecycle decides.
 */
async function runExitCode(lc: Lifecycle, run: ContainerRecord, signal?: AbortSignal): Promise<number | null> {
	const paths = containerPaths(lc.layout, run.metadata.id);
	for (;;) {
		const end = observeEnd(run, paths);
		if (end) return end.exitCode ?? waitForExit(lc, run.metadata.id).catch(() => null);
		if (signal?.aborted) return null;
		await waitForEnd(lc, run, 1000);
	}
}

/** A minimal container's output, followed in its log from now (or from its start) until the run ends. */
async function followOutput(
	lc: Lifecycle,
	run: ContainerRecord,
	output: AttachOutput,
	from: {since: string} | {tail: 0},
	signal?: AbortSignal,
): Promise<AttachResult> {
	const paths = containerPaths(lc.layout, run.metadata.id);
	const entries = followLog(paths.log, {...from, signal, isLive: async () => observeEnd(run, paths) === null});
	for await (const entry of entries) (entry.stream === 'stderr' ? output.stderr : output.stdout).write(Buffer.from(`${entry.line}\n`));
	if (signal?.aborted) return {exitCode: null, detached: true};
	return {exitCode: await runExitCode(lc, run, signal), detached: false};
}
