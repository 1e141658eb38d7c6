// The index of names: resolving references, listing every container (a damaged one as one
// damaged entry), renaming, and clearing what a killed c32 left. The index is a cache of
// the records: when it is damaged or lost it is rebuilt from them, and a directory that
// holds a readable record is never deleted.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {metadataWithHealth} from '../health/state.js';
import {byCodeUnit} from '../order.js';
import {containerPaths} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import {damagedError, damagedName, TOMBSTONE_PREFIX} from '../store.js';
import type {ContainerMetadata} from '../types.js';
import {type Lifecycle, readExisting, trySave} from './context.js';
import {reconcile, settledRecord} from './reconcile.js';
import {isLive, renamed} from './transitions.js';

/** A container directory that no index entry names, holds no state file and is older than this was left by a crashed create. */
const ORPHAN_AGE_MS = 60_000;

/** The ids of an index map; the store hands out one frozen map while the index is unchanged, so this is built once per index. */
const idsOfIndex = new WeakMap<Record<string, string>, {list: string[]; set: Set<string>}>();

function idsOf(names: Record<string, string>): {list: string[]; set: Set<string>} {
	let ids = idsOfIndex.get(names);
	if (!ids) {
		const list = Object.values(names);
		ids = {list, set: new Set(list)};
		if (Object.isFrozen(names)) idsOfIndex.set(names, ids);
	}
	return ids;
}

/** Resolves a name, a full id or a unique id prefix to an id. */
export function resolveRef(ref: string, names: Record<string, string>): string {
	if (typeof ref !== 'string' || ref === '') throw new C32Error('NOT_FOUND', 'no container given: name a container or an id');
	const byName = names[ref];
	if (byName) return byName;
	// A listing resolves every container it shows by its id: a lookup, not a scan of the index.
	const {list: ids, set} = idsOf(names);
	if (set.has(ref)) return ref;
	const matches = /^[0-9a-f]+$/.test(ref) ? ids.filter((id) => id.startsWith(ref)) : [];
	if (matches.length === 1) return matches[0]!;
	if (matches.length > 1) {
		throw new C32Error('AMBIGUOUS_REF', `${JSON.stringify(ref)} matches ${matches.length} containers: give more of the id or the name`);
	}
	throw new C32Error('NOT_FOUND', `no such container: ${ref} (see c32 ps -a)`);
}

/** One listed container: its metadata, and its record unless that is damaged. */
export interface Listed {
	metadata: ContainerMetadata;
	record: ContainerRecord | null;
}

/** Every container, reconciled, oldest first; damaged ones as metadata that says so. */
export async function listAll(lc: Lifecycle): Promise<Listed[]> {
	const names = lc.store.readIndex();
	if (lc.store.indexNeedsRepair()) await repairIndex(lc);
	const byId = new Map(Object.entries(names).map(([name, id]) => [id, name]));
	const list: Listed[] = [];
	const vanished: string[] = [];
	for (const [id, name] of byId) {
		const read = lc.store.inspectRecordCached(id);
		if (read === null) {
			vanished.push(id);
			continue;
		}
		if ('damaged' in read) {
			list.push({metadata: damagedMetadata(lc, id, name, damagedError(id, read).message), record: null});
			continue;
		}
		try {
			const record = settledRecord(lc, id, read.record) ?? (await reconcile(lc, id, read.record));
			const metadata =
				record.config.healthcheck === null ? record.metadata : metadataWithHealth(record, containerPaths(lc.layout, id).userdata);
			list.push({metadata, record});
		} catch (error) {
			if (!(error instanceof C32Error && error.code === 'NOT_FOUND')) throw error;
			vanished.push(id);
		}
	}
	await collectLeftovers(lc, new Set(byId.keys()), vanished);
	return list.sort((a, b) => byCodeUnit(a.metadata.createdAt, b.metadata.createdAt));
}

/** The metadata of a container whose state file cannot be read: enough to see it and remove it. */
export function damagedMetadata(lc: Lifecycle, id: string, name: string, message: string): ContainerMetadata {
	let createdAt = new Date(0).toISOString();
	try {
		createdAt = fs.statSync(lc.store.containerDir(id)).birthtime.toISOString();
	} catch {
		// removed meanwhile
	}
	return {
		id,
		name,
		state: 'damaged',
		pid: null,
		exitCode: null,
		oomKilled: false,
		errorMessage: message,
		image: null,
		isolationLevel: 'standard',
		runtime: '',
		createdAt,
		startedAt: null,
		finishedAt: null,
		restartCount: 0,
		nextRestartAt: null,
		stopRequested: false,
		labels: {},
	};
}

