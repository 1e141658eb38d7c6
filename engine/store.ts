// Persistent state: one conf store per container plus an index of names, every mutation
// under a cross-process lock (proper-lockfile), every write atomic (conf writes atomically).
import fs from 'node:fs';
import path from 'node:path';
import type Conf from 'conf';
import {setTimeout as sleep} from 'node:timers/promises';
import type lockfileModule from 'proper-lockfile';
import {C32Error} from './errors.js';
import {containersDir, indexFile, type StorageLayout} from './paths.js';
import type {ContainerMetadata, ResolvedConfig} from './types.js';

export const FORMAT_VERSION = 1;
export const TOMBSTONE_PREFIX = '.removed-';

/** Engine bookkeeping that is not part of the public metadata. */
export interface InternalState {
	imageDir: string | null;
	/** /proc/sys/kernel/random/boot_id when the container was last started. */
	bootId: string | null;
	monitorPid: number | null;
	/** Start time (clock ticks since boot) of the main process, to tell a reused pid apart. */
	pidStartTime: number | null;
	/** Incremented on every start, so a delayed restart can tell it has been overtaken. */
	generation: number;
	backoffAttempt: number;
	restartsSinceStart: number;
	nextRestartAt: string | null;
	/** Set while a start is under way; still set under a free lock means the starter died. */
	startingAt?: string | null;
}

export interface ContainerRecord {
	formatVersion: number;
	metadata: ContainerMetadata;
	config: ResolvedConfig;
	internal: InternalState;
}

interface IndexData {
	formatVersion: number;
	/** name → id */
	names: Record<string, string>;
}

const LOCK_OPTIONS = {
	realpath: false,
	stale: 5000,
	update: 1000,
	retries: 0,
	onCompromised: () => {},
};

// conf (with its schema validator) costs ~100 ms to load: only commands that write pay it.
let confClass: Promise<typeof Conf> | undefined;
const loadConf = () => (confClass ??= import('conf').then((m) => m.default));

export class Store {
	constructor(readonly layout: StorageLayout) {}

	// conf reads its file on every access, so one instance per file serves every process's
	// changes; building one re-reads and re-validates the file, so it is done once.
	private index: Conf<IndexData> | undefined;
	private readonly records = new Map<string, Conf<ContainerRecord>>();

	private async indexConf(): Promise<Conf<IndexData>> {
		if (this.index) return this.index;
		const Conf = await loadConf();
		return (this.index = new Conf<IndexData>({
			cwd: this.layout.storageDir,
			configName: 'index',
			configFileMode: 0o600,
			accessPropertiesByDotNotation: false,
		}));
	}

	/** Reads what conf wrote directly: reads are every command's hot path. */
	readIndex(): Record<string, string> {
		let text: string;
		try {
			text = fs.readFileSync(indexFile(this.layout), 'utf8');
		} catch {
			return {};
		}
		const index = JSON.parse(text) as IndexData;
		checkFormat(index.formatVersion, this.layout.storageDir);
		return index.names ?? {};
	}

	async writeIndex(names: Record<string, string>): Promise<void> {
		(await this.indexConf()).store = {formatVersion: FORMAT_VERSION, names};
	}

	containerDir(id: string): string {
		return path.join(containersDir(this.layout), id);
	}

	/** Where a container's directory goes the moment it is removed. */
	tombstoneDir(id: string): string {
		return path.join(containersDir(this.layout), `${TOMBSTONE_PREFIX}${id}`);
	}

	private async recordConf(id: string): Promise<Conf<ContainerRecord>> {
		const cached = this.records.get(id);
		if (cached) return cached;
		const Conf = await loadConf();
		const conf = new Conf<ContainerRecord>({
			cwd: this.containerDir(id),
			configName: 'state',
			configFileMode: 0o600,
			accessPropertiesByDotNotation: false,
		});
		this.records.set(id, conf);
		return conf;
	}

	/** Forgets a removed container's store. */
	forget(id: string): void {
		this.records.delete(id);
	}

	readRecord(id: string): ContainerRecord | null {
		const file = path.join(this.containerDir(id), 'state.json');
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch {
			return null;
		}
		// Reading directly is conf's own read path without its directory side effects.
		const record = JSON.parse(text) as ContainerRecord;
		checkFormat(record.formatVersion, file);
		return record;
	}

	async writeRecord(record: ContainerRecord): Promise<void> {
		(await this.recordConf(record.metadata.id)).store = record;
	}

	/** Ids of every container directory on disk, indexed or not. */
	listContainerDirs(): string[] {
		try {
			return fs.readdirSync(containersDir(this.layout));
		} catch {
			return [];
		}
	}

	withIndexLock<T>(fn: () => Promise<T> | T): Promise<T> {
		fs.mkdirSync(this.layout.storageDir, {recursive: true, mode: 0o700});
		return withLock(indexFile(this.layout), fn);
	}

	withContainerLock<T>(id: string, fn: () => Promise<T> | T): Promise<T> {
		return withLock(path.join(this.containerDir(id), 'state.json'), fn);
	}
}

function checkFormat(version: number, where: string): void {
	if (version > FORMAT_VERSION) {
		throw new C32Error('UNSUPPORTED', `${where} was written by a newer c32 (format ${version}): upgrade c32`);
	}
}

const LOCK_WAIT_MS = 10_000;
// Loaded with the first lock: commands that only read never take one.
let lockfileModulePromise: Promise<typeof lockfileModule> | undefined;
const loadLockfile = () => (lockfileModulePromise ??= import('proper-lockfile').then((m) => m.default));

/**
 * Takes the lock with our own retry loop rather than proper-lockfile's, which retries every
 * error: a lock whose directory was removed (the container is gone) must fail at once.
 */
async function withLock<T>(file: string, fn: () => Promise<T> | T): Promise<T> {
	let release: () => Promise<void>;
	const deadline = Date.now() + LOCK_WAIT_MS;
	const lockfile = await loadLockfile();
	for (let attempt = 0; ; attempt++) {
		try {
			release = await lockfile.lock(file, LOCK_OPTIONS);
			break;
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') {
				throw new C32Error('NOT_FOUND', `${path.dirname(file)} no longer exists: the container was removed`);
			}
			if (code !== 'ELOCKED' || Date.now() > deadline) {
				throw new C32Error(
					'LOCK_TIMEOUT',
					`${file} stayed locked by another c32 process for too long: try again (a crashed process's lock expires in 5 s)`,
				);
			}
			await sleep(Math.min(50, 5 * 1.3 ** attempt));
		}
	}
	try {
		return await fn();
	} finally {
		await release().catch(() => {});
	}
}
