// Removing a container: kill it if forced, end whatever still serves it (a restart scheduler,
// a monitor waiting for its exit command), release its runtime state and attachments, then
// delete its directory and index entry. A damaged record is removed by its id alone.
import fs from 'node:fs';
import {C32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {containerEvent} from '../events/transitions.js';
import type {ContainerRecord, ProcessRef} from '../record.js';
import type {Lifecycle} from './context.js';
import {driverContext} from './context.js';
import {collectImage} from './create.js';
import {isRunning, mainProcess, monitorProcess} from './observe.js';
import {reconcile, reconcileLocked} from './reconcile.js';
import {endProcess, release} from './release.js';
import {KILL_WAIT_MS} from './stop.js';
import {isLive} from './transitions.js';
import {waitForDeath} from './wait.js';

export async function remove(lc: Lifecycle, id: string, options: {force?: boolean}): Promise<void> {
	const read = lc.store.inspectRecord(id);
	if (read !== null && 'damaged' in read) {
		if (!options.force) {
			throw new C32Error(
				'BAD_STATE',
				`the state file ${read.file} ${read.damaged}: remove the container with c32 rm -f ${id.slice(0, 12)}`,
			);
		}
		await removeDamaged(lc, id);
		return;
	}
	const seen = await reconcile(lc, id);
	if ((isLive(seen) || seen.metadata.state === 'restarting') && !options.force) {
		throw new C32Error(
			'BAD_STATE',
			`container ${seen.metadata.name} is ${seen.metadata.state}: stop it first, or remove with force (c32 rm -f)`,
		);
	}
	await lc.store.withContainerLock(
		id,
		async () => {
			let record = await reconcileLocked(lc, id);
			// A restart may have started it again since the check above: kill whatever runs now.
			if (isLive(record)) {
				if (!options.force)
					throw new C32Error('BAD_STATE', `container ${record.metadata.name} was started again meanwhile: remove with force (c32 rm -f)`);
				// Held first, the monitor starts no exit command for the kill (a whole Node process
				// per container, which would only wait for this lock and find the container gone).
				const monitor = monitorProcess(record);
				holdProcess(monitor);
				try {
					await killNow(lc, record);
				} finally {
					endExitCommands(monitor);
				}
				// Until the killed monitor is gone, the end reads as one it is about to record.
				await waitForDeath(monitor, KILL_WAIT_MS);
				record = await reconcileLocked(lc, id, {killedForRemoval: true});
			}
			endProcess(record.internal.scheduler);
			endProcess(monitorProcess(record));
			await release(lc, record, {strict: true});
			await deleteContainer(lc, id, record.internal.imageDir);
			appendEvent(lc.layout, containerEvent(record, 'remove', {exitCode: record.metadata.exitCode}), {hooks: record.config.hooks});
		},
		{proceedWithoutSpace: true},
	);
}

/** Stops a process of ours (SIGSTOP) if it is still the one recorded: it does nothing more until it is ended. */
function holdProcess(ref: ProcessRef | null): boolean {
	if (ref === null || ref.pid === process.pid || !isRunning(ref)) return false;
	try {
		process.kill(ref.pid, 'SIGSTOP');
		return true;
	} catch {
		return false; // gone meanwhile
	}
}

/**
 * Ends what the monitor of a container just killed has started (an exit command, when the
 * container ended before the monitor was held), then the monitor itself. Held first, the
 * monitor starts nothing more while its children are listed. Its container is dead by now,
 * so its children are its exit command and nothing else.
 */
export function endExitCommands(monitor: ProcessRef | null): void {
	if (!holdProcess(monitor)) return;
	for (const child of childrenOf(monitor!.pid)) {
		try {
			process.kill(child, 'SIGKILL');
		} catch {
			// gone meanwhile
		}
	}
	endProcess(monitor);
}

/** The pids whose parent is `pid` (/proc/PID/task/TID/children, a line of pids per thread). */
function childrenOf(pid: number): number[] {
	const dir = `/proc/${pid}/task`;
	try {
		return fs.readdirSync(dir).flatMap((tid) => {
			try {
				return fs.readFileSync(`${dir}/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
			} catch {
				return [];
			}
		});
	} catch {
		return [];
	}
}

async function killNow(lc: Lifecycle, record: ContainerRecord): Promise<void> {
	const driver = await lc.services.driverFor(record);
	const ctx = driverContext(lc, record);
	await driver.signal(ctx, 'SIGKILL', true).catch((error) => lc.log(`SIGKILL for remove ${record.metadata.id.slice(0, 12)}`, error));
	if (record.metadata.state === 'paused') await driver.resume(ctx).catch((error) => lc.log('resume for remove', error));
	// Its held monitor reaps it only once ended: dead is a zombie or gone.
	if (!(await waitForDeath(mainProcess(record), KILL_WAIT_MS))) {
		throw new C32Error('RUNTIME_ERROR', `container ${record.metadata.name} did not exit after SIGKILL: check the host (c32 doctor)`);
	}
}

/**
 * Deletes the directory, then the index entry. The rename first makes it atomic: a c32 killed
 * after it leaves a tombstone and an index entry without a directory, both cleared by the
 * next list. The directory goes before the index is written, so a full disk gets its space
 * back first; it goes off the event loop and outside the index lock, so that the removals of
 * one `rm -f` delete theirs side by side (on a disk mounted with `discard`, each freed block
 * waits for the device).
 */
async function deleteContainer(lc: Lifecycle, id: string, imageDir: string | null): Promise<void> {
	const tombstone = lc.store.tombstoneDir(id);
	fs.renameSync(lc.store.containerDir(id), tombstone);
	await fs.promises.rm(tombstone, {recursive: true, force: true});
	await lc.store.withIndexLock(
		async () => {
			const names = lc.store.readIndex();
			const kept = Object.fromEntries(Object.entries(names).filter(([, holder]) => holder !== id));
			try {
				await lc.store.writeIndex(kept);
			} catch (error) {
				// The entry now names no directory: the next list drops it.
				lc.log(`index entry of removed ${id.slice(0, 12)}`, error);
			}
			collectImage(lc, imageDir, kept);
		},
		{proceedWithoutSpace: true},
	);
}

/** A container whose record cannot be read: end its processes, runtime state, cgroups and mounts by id, then delete it. */
async function removeDamaged(lc: Lifecycle, id: string): Promise<void> {
	await lc.store.withContainerLock(
		id,
		async () => {
			await lc.services.purge(id);
			await deleteContainer(lc, id, null);
			appendEvent(lc.layout, {subject: 'container', event: 'remove', id, name: null, attributes: {damaged: true}}, {hooks: []});
		},
		{proceedWithoutSpace: true},
	);
}
