// ContainerEngine: the lifecycle of containers, on top of the store and the drivers.
// There is no daemon: every call reads the state, reconciles it with what really runs,
// acts, and writes it back under the container's lock.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {setTimeout as sleep} from 'node:timers/promises';
import type {Engine, HostStats, RemoveOptions, StopOptions} from './api.js';
import {resolveConfig, resolveSignal} from './config.js';
import type {Driver, DriverContext} from './drivers/driver.js';
import {C32Error} from './errors.js';
import {isProcessAlive, liveHostFacts, processStartTime, readBootId, readTrimmed} from './host-facts.js';
import {snapshotImage} from './image.js';
import {followLog, readLogEntries} from './logs.js';
import {containerUserOnHost, userNamespaceOf} from './oci/user-namespace.js';
import {cgroupPathFor, containerPaths, imagesDir, resolveStorage, type StorageLayout} from './paths.js';
import {backoffDelayMs, BACKOFF_RESET_AFTER_MS, shouldRestart} from './restart.js';
import {FORMAT_VERSION, Store, TOMBSTONE_PREFIX, type ContainerRecord} from './store.js';
import type {
	ContainerConfig,
	ContainerInfo,
	ContainerMetadata,
	ContainerMetrics,
	DoctorReport,
	ExportedState,
	LogEntry,
	LogOptions,
} from './types.js';

export interface EngineServices {
	/** The driver that runs a container of this record (OCI or process). */
	driverFor(record: ContainerRecord): Promise<Driver>;
	/** Throws RUNTIME_MISSING / MONITOR_MISSING when this isolation level cannot run here. */
	requireDriver(isolation: ContainerRecord['config']['isolationLevel']): Promise<void>;
	/** Checks host support for the limits (e.g. a block device for I/O throttling). */
	checkLimits(config: ContainerRecord['config']): Promise<void>;
	/** Whether this container's log writer truncates at the cap instead of rotating. */
	logTruncates(record: ContainerRecord): Promise<boolean>;
	metrics(records: ContainerRecord[], layout: StorageLayout): Promise<ContainerMetrics[]>;
	hostStats(): Promise<HostStats>;
	doctor(layout: StorageLayout): Promise<DoctorReport>;
}

const LIVE_STATES = new Set(['running', 'paused']);
const EXIT_SCRIPT = fileURLToPath(new URL('./on-exit.js', import.meta.url));
/** A container directory that no index entry names and that is older than this was left by a crashed create. */
const ORPHAN_AGE_MS = 60_000;

export class ContainerEngine implements Engine {
	readonly layout: StorageLayout;
	private readonly store: Store;

	constructor(
		private readonly services: EngineServices,
		options: {storageDir?: string; runtimeDir?: string} = {},
	) {
		this.layout = resolveStorage(options);
		this.store = new Store(this.layout);
	}

	get storageDir(): string {
		return this.layout.storageDir;
	}

	// ---- references and records ------------------------------------------------------

	/** Resolves a name, a full id or a unique id prefix to an id. */
	resolveRef(ref: string, names: Record<string, string> = this.store.readIndex()): string {
		if (typeof ref !== 'string' || ref === '') throw new C32Error('NOT_FOUND', 'no container given: name a container or an id');
		const byName = names[ref];
		if (byName) return byName;
		const ids = Object.values(names);
		if (ids.includes(ref)) return ref;
		const matches = /^[0-9a-f]+$/.test(ref) ? ids.filter((id) => id.startsWith(ref)) : [];
		if (matches.length === 1) return matches[0]!;
		if (matches.length > 1) {
			throw new C32Error('AMBIGUOUS_REF', `${JSON.stringify(ref)} matches ${matches.length} containers: give more of the id or the name`);
		}
		throw new C32Error('NOT_FOUND', `no such container: ${ref} (see c32 ps -a)`);
	}

	private readExisting(id: string): ContainerRecord {
		const record = this.store.readRecord(id);
		if (!record) throw new C32Error('NOT_FOUND', `no such container: ${id} (it was removed)`);
		return record;
	}

