// What every lifecycle step works with: the storage layout, the store, the host services
// (drivers, attachments, metrics) and the debug log for failures that must not stop a step.
import type {DebugLog} from '../debug-log.js';
import type {DriverContext} from '../drivers/driver.js';
import {C32Error} from '../errors.js';
import {appendEvent} from '../events/log.js';
import {transitionEvents} from '../events/transitions.js';
import {cgroupPathFor, containerPaths, type StorageLayout} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import type {EngineServices} from '../services.js';
import {isNoSpace, type Store} from '../store.js';
import {mainProcess} from './observe.js';

export interface Lifecycle {
	readonly layout: StorageLayout;
	readonly store: Store;
	readonly services: EngineServices;
	readonly log: DebugLog;
}

export function driverContext(lc: Lifecycle, record: ContainerRecord): DriverContext {
	return {
		id: record.metadata.id,
		config: record.config,
		paths: containerPaths(lc.layout, record.metadata.id),
		imageDir: record.internal.imageDir,
		cgroupPath: cgroupPathFor(record.metadata.id),
		network: record.internal.network,
		additionalNetworks: record.internal.additionalNetworks,
		// A paused container's signals are runc's to send: it thaws what it kills.
		mainProcess: record.metadata.state === 'running' ? mainProcess(record) : null,
	};
}

export const now = () => new Date().toISOString();

/** The container's record; NOT_FOUND when it was removed, DAMAGED_RECORD when its file is unusable. */
export function readExisting(lc: Lifecycle, id: string): ContainerRecord {
	const record = lc.store.readRecord(id);
	if (!record) throw new C32Error('NOT_FOUND', `no such container: ${id} (it was removed)`);
	return record;
}

/**
 * Writes the record; a full disk becomes a NO_SPACE error that names the storage root. Every
 * change of a container's record goes through here, so here its events are recorded: once,
 * after the change is saved (the caller holds the lock, so the file holds the state before).
 */
export async function save(lc: Lifecycle, record: ContainerRecord): Promise<void> {
	const read = lc.store.inspectRecord(record.metadata.id);
	const before = read !== null && 'record' in read ? read.record : null;
	try {
		await lc.store.writeRecord(record);
		for (const event of transitionEvents(before, record)) appendEvent(lc.layout, event, {hooks: record.config.hooks});
	} catch (error) {
		if (isNoSpace(error)) {
			throw new C32Error(
				'NO_SPACE',
				`cannot save the state of ${record.metadata.name}: ${(error as Error).message}; free space under ${lc.layout.storageDir}`,
			);
		}
		throw error;
	}
}

/** Writes the record when it can; a failure is logged and returned, never thrown. */
export async function trySave(lc: Lifecycle, record: ContainerRecord, what: string): Promise<unknown> {
	try {
		await save(lc, record);
		return null;
	} catch (error) {
		lc.log(`${what} ${record.metadata.id.slice(0, 12)}: not saved`, error);
		return error;
	}
}
