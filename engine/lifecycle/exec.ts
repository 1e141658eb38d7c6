// exec: a command in a running container. It takes no lock: the command may run for hours,
// and a stop or remove meanwhile ends it with the container. It is not the container's main
// process, so reconcile (which watches the main process and the monitor) never sees it.
import type {ExecIO, ExecProcess} from '../drivers/driver.js';
import {C32Error} from '../errors.js';
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

function requireRunning(record: ContainerRecord): void {
	const {name, state} = record.metadata;
	if (state === 'running') return;
	if (state === 'paused') throw new C32Error('BAD_STATE', `container ${name} is paused: resume it (c32 resume ${name}), then exec`);
	if (state === 'restarting') {
		throw new C32Error('BAD_STATE', `container ${name} is restarting: wait until it runs again (c32 ps), then exec`);
	}
	throw new C32Error('BAD_STATE', `container ${name} is ${state}, not running: start it (c32 start ${name}), then exec`);
}