	private context(record: ContainerRecord): DriverContext {
		return {
			id: record.metadata.id,
			config: record.config,
			paths: containerPaths(this.layout, record.metadata.id),
			imageDir: record.internal.imageDir,
			cgroupPath: cgroupPathFor(record.metadata.id),
		};
	}

	/** Whether a container recorded as running or paused has in fact ended. Cheap: no exceptions, no writes. */
	private hasEnded(record: ContainerRecord): boolean {
		const {metadata: meta, internal} = record;
		if (!LIVE_STATES.has(meta.state)) return false;
		if (fs.statSync(containerPaths(this.layout, meta.id).exitFile, {throwIfNoEntry: false})) return true;
		if (internal.bootId !== null && internal.bootId !== readBootId()) return true;
		if (meta.pid !== null && isProcessAlive(meta.pid, internal.pidStartTime)) return false;
		// The main process is gone; its monitor may still be writing the exit file.
		return internal.monitorPid === null || !isProcessAlive(internal.monitorPid, null);
	}

	/** Records the end of a container that hasEnded. Returns whether it changed anything. */
	private observe(record: ContainerRecord): boolean {
		if (!this.hasEnded(record)) return false;
		const meta = record.metadata;
		const paths = containerPaths(this.layout, meta.id);
		const exitText = readTrimmed(paths.exitFile);
		const bootChanged = record.internal.bootId !== null && record.internal.bootId !== readBootId();
		const code = exitText === null ? null : Number.parseInt(exitText, 10);
		meta.exitCode = Number.isNaN(code) ? null : code;
		meta.oomKilled = fs.existsSync(paths.oomFile);
		meta.finishedAt = exitText === null ? new Date().toISOString() : fs.statSync(paths.exitFile).mtime.toISOString();
		meta.pid = null;
		if (exitText !== null) {
			meta.state = meta.stopRequested ? 'stopped' : 'exited';
		} else if (bootChanged) {
			meta.state = 'exited';
			meta.errorMessage = 'the host rebooted while the container ran';
		} else {
			meta.state = meta.stopRequested ? 'stopped' : 'failed';
			meta.errorMessage = 'the container and its monitor ended without recording an exit code';
		}
		// monitorPid stays: the monitor lives on while the exit command applies the restart policy.
		return true;
	}

	/** Reads a record and, when reality moved on, records that under the lock. */
	private async reconcile(id: string): Promise<ContainerRecord> {
		const record = this.readExisting(id);
		if (!record.internal.startingAt && !this.hasEnded(record)) return record;
		return this.store.withContainerLock(id, () => this.reconcileLocked(id));
	}

	private async reconcileLocked(id: string): Promise<ContainerRecord> {
		const record = this.readExisting(id);
		if (record.internal.startingAt) {
			// We hold the lock, so the process that was starting this container is gone.
			const driver = await this.services.driverFor(record);
			await driver.signal(this.context(record), 'SIGKILL', true).catch(() => {});
			await driver.cleanup(this.context(record)).catch(() => {});
			const meta = record.metadata;
			Object.assign(meta, {state: 'failed', pid: null, finishedAt: new Date().toISOString()});
			meta.errorMessage = 'c32 was interrupted while starting the container: start it again';
			record.internal.startingAt = null;
			record.internal.monitorPid = null;
			await this.store.writeRecord(record);
			return record;
		}
		if (this.observe(record)) {
			const driver = await this.services.driverFor(record);
			await driver.cleanup(this.context(record)).catch(() => {});
			await this.store.writeRecord(record);
		}
		return record;
	}

	// ---- create ------------------------------------------------------------------------

