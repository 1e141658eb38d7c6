// Persistent state: one JSON file per container plus an index of names, every mutation
// under a cross-process lock (fs/dir-lock.ts), every write atomic (fs/atomic-file.ts).
// One damaged file never breaks the rest: a damaged record is reported as that container's
// damage, and a damaged or lost index is rebuilt from the records.
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error} from './errors.js';
import {writeFileAtomic} from './fs/atomic-file.js';
import {type LockHeld, tryLock} from './fs/dir-lock.js';
import {containersDir, indexFile, type StorageLayout} from './paths.js';
import {type ContainerRecord, FORMAT_VERSION, parseRecord} from './record.js';

export {type ContainerRecord, FORMAT_VERSION} from './record.js';
export const TOMBSTONE_PREFIX = '.removed-';

interface IndexData {
	formatVersion: number;
	/** name → id */
	names: Record<string, string>;
}

/** What reading a container's state file found. */
export type RecordRead = {record: ContainerRecord} | {damaged: string; file: string} | null;

const ID_PATTERN = /^[0-9a-f]{64}$/;

/** Errors that mean the disk (or its quota) is full or read-only: acting must not depend on writing. */
export function isNoSpace(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException | null)?.code;
	return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS';
}

export class Store {
	/** The last index read, by the file's identity: `ps --json` resolves every container against it. */
	private indexCache: {stamp: string; names: Record<string, string>} | null = null;
	/** The records a listing read last, by their file's identity (inspectRecordCached). */
	private readonly recordCache = new Map<string, {stamp: RecordStamp; read: RecordRead}>();

	constructor(readonly layout: StorageLayout) {}

	/** The storage root is the owner's alone (docs/security.md). */
	ensureStorageRoot(): void {
		fs.mkdirSync(this.layout.storageDir, {recursive: true, mode: 0o700});
		fs.mkdirSync(containersDir(this.layout), {recursive: true, mode: 0o700});
	}

	/**
	 * name → id. Reads what conf wrote directly: reads are every command's hot path. A damaged
	 * index, or a lost one while container directories exist, is rebuilt from the records.
	 */
	readIndex(): Record<string, string> {
		// Every write replaces the file (a rename): a new inode, so an unchanged stamp is an unchanged index.
		const stat = fs.statSync(indexFile(this.layout), {bigint: true, throwIfNoEntry: false});
		const stamp = stat ? indexStamp(stat) : '';
		if (stat && this.indexCache?.stamp === stamp) return this.indexCache.names;
		let text: string;
		try {
			text = fs.readFileSync(indexFile(this.layout), 'utf8');
		} catch {
			return this.listContainerDirs().some((entry) => ID_PATTERN.test(entry)) ? this.namesFromRecords() : {};
		}
		let index: IndexData;
		try {
			index = JSON.parse(text) as IndexData;
		} catch {
			return this.namesFromRecords();
		}
		if (typeof index?.formatVersion !== 'number' || !isNameMap(index.names)) return this.namesFromRecords();
		checkFormat(index.formatVersion, indexFile(this.layout));
		// Frozen: a caller that changed the cached map would change every later read.
		this.indexCache = {stamp, names: Object.freeze(index.names)};
		return index.names;
	}

	/** The index as the records say it is: each readable record under its name, each damaged one under a stand-in. */
	namesFromRecords(): Record<string, string> {
		const names: Record<string, string> = {};
		for (const id of this.listContainerDirs()
			.filter((entry) => ID_PATTERN.test(entry))
			.sort()) {
			const read = this.inspectRecord(id);
			if (read === null) continue;
			const name = 'record' in read ? read.record.metadata.name : damagedName(id);
			if (names[name] === undefined) names[name] = id;
		}
		return names;
	}

