// The one path every ending takes — stop, exit, crash recovery, remove, failed start: the
// runtime's state goes first, then each attachment in reverse order of preparation; those
// that need no order (the network) are torn down alongside.
import {C32Error} from '../errors.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import {teardownAll} from './attachments.js';
import {driverContext, type Lifecycle} from './context.js';
import {removeMonitorPidFile} from './monitor-pidfile.js';
import {isRunning} from './observe.js';

/**
 * Releases what a run of the container held on the host. Failures are logged; with `strict`
 * (remove, which must leave nothing) the first one is thrown after everything was tried.
 */
export async function release(lc: Lifecycle, record: ContainerRecord, options: {strict?: boolean} = {}): Promise<void> {
	const ctx = driverContext(lc, record);
	const id = record.metadata.id.slice(0, 12);
	const failures: unknown[] = [];
	const attachments = await lc.services.attachmentsFor(record);
	const ordered = attachments.filter((attachment) => !attachment.tearsDownAlongside);
	const alongside = attachments.filter((attachment) => attachment.tearsDownAlongside);
	const tearDown = async (these: typeof attachments) =>
		failures.push(...(await teardownAll(these, ctx, (error, name) => lc.log(`teardown of ${name} for ${id}`, error))));
	const inOrder = async () => {
		try {
			await (await lc.services.driverFor(record)).cleanup(ctx);
		} catch (error) {
			failures.push(error);
			lc.log(`runtime cleanup of ${id}`, error);
		}
		try {
			removeMonitorPidFile(record.config, record.internal.monitorPid);
		} catch (error) {
			failures.push(error);
			lc.log(`monitor pid file of ${id}`, error);
		}
		await tearDown(ordered);
	};
	await Promise.all([inOrder(), tearDown(alongside)]);
	if (options.strict && failures.length > 0) {
		const first = failures[0];
		throw first instanceof C32Error
			? first
			: new C32Error('RUNTIME_ERROR', `cannot release ${record.metadata.name}: ${String((first as Error)?.message ?? first)}`);
	}
}

/** Ends a process of ours (a restart scheduler, a lingering monitor) if it is still the one recorded. */
export function endProcess(ref: ProcessRef | null): void {
	if (ref === null || ref.pid === process.pid || !isRunning(ref)) return;
	try {
		process.kill(ref.pid, 'SIGKILL');
	} catch {
		// Gone meanwhile.
	}
}