	async createContainer(input: ContainerConfig): Promise<ContainerMetadata> {
		const id = randomBytes(32).toString('hex');
		const config = resolveConfig(input, defaultName(input, id), liveHostFacts());
		await this.services.requireDriver(config.isolationLevel);
		await this.services.checkLimits(config);

		const imageDir = config.image === null ? null : snapshotImage(imagesDir(this.layout), config.image, containerUserOnHost(config));
		const now = new Date().toISOString();
		const record: ContainerRecord = {
			formatVersion: FORMAT_VERSION,
			metadata: {
				id,
				name: config.name,
				state: 'created',
				pid: null,
				exitCode: null,
				oomKilled: false,
				errorMessage: null,
				image: config.image,
				isolationLevel: config.isolationLevel,
				runtime: '',
				createdAt: now,
				startedAt: null,
				finishedAt: null,
				restartCount: 0,
				stopRequested: false,
				labels: config.labels,
			},
			config,
			internal: {
				imageDir,
				bootId: null,
				monitorPid: null,
				pidStartTime: null,
				generation: 0,
				backoffAttempt: 0,
				restartsSinceStart: 0,
				nextRestartAt: null,
			},
		};
		record.metadata.runtime = (await this.services.driverFor(record)).name;

		return this.store.withIndexLock(async () => {
			const names = this.store.readIndex();
			const holder = names[config.name];
			// An entry whose directory is gone is the rest of an interrupted remove.
			if (holder && this.store.readRecord(holder) !== null) {
				this.collectImage(imageDir, names);
				throw new C32Error('NAME_IN_USE', `the name ${JSON.stringify(config.name)} is already in use: remove that container or pick another name`);
			}
			try {
				await this.store.writeRecord(record);
				await this.store.writeIndex({...names, [config.name]: id});
			} catch (error) {
				fs.rmSync(this.store.containerDir(id), {recursive: true, force: true});
				this.collectImage(imageDir, names);
				throw error;
			}
			return record.metadata;
		});
	}

	/** Removes an image snapshot no container in `names` uses. Call under the index lock. */
	private collectImage(imageDir: string | null, names: Record<string, string>): void {
		if (imageDir === null) return;
		const inUse = Object.values(names).some((id) => this.store.readRecord(id)?.internal.imageDir === imageDir);
		if (!inUse) fs.rmSync(imageDir, {recursive: true, force: true});
	}

	// ---- start -------------------------------------------------------------------------