	/** Whether the index file on disk is missing or damaged while containers exist (readIndex then rebuilds it in memory). */
	indexNeedsRepair(): boolean {
		// An index read whole and found sound, and unchanged since, needs no repair (and no second read).
		const stat = fs.statSync(indexFile(this.layout), {bigint: true, throwIfNoEntry: false});
		if (stat && this.indexCache?.stamp === indexStamp(stat)) return false;
		try {
			const index = JSON.parse(fs.readFileSync(indexFile(this.layout), 'utf8')) as IndexData;
			return typeof index?.formatVersion !== 'number' || !isNameMap(index.names);
		} catch {
			return this.listContainerDirs().some((entry) => ID_PATTERN.test(entry));
		}
	}

	async writeIndex(names: Record<string, string>): Promise<void> {
		this.ensureStorageRoot();
		writeFileAtomic(indexFile(this.layout), jsonText({formatVersion: FORMAT_VERSION, names} satisfies IndexData));
	}

	containerDir(id: string): string {
		return path.join(containersDir(this.layout), id);
	}

	recordFile(id: string): string {
		return path.join(this.containerDir(id), 'state.json');
	}

	/** Where a container's directory goes the moment it is removed. */
	tombstoneDir(id: string): string {
		return path.join(containersDir(this.layout), `${TOMBSTONE_PREFIX}${id}`);
	}

	/** What the container's state file holds: a record, damage (with the file named), or null when there is none. */
	inspectRecord(id: string): RecordRead {
		const file = this.recordFile(id);
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
			return {damaged: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, file};
		}
		let data: unknown;
		try {
			data = JSON.parse(text);
		} catch {
			return {damaged: text.trim() === '' ? 'is empty' : 'is not valid JSON', file};
		}
		const version = (data as {formatVersion?: unknown} | null)?.formatVersion;
		if (typeof version === 'number' && version > FORMAT_VERSION) {
			return {damaged: `was written by a newer c32 (format ${version}): upgrade c32`, file};
		}
		const parsed = parseRecord(data);
		if ('damaged' in parsed) return {damaged: `is damaged: ${parsed.damaged}`, file};
		if (parsed.metadata.id !== id) return {damaged: `belongs to another container (${parsed.metadata.id.slice(0, 12)})`, file};
		return {record: parsed};
	}

	/**
	 * inspectRecord for a listing, which reads every record on every tick of `c32 top`: a
	 * record whose file is unchanged (same inode, size and times; every write replaces the
	 * file) is not read and parsed again. Acting code reads with inspectRecord, under the lock.
	 */
	inspectRecordCached(id: string): RecordRead {
		// Not a bigint stat: it costs three times as much, and times to a fraction of a microsecond are enough.
		const stat = fs.statSync(this.recordFile(id), {throwIfNoEntry: false});
		if (!stat) {
			this.recordCache.delete(id);
			return null;
		}
		const stamp: RecordStamp = [stat.ino, stat.size, stat.mtimeMs, stat.ctimeMs];
		const cached = this.recordCache.get(id);
		if (cached && sameStamp(cached.stamp, stamp)) return cached.read;
		const read = this.inspectRecord(id);
		if (read === null || 'damaged' in read) this.recordCache.delete(id);
		// Frozen, its parts too: a caller that changed the cached record would change every later read.
		else this.recordCache.set(id, {stamp, read: {record: frozen(read.record)}});
		return read;
	}

	/** The container's record; null when it has none; DAMAGED_RECORD when its file cannot be used. */
	readRecord(id: string): ContainerRecord | null {
		const read = this.inspectRecord(id);
		if (read === null) return null;
		if ('damaged' in read) throw damagedError(id, read);
		return read.record;
	}

	async writeRecord(record: ContainerRecord): Promise<void> {
		this.ensureStorageRoot();
		const dir = this.containerDir(record.metadata.id);
		fs.mkdirSync(dir, {mode: 0o700, recursive: true});
		writeFileAtomic(this.recordFile(record.metadata.id), jsonText(record));
		this.recordCache.delete(record.metadata.id);
	}

	/** Names in the containers directory: ids, tombstones and anything else. */
	listContainerDirs(): string[] {
		try {
			return fs.readdirSync(containersDir(this.layout));
		} catch {
			return [];
		}
	}

	withIndexLock<T>(fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
		this.ensureStorageRoot();
		return withLock(indexFile(this.layout), fn, options);
	}

	withContainerLock<T>(id: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
		return withLock(this.recordFile(id), fn, options);
	}
}

