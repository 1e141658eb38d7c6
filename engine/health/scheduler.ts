// The health-check schedule of a running container, as an attachment: a POSIX sh loop
// started in a session of its own when the container starts (so it outlives every c32
// process), which sleeps the interval and then runs one check (dist/engine/health/tick.js,
// node only while a check runs), and ends when the tick says the run is over, when the
// container's directory is gone, or when the run's teardown kills it. A container without a
// check (or with interval 0) gets no process. Why a shell: docs/health.md.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {C32Error} from '../errors.js';
import {monitorEnvironment} from '../exit-command.js';
import {isProcessAlive, processStartTime} from '../host-facts.js';
import type {Attachment} from '../lifecycle/attachments.js';
import type {StorageLayout} from '../paths.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import {healthForRun, readHealth, writeHealth} from './state.js';

const TICK_SCRIPT = fileURLToPath(new URL('./tick.js', import.meta.url));
/** The tick's exit code that ends the loop: the run it was started for is over. */
export const TICK_DONE = 3;

/**
 * How a tick whose check threw ends. A container removed while its check ran (NOT_FOUND) ends
 * the schedule and is no failure; anything else is logged, and the loop goes on.
 */
export function failedTick(error: unknown): {code: number; log: boolean} {
	return error instanceof C32Error && error.code === 'NOT_FOUND' ? {code: TICK_DONE, log: false} : {code: 1, log: true};
}

/**
 * $1 the interval in seconds, $2 the container's userdata, then the tick's argv. The tick
 * runs in a session of its own (setsid), so killing the loop's process group (the shell and
 * its sleep) never kills a check that is running, nor the tick that itself ends the run.
 */
const LOOP = `interval=$1 userdata=$2
shift 2
while sleep "$interval"; do
	[ -d "$userdata" ] || exit 0
	setsid "$@" </dev/null >/dev/null 2>&1
	[ $? -eq ${TICK_DONE} ] && exit 0
done`;

/** The process name the loop shows as ($0): `ps` tells it by this. */
export const LOOP_NAME = 'c32-health';

export const schedulerFile = (userdata: string) => path.join(userdata, 'health-scheduler.json');

export function tickArgv(layout: StorageLayout, id: string, generation: number): string[] {
	return [process.execPath, TICK_SCRIPT, layout.storageDir, layout.runtimeDir, id, String(generation)];
}

/** The attachment of a container with a health check: a fresh `starting` health file, and the loop when the check has an interval. */
export function healthAttachment(layout: StorageLayout, record: ContainerRecord): Attachment {
	const {generation} = record.internal;
	return {
		name: 'health',
		prepare: async (ctx) => {
			const check = ctx.config.healthcheck;
			if (check === null) return;
			endScheduler(ctx.paths.userdata);
			writeHealth(ctx.paths.userdata, healthForRun(readHealth(ctx.paths.userdata), generation, new Date().toISOString()));
			if (check.interval === 0) return;
			const loop = startLoop(check.interval, ctx.paths.userdata, tickArgv(layout, ctx.id, generation));
			fs.writeFileSync(schedulerFile(ctx.paths.userdata), `${JSON.stringify(loop)}\n`, {mode: 0o600});
		},
		teardown: async (ctx) => endScheduler(ctx.paths.userdata),
	};
}

function startLoop(interval: number, userdata: string, tick: string[]): ProcessRef {
	const child = spawn('/bin/sh', ['-c', LOOP, LOOP_NAME, String(interval), userdata, ...tick], {
		detached: true,
		stdio: 'ignore',
		env: monitorEnvironment(),
	});
	child.unref();
	if (child.pid === undefined) throw new C32Error('RUNTIME_ERROR', 'cannot start the health-check schedule: /bin/sh did not run');
	return {pid: child.pid, startTime: processStartTime(child.pid)};
}

/** The recorded loop, if it still runs (pid and start time match, so a reused pid is left alone). */
export function runningScheduler(userdata: string): ProcessRef | null {
	let ref: ProcessRef;
	try {
		ref = JSON.parse(fs.readFileSync(schedulerFile(userdata), 'utf8')) as ProcessRef;
	} catch {
		return null;
	}
	if (!Number.isInteger(ref?.pid) || ref.pid <= 1 || typeof ref.startTime !== 'number') return null;
	return isProcessAlive(ref.pid, ref.startTime) ? ref : null;
}

/** Kills the loop and its sleep (its process group; a running check is in a session of its own and finishes). Idempotent. */
export function endScheduler(userdata: string): void {
	const loop = runningScheduler(userdata);
	if (loop !== null) {
		try {
			process.kill(-loop.pid, 'SIGKILL');
		} catch {
			// Gone meanwhile.
		}
	}
	fs.rmSync(schedulerFile(userdata), {force: true});
}