	async startContainer(ref: string): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		return this.store.withContainerLock(id, async () => {
			const record = await this.reconcileLocked(id);
			if (LIVE_STATES.has(record.metadata.state)) {
				throw new C32Error('BAD_STATE', `container ${record.metadata.name} is already ${record.metadata.state}`);
			}
			record.metadata.stopRequested = false;
			record.internal.restartsSinceStart = 0;
			record.internal.backoffAttempt = 0;
			await this.launch(record);
			return record.metadata;
		});
	}

	/** Starts the container of a locked record and stores the outcome. */
	private async launch(record: ContainerRecord): Promise<void> {
		const ctx = this.context(record);
		const driver = await this.services.driverFor(record);
		const meta = record.metadata;
		fs.mkdirSync(ctx.paths.userdata, {recursive: true, mode: 0o700});
		for (const file of [ctx.paths.exitFile, ctx.paths.oomFile]) fs.rmSync(file, {force: true});
		record.internal.generation += 1;
		record.internal.nextRestartAt = null;
		meta.runtime = driver.name;
		meta.exitCode = null;
		meta.oomKilled = false;
		meta.errorMessage = null;
		record.internal.startingAt = new Date().toISOString();
		await this.store.writeRecord(record);
		try {
			const {pid, monitorPid} = await driver.start(ctx, this.exitCommand(meta.id));
			record.internal.startingAt = null;
			meta.state = 'running';
			meta.pid = pid;
			meta.startedAt = new Date().toISOString();
			meta.finishedAt = null;
			record.internal.monitorPid = monitorPid;
			record.internal.pidStartTime = processStartTime(pid);
			record.internal.bootId = readBootId();
			await this.store.writeRecord(record);
		} catch (error) {
			record.internal.startingAt = null;
			meta.state = 'failed';
			meta.pid = null;
			meta.finishedAt = new Date().toISOString();
			meta.errorMessage = error instanceof Error ? error.message : String(error);
			meta.exitCode = exitCodeForStartError(meta.errorMessage);
			await this.store.writeRecord(record);
			throw error;
		}
	}

	private exitCommand(id: string): string[] {
		return [process.execPath, EXIT_SCRIPT, this.layout.storageDir, this.layout.runtimeDir, id];
	}

	// ---- exit and restart (run by the monitor's exit command) ----------------------------

	/** Records an exit and applies the restart policy. Runs in the monitor's exit command. */
	async handleExit(id: string): Promise<void> {
		let plan: {generation: number; delayMs: number} | null = null;
		let removeAfter = false;
		await this.store.withContainerLock(id, async () => {
			const record = await this.reconcileLocked(id).catch(() => null);
			if (!record || LIVE_STATES.has(record.metadata.state)) return;
			const {metadata: meta, internal} = record;
			const restart = shouldRestart(record.config.restartPolicy, {
				exitCode: meta.exitCode ?? -1,
				stopRequested: meta.stopRequested,
				restartsSinceStart: internal.restartsSinceStart,
			});
			if (!restart || meta.state === 'failed') {
				removeAfter = record.config.autoRemove;
				return;
			}
			const uptime = Date.parse(meta.finishedAt ?? '') - Date.parse(meta.startedAt ?? '');
			if (uptime >= BACKOFF_RESET_AFTER_MS) internal.backoffAttempt = 0;
			const delayMs = backoffDelayMs(internal.backoffAttempt);
			internal.backoffAttempt += 1;
			internal.nextRestartAt = new Date(Date.now() + delayMs).toISOString();
			await this.store.writeRecord(record);
			plan = {generation: internal.generation, delayMs};
		});
		if (removeAfter) await this.removeContainer(id).catch(() => {});
		if (plan === null) return;
		const {generation, delayMs} = plan;
		await sleep(delayMs);
		await this.store.withContainerLock(id, async () => {
			const record = this.store.readRecord(id);
			if (!record) return;
			const meta = record.metadata;
			// A user stop, start or remove during the wait wins over this restart.
			if (meta.stopRequested || record.internal.generation !== generation || meta.state !== 'exited') return;
			meta.restartCount += 1;
			record.internal.restartsSinceStart += 1;
			await this.launch(record).catch(() => {});
		});
	}

	// ---- stop, kill, restart, pause ------------------------------------------------------

	async stopContainer(ref: string, options: StopOptions = {}): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		const record = await this.store.withContainerLock(id, async () => {
			const locked = await this.reconcileLocked(id);
			locked.metadata.stopRequested = true;
			// An exit whose restart is pending (or about to be planned by the exit command)
			// becomes a user stop: the restart will not happen.
			const restartDue =
				locked.metadata.state === 'exited' &&
				(locked.internal.nextRestartAt !== null ||
					shouldRestart(locked.config.restartPolicy, {
						exitCode: locked.metadata.exitCode ?? -1,
						stopRequested: false,
						restartsSinceStart: locked.internal.restartsSinceStart,
					}));
			if (restartDue) {
				locked.metadata.state = 'stopped';
				locked.internal.nextRestartAt = null;
			}
			await this.store.writeRecord(locked);
			return locked;
		});
		if (LIVE_STATES.has(record.metadata.state)) {
			const timeout = options.timeout ?? record.config.stopTimeout;
			await this.terminate(record, record.config.stopSignal, timeout);
		}
		return (await this.reconcile(id)).metadata;
	}

	/** Sends the stop signal, waits up to `timeoutSeconds`, then kills every process of the container. */
	private async terminate(record: ContainerRecord, signal: string, timeoutSeconds: number): Promise<void> {
		const driver = await this.services.driverFor(record);
		const ctx = this.context(record);
		if (timeoutSeconds > 0) {
			await driver.signal(ctx, signal, false).catch(() => {});
			if (record.metadata.state === 'paused') await driver.resume(ctx).catch(() => {});
			if (await waitForFile(ctx.paths.exitFile, timeoutSeconds * 1000)) return;
		}
		await driver.signal(ctx, 'SIGKILL', true).catch(() => {});
		if (record.metadata.state === 'paused') await driver.resume(ctx).catch(() => {});
		if (!(await waitForFile(ctx.paths.exitFile, 10_000))) {
			throw new C32Error('RUNTIME_ERROR', `container ${record.metadata.name} did not exit after SIGKILL: check the host (c32 doctor)`);
		}
	}

	async killContainer(ref: string, signal = 'SIGKILL'): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		const name = resolveSignal(signal);
		const record = await this.reconcile(id);
		if (!LIVE_STATES.has(record.metadata.state)) {
			throw new C32Error('BAD_STATE', `container ${record.metadata.name} is ${record.metadata.state}, not running: nothing to signal`);
		}
		await (await this.services.driverFor(record)).signal(this.context(record), name, name === 'SIGKILL');
		if (name === 'SIGKILL') await waitForFile(this.context(record).paths.exitFile, 10_000);
		return (await this.reconcile(id)).metadata;
	}

	async restartContainer(ref: string, options: StopOptions = {}): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		const record = await this.reconcile(id);
		if (LIVE_STATES.has(record.metadata.state)) await this.stopContainer(id, options);
		return this.startContainer(id);
	}

	async pauseContainer(ref: string): Promise<ContainerMetadata> {
		return this.freeze(ref, true);
	}

	async resumeContainer(ref: string): Promise<ContainerMetadata> {
		return this.freeze(ref, false);
	}

	private async freeze(ref: string, pause: boolean): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		return this.store.withContainerLock(id, async () => {
			const record = await this.reconcileLocked(id);
			const meta = record.metadata;
			const from = pause ? 'running' : 'paused';
			if (meta.state !== from) {
				throw new C32Error(
					'BAD_STATE',
					`container ${meta.name} is ${meta.state}: only a ${from} container can be ${pause ? 'paused' : 'resumed'}`,
				);
			}
			const driver = await this.services.driverFor(record);
			await (pause ? driver.pause(this.context(record)) : driver.resume(this.context(record)));
			meta.state = pause ? 'paused' : 'running';
			await this.store.writeRecord(record);
			return meta;
		});
	}

	// ---- remove ------------------------------------------------------------------------

	async removeContainer(ref: string, options: RemoveOptions = {}): Promise<void> {
		const id = this.resolveRef(ref);
		let record = await this.reconcile(id);
		if (LIVE_STATES.has(record.metadata.state)) {
			if (!options.force) {
				throw new C32Error(
					'BAD_STATE',
					`container ${record.metadata.name} is ${record.metadata.state}: stop it first, or remove with force (c32 rm -f)`,
				);
			}
			await this.store.withContainerLock(id, async () => {
				const locked = this.readExisting(id);
				locked.metadata.stopRequested = true;
				await this.store.writeRecord(locked);
			});
			await this.terminate(record, 'SIGKILL', 0);
			record = await this.reconcile(id);
		}
		await this.store.withContainerLock(id, async () => {
			const locked = await this.reconcileLocked(id);
			await (await this.services.driverFor(locked)).cleanup(this.context(locked));
			await this.store.withIndexLock(async () => {
				// Renaming first makes the removal atomic: a c32 killed after it leaves a
				// tombstone and an index entry without a directory, both cleared by the next list.
				const tombstone = this.store.tombstoneDir(id);
				fs.renameSync(this.store.containerDir(id), tombstone);
				const names = this.store.readIndex();
				delete names[locked.metadata.name];
				await this.store.writeIndex(names);
				fs.rmSync(tombstone, {recursive: true, force: true});
				this.store.forget(id);
				this.collectImage(locked.internal.imageDir, names);
			});
		});
	}

	// ---- queries -----------------------------------------------------------------------

	async listContainers(): Promise<ContainerMetadata[]> {
		const names = this.store.readIndex();
		const ids = new Set(Object.values(names));
		const records: ContainerMetadata[] = [];
		const vanished: string[] = [];
		for (const id of ids) {
			try {
				records.push((await this.reconcile(id)).metadata);
			} catch (error) {
				if (!(error instanceof C32Error && error.code === 'NOT_FOUND')) throw error;
				vanished.push(id);
			}
		}
		await this.collectLeftovers(ids, vanished);
		return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
	}

	/**
	 * Clears what a killed c32 left: tombstones and index entries of interrupted removes,
	 * and directories of creates that never reached the index (after a grace period, as a
	 * create in flight writes its directory before its index entry).
	 */
	private async collectLeftovers(indexed: Set<string>, vanished: string[]): Promise<void> {
		if (vanished.length > 0) {
			await this.store.withIndexLock(async () => {
				const names = this.store.readIndex();
				const kept = Object.fromEntries(
					Object.entries(names).filter(([, id]) => !vanished.includes(id) || this.store.readRecord(id) !== null),
				);
				if (Object.keys(kept).length !== Object.keys(names).length) await this.store.writeIndex(kept);
			});
		}
		for (const entry of this.store.listContainerDirs()) {
			const dir = path.join(path.dirname(this.store.containerDir(entry)), entry);
			try {
				if (entry.startsWith(TOMBSTONE_PREFIX)) fs.rmSync(dir, {recursive: true, force: true});
				else if (!indexed.has(entry) && Date.now() - fs.statSync(dir).mtimeMs > ORPHAN_AGE_MS) {
					fs.rmSync(dir, {recursive: true, force: true});
				}
			} catch {
				// Removed meanwhile by another process.
			}
		}
	}

	async getContainer(ref: string): Promise<ContainerMetadata> {
		return (await this.reconcile(this.resolveRef(ref))).metadata;
	}

	async inspectContainer(ref: string): Promise<ContainerInfo> {
		const record = await this.reconcile(this.resolveRef(ref));
		const paths = containerPaths(this.layout, record.metadata.id);
		return {
			...record.metadata,
			config: record.config,
			paths: {bundle: paths.bundle, log: paths.log},
			userNamespace: userNamespaceOf(record.config),
		};
	}

	async getContainerMetrics(ref: string): Promise<ContainerMetrics> {
		const record = await this.reconcile(this.resolveRef(ref));
		if (!LIVE_STATES.has(record.metadata.state)) {
			throw new C32Error('BAD_STATE', `container ${record.metadata.name} is ${record.metadata.state}: metrics exist only while it runs`);
		}
		const [metrics] = await this.services.metrics([record], this.layout);
		if (!metrics) throw new C32Error('BAD_STATE', `container ${record.metadata.name} stopped while it was being measured`);
		return metrics;
	}

	async getMetricsBatch(refs?: string[]): Promise<ContainerMetrics[]> {
		const names = this.store.readIndex();
		const ids = refs
			? refs.flatMap((ref) => {
					try {
						return [this.resolveRef(ref, names)];
					} catch {
						return []; // removed meanwhile: a batch skips what is not running
					}
				})
			: Object.values(names);
		const live: ContainerRecord[] = [];
		for (const id of ids) {
			const record = this.store.readRecord(id);
			if (record && LIVE_STATES.has(record.metadata.state)) live.push(record);
		}
		return this.services.metrics(live, this.layout);
	}

	getHostStats(): Promise<HostStats> {
		return this.services.hostStats();
	}

	getLogs(ref: string, options: LogOptions & {signal?: AbortSignal} = {}): AsyncIterable<LogEntry> {
		const id = this.resolveRef(ref);
		return this.logEntries(this.readExisting(id), options);
	}

	private async *logEntries(record: ContainerRecord, options: LogOptions & {signal?: AbortSignal}): AsyncGenerator<LogEntry> {
		const id = record.metadata.id;
		const log = containerPaths(this.layout, id).log;
		const truncatingWriter = await this.services.logTruncates(record);
		if (!options.follow) {
			yield* readLogEntries(log, {...options, truncatingWriter});
			return;
		}
		yield* followLog(log, {
			...options,
			truncatingWriter,
			isLive: async () => {
				const current = await this.reconcile(id).catch(() => null);
				if (!current) return false;
				if (LIVE_STATES.has(current.metadata.state) || current.internal.nextRestartAt) return true;
				// The monitor waits for its exit command, which may be about to restart the container.
				const monitor = current.internal.monitorPid;
				return monitor !== null && isProcessAlive(monitor, null);
			},
		});
	}

	async waitContainer(ref: string): Promise<number> {
		const id = this.resolveRef(ref);
		for (;;) {
			const record = await this.reconcile(id);
			if (!LIVE_STATES.has(record.metadata.state)) return record.metadata.exitCode ?? -1;
			await waitForFile(containerPaths(this.layout, id).exitFile, 1000);
		}
	}

	async exportContainerState(ref: string): Promise<ExportedState> {
		const record = await this.reconcile(this.resolveRef(ref));
		return {formatVersion: FORMAT_VERSION, exportedAt: new Date().toISOString(), metadata: record.metadata, config: record.config};
	}

	async importContainerState(state: ExportedState): Promise<ContainerMetadata> {
		if (!state || typeof state !== 'object' || !state.config || typeof state.config !== 'object') {
			throw new C32Error('INVALID_CONFIG', 'not a c32 export: expected an object with formatVersion, metadata and config');
		}
		if (typeof state.formatVersion !== 'number' || state.formatVersion > FORMAT_VERSION) {
			throw new C32Error('UNSUPPORTED', `export format ${String(state.formatVersion)} is not supported by this c32: upgrade c32`);
		}
		const c = state.config;
		return this.createContainer({
			name: c.name,
			image: c.image ?? undefined,
			entrypoint: c.entrypoint,
			args: c.args,
			environment: c.environment,
			volumes: c.volumes,
			resourceLimits: c.resourceLimits,
			isolationLevel: c.isolationLevel,
			labels: c.labels,
			restartPolicy: c.restartPolicy,
			workingDir: c.workingDir,
			user: c.user ? `${c.user.uid}:${c.user.gid}` : undefined,
			hostname: c.hostname,
			stopSignal: c.stopSignal,
			stopTimeout: c.stopTimeout,
			network: c.network,
			logSizeMax: c.logSizeMax,
			autoRemove: c.autoRemove,
		});
	}

	doctor(): Promise<DoctorReport> {
		return this.services.doctor(this.layout);
	}

	async cleanupAll(): Promise<void> {
		const containers = await this.listContainers();
		await Promise.all(
			containers.filter((c) => LIVE_STATES.has(c.state)).map((c) => this.stopContainer(c.id).catch(() => undefined)),
		);
	}
}