/** Writes the index the records imply, when the one on disk is damaged or lost. */
async function repairIndex(lc: Lifecycle): Promise<void> {
	await lc.store
		.withIndexLock(async () => {
			if (lc.store.indexNeedsRepair()) await lc.store.writeIndex(lc.store.namesFromRecords());
		})
		.catch((error) => lc.log('index repair', error));
}

/**
 * Clears what a killed c32 left: tombstones and index entries of interrupted removes, and
 * directories of creates that never wrote a state file (after a grace period, as a create in
 * flight writes its directory first). A directory with a state file but no index entry is
 * added to the index instead.
 */
async function collectLeftovers(lc: Lifecycle, indexed: Set<string>, vanished: string[]): Promise<void> {
	const strays: string[] = [];
	const parent = path.dirname(lc.store.containerDir('-'));
	for (const entry of lc.store.listContainerDirs()) {
		// Nearly every entry is an indexed container, with nothing to do: the path is made only for the others.
		if (indexed.has(entry)) continue;
		const dir = path.join(parent, entry);
		try {
			if (entry.startsWith(TOMBSTONE_PREFIX)) fs.rmSync(dir, {recursive: true, force: true});
			else if (lc.store.inspectRecord(entry) !== null) strays.push(entry);
			else if (Date.now() - fs.statSync(dir).mtimeMs > ORPHAN_AGE_MS) fs.rmSync(dir, {recursive: true, force: true});
		} catch (error) {
			lc.log(`leftover ${entry}`, error); // removed meanwhile by another process, most likely
		}
	}
	if (vanished.length === 0 && strays.length === 0) return;
	await lc.store
		.withIndexLock(async () => {
			const names = lc.store.readIndex();
			const kept = Object.fromEntries(
				Object.entries(names).filter(([, id]) => !vanished.includes(id) || lc.store.inspectRecord(id) !== null),
			);
			const known = new Set(Object.values(kept));
			for (const id of strays) {
				const read = lc.store.inspectRecord(id);
				if (read === null || known.has(id)) continue;
				const name = 'record' in read ? read.record.metadata.name : damagedName(id);
				// A create in flight holds this lock until its entry is written, so a stray seen here is not one.
				if (kept[name] === undefined) kept[name] = id;
			}
			if (JSON.stringify(kept) !== JSON.stringify(names)) await lc.store.writeIndex(kept);
		})
		.catch((error) => lc.log('index clean-up', error));
}

export async function rename(lc: Lifecycle, id: string, newName: string): Promise<ContainerRecord> {
	if (typeof newName !== 'string') throw new C32Error('INVALID_CONFIG', 'the new name must be a string');
	// Config validation loads only for the commands that need it (start-up time).
	(await import('../config.js')).validateName(newName);
	return lc.store.withContainerLock(id, () =>
		lc.store.withIndexLock(async () => {
			const record = readExisting(lc, id);
			if (record.metadata.name === newName) return record;
			const names = lc.store.readIndex();
			const holder = names[newName];
			if (holder && holder !== id && lc.store.inspectRecord(holder) !== null) {
				throw new C32Error(
					'NAME_IN_USE',
					`the name ${JSON.stringify(newName)} is already in use: remove that container or pick another name`,
				);
			}
			const next = renamed(record, newName);
			const error = await trySave(lc, next, 'rename');
			if (error) throw error;
			const updated = Object.fromEntries(Object.entries(names).filter(([, holderId]) => holderId !== id));
			await lc.store.writeIndex({...updated, [newName]: id});
			if (isLive(next) && next.internal.network !== null)
				await renameOnNetworks(lc, next).catch((error) => lc.log('rename on the networks', error));
			return next;
		}),
	);
}

/** A running container's new name reaches the hosts files of its peers on every network at once, not at its next start. */
async function renameOnNetworks(lc: Lifecycle, record: ContainerRecord): Promise<void> {
	const {namesOf, renameMember} = await import('../network/names.js');
	const {config} = record;
	const aliasesOn = (network: string) =>
		network === config.network ? config.networkAliases : (config.additionalNetworks.find((link) => link.name === network)?.aliases ?? []);
	await renameMember(lc.layout, record.metadata.id, (network) => namesOf(config, aliasesOn(network)));
}