/** A state file's identity: inode, size, modification and change times. */
type RecordStamp = [number, number, number, number];

const sameStamp = (a: RecordStamp, b: RecordStamp) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

const indexStamp = (stat: fs.BigIntStats) => `${stat.ino}:${stat.size}:${stat.mtimeNs}`;

/** The record and its parts (metadata, config, internal, and the objects right inside them), not every nested list: cheap enough for a listing. */
function frozen(record: ContainerRecord): ContainerRecord {
	for (const part of Object.values(record)) {
		if (typeof part !== 'object' || part === null) continue;
		for (const inner of Object.values(part)) if (typeof inner === 'object' && inner !== null) Object.freeze(inner);
		Object.freeze(part);
	}
	return Object.freeze(record);
}

const jsonText = (value: unknown) => `${JSON.stringify(value, null, '\t')}\n`;

export const damagedName = (id: string) => `damaged-${id.slice(0, 12)}`;

export function damagedError(id: string, read: {damaged: string; file: string}): C32Error {
	const fix = read.damaged.includes('upgrade c32') ? '' : `: remove the container with c32 rm -f ${id.slice(0, 12)}`;
	return new C32Error('DAMAGED_RECORD', `the state file ${read.file} ${read.damaged}${fix}`);
}

function isNameMap(value: unknown): value is Record<string, string> {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		Object.values(value).every((id) => typeof id === 'string' && ID_PATTERN.test(id))
	);
}

function checkFormat(version: number, where: string): void {
	if (version > FORMAT_VERSION) {
		throw new C32Error('UNSUPPORTED', `${where} was written by a newer c32 (format ${version}): upgrade c32`);
	}
}

export interface LockOptions {
	/** How long to wait for another holder; 0 fails at once with LOCK_BUSY. Default 10 s. */
	waitMs?: number;
	/**
	 * When the lock cannot be taken because the disk is full or read-only, run `fn` anyway:
	 * for stop, kill and remove, which must act even then (and say what they could not record).
	 */
	proceedWithoutSpace?: boolean;
}

const LOCK_WAIT_MS = 10_000;

/** Runs `fn` holding the lock of `file`, waiting for it up to `options.waitMs`. */
export async function withLock<T>(file: string, fn: () => Promise<T> | T, options: LockOptions): Promise<T> {
	let lock: LockHeld | null = null;
	const deadline = Date.now() + (options.waitMs ?? LOCK_WAIT_MS);
	// `fn` never runs within the caller's own synchronous code, as with a lock taken asynchronously.
	await null;
	for (let attempt = 0; ; attempt++) {
		try {
			lock = tryLock(file);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			// ENOENT with the directory still there: it was removed and made again meanwhile; try again.
			if (code === 'ENOENT' && !fs.existsSync(path.dirname(file))) {
				throw new C32Error('NOT_FOUND', `${path.dirname(file)} no longer exists: the container was removed`);
			}
			if (isNoSpace(error) && options.proceedWithoutSpace) break;
			if (isNoSpace(error)) {
				throw new C32Error('NO_SPACE', `cannot lock ${file}: ${(error as Error).message}; free space under ${path.dirname(file)}`);
			}
			if (code !== 'ENOENT') throw new C32Error('RUNTIME_ERROR', `cannot lock ${file}: ${(error as Error).message}`);
		}
		if (lock !== null) break;
		if (Date.now() >= deadline) {
			throw new C32Error(
				options.waitMs === 0 ? 'LOCK_BUSY' : 'LOCK_TIMEOUT',
				`${file} stayed locked by another c32 process for too long: try again`,
			);
		}
		await sleep(Math.min(50, 5 * 1.3 ** attempt));
	}
	try {
		return await fn();
	} finally {
		try {
			lock?.release();
		} catch {
			// Released already (its directory went with the container).
		}
	}
}