function defaultName(input: ContainerConfig, id: string): string {
	const base = input.image ? path.basename(input.image).replace(/\.[^.]*$/, '').replace(/[^a-zA-Z0-9_.-]/g, '') : '';
	return `${/^[a-zA-Z0-9]/.test(base) ? base.slice(0, 100) : 'c32'}-${id.slice(0, 6)}`;
}

/** docker's convention: 127 when the command is not found, 126 when it cannot be invoked. */
function exitCodeForStartError(message: string): number | null {
	if (/not found|no such file/i.test(message)) return 127;
	if (/permission denied|exec format/i.test(message)) return 126;
	return null;
}

/** Resolves true once `file` exists, false after `timeoutMs`. Watches its directory, with a slow poll as a safety net. */
export async function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
	if (fs.existsSync(file)) return true;
	const deadline = Date.now() + timeoutMs;
	const controller = new AbortController();
	let watcher: fs.FSWatcher | null = null;
	try {
		await new Promise<void>((resolve) => {
			const check = () => {
				if (fs.existsSync(file) || Date.now() >= deadline) resolve();
			};
			try {
				watcher = fs.watch(path.dirname(file), check);
				watcher.on('error', () => {});
			} catch {
				watcher = null;
			}
			const timer = setInterval(check, 50);
			controller.signal.addEventListener('abort', () => clearInterval(timer));
			setTimeout(resolve, timeoutMs).unref();
			check();
		});
	} finally {
		controller.abort();
		(watcher as fs.FSWatcher | null)?.close();
	}
	return fs.existsSync(file);
}
