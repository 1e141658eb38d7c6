// Starting a container of a locked record: prepare its attachments, let the driver start
// it, record the outcome. A start that fails releases everything it prepared.
import fs from 'node:fs';
import {C32Error} from '../errors.js';
import {processStartTime, readBootId} from '../host-facts.js';
import type {ContainerRecord} from '../record.js';
import {prepareAll, readyAll} from './attachments.js';
import {driverContext, type Lifecycle, now, save, trySave} from './context.js';
import {removeMonitorPidFile, writeMonitorPidFile} from './monitor-pidfile.js';
import {release} from './release.js';
import {started, startFailed, starting} from './transitions.js';

/**
 * Starts the container; the caller holds its lock. Resolves with the running record, or throws
 * START_FAILED (recorded as failed). `created`: see Driver.start (an attach client connects there).
 */
export async function launch(lc: Lifecycle, record: ContainerRecord, created?: () => Promise<void>): Promise<ContainerRecord> {
	const driver = await lc.services.driverFor(record);
	// The network of this run is the one its attachment joins now, if any.
	const ctx = {...driverContext(lc, record), netnsPath: null, network: null, additionalNetworks: []};
	fs.mkdirSync(ctx.paths.userdata, {recursive: true, mode: 0o700});
	for (const file of [ctx.paths.exitFile, ctx.paths.oomFile]) fs.rmSync(file, {force: true});
	let current = starting(record, driver.name, now());
	await save(lc, current);
	let monitor: number | null = null;
	try {
		const attachments = await lc.services.attachmentsFor(current);
		await prepareAll(attachments, ctx, (error, name) => lc.log(`teardown of ${name} after a failed prepare`, error));
		const {pid, monitorPid} = await driver.start(ctx, lc.services.exitCommand(record.metadata.id), async () => {
			await readyAll(attachments, ctx);
			await created?.();
		});
		monitor = monitorPid;
		writeMonitorPidFile(current.config, monitorPid);
		const run = {
			pid,
			pidStartTime: processStartTime(pid),
			monitorPid,
			monitorStartTime: processStartTime(monitorPid),
			bootId: readBootId(),
		};
		current = started(current, {...run, network: ctx.network ?? null, additionalNetworks: ctx.additionalNetworks ?? []}, now());
		await save(lc, current);
		return current;
	} catch (error) {
		await release(lc, current);
		removeMonitorPidFile(current.config, monitor);
		const message = error instanceof Error ? error.message : String(error);
		await trySave(lc, startFailed(current, message, now()), 'failed start');
		throw error instanceof C32Error ? error : new C32Error('START_FAILED', message);
	}
}
