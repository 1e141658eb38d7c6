// exec: a command in a running container. It takes no lock: the command may run for hours,
// and a stop or remove meanwhile ends it with the container. It is not the container's main
// process, so reconcile (which watches the main process and the monitor) never sees it.
import type {ExecIO, ExecProcess} from '../drivers/driver.js';
import {C32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {containerEvent} from '../events/transitions.js';
import type {ContainerRecord} from '../record.js';
import {driverContext, type Lifecycle} from './context.js';
import {reconcile} from './reconcile.js';

/** Runs the command in the container; resolves with its exit code (see Driver.exec). */
export async function execIn(lc: Lifecycle, id: string, request: ExecProcess, io: ExecIO): Promise<number> {
	const record = await reconcile(lc, id);
	requireRunning(record);
	const driver = await lc.services.driverFor(record);
	return driver.exec(driverContext(lc, record), request, io);
}

/** exec as a user asked for it: recorded as an exec event, and its end as exec_died with the exit code. */
export async function execRecorded(lc: Lifecycle, id: string, request: ExecProcess, io: ExecIO, command: string[]): Promise<number> {
	const record = await reconcile(lc, id);
	requireRunning(record);
	const hooks = {hooks: record.config.hooks};
	const shown = command.join(' ').slice(0, 512);
	appendEvent(lc.layout, containerEvent(record, 'exec', {command: shown, detach: request.detach}), hooks);
	try {
		const driver = await lc.services.driverFor(record);
		const exitCode = await driver.exec(driverContext(lc, record), request, io);
		// A detached command's end is not known: it resolved at once.
		if (!request.detach) appendEvent(lc.layout, containerEvent(record, 'exec_died', {command: shown, exitCode}), hooks);
		return exitCode;
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		appendEvent(lc.layout, containerEvent(record, 'exec_died', {command: shown, exitCode: null, error: message.slice(0, 256)}), hooks);
		throw error;
	}
}

function requireRunning(record: ContainerRecord): void {
	const {name, state} = record.metadata;
	if (state === 'running') return;
	if (state === 'paused') throw new C32Error('BAD_STATE', `container ${name} is paused: resume it (c32 resume ${name}), then exec`);
	if (state === 'restarting') {
		throw new C32Error('BAD_STATE', `container ${name} is restarting: wait until it runs again (c32 ps), then exec`);
	}
	throw new C32Error('BAD_STATE', `container ${name} is ${state}, not running: start it (c32 start ${name}), then exec`);
}
