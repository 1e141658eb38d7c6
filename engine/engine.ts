// ContainerEngine: the engine's façade. There is no daemon: every call resolves the
// reference, reads the state, reconciles it with what really runs, and hands the work to one
// lifecycle step (engine/lifecycle/), which acts and records under the container's lock.
import fs from 'node:fs';
import path from 'node:path';
import tty from 'node:tty';
import type {AttachOptions, AttachResult, BootReport, Engine, ExecOptions, HostStats, RemoveOptions, StopOptions} from './api.js';
import {debugLogFor} from './debug-log.js';
import {C32Error} from './errors.js';
import {isProcessAlive, readBootId} from './host-facts.js';
import type {ImageStore} from './image/store.js';
import type {
	ArchiveFormat,
	ArchiveKind,
	ChangeOptions,
	DiskUsage,
	ImageDetails,
	ImageSummary,
	PruneResult,
	PullOptions,
	RemovedImage,
	TransferOptions,
} from './image/types.js';
import {type Lifecycle, readExisting} from './lifecycle/context.js';
import {create} from './lifecycle/create.js';
import {carryOutExit} from './lifecycle/exit.js';
import {launch} from './lifecycle/launch.js';
import {reconcile, reconcileLocked} from './lifecycle/reconcile.js';
import {damagedMetadata, listAll, rename, resolveRef} from './lifecycle/registry.js';
import {endProcess} from './lifecycle/release.js';
import {remove} from './lifecycle/remove.js';
import {freeze, kill, stop} from './lifecycle/stop.js';
import {bootStartWanted, isLive, userStart} from './lifecycle/transitions.js';
import {waitForExit} from './lifecycle/wait.js';
import {followLog, readLogEntries} from './logs.js';
import type {NetworkInfo} from './network/types.js';
import {userNamespaceOf} from './oci/user-namespace.js';
import {containerPaths, resolveStorage, type StorageLayout} from './paths.js';
import {FORMAT_VERSION} from './record.js';
import type {EngineServices} from './services.js';
import {resolveSignal} from './signals.js';
import {type ContainerRecord, damagedError, Store} from './store.js';
import {readThresholdSettings} from './threshold-settings.js';
import {checkSamples, hasThresholds, thresholdsOf} from './thresholds.js';
import type {
	ContainerConfig,
	ContainerInfo,
	ContainerMetadata,
	ContainerMetrics,
	ContainerNetwork,
	DoctorReport,
	ExportedState,
	LogEntry,
	LogOptions,
} from './types.js';

export {waitForFile} from './lifecycle/wait.js';
export type {EngineServices} from './services.js';

export class ContainerEngine implements Engine {
	readonly layout: StorageLayout;
	private readonly lc: Lifecycle;

	/** `store` replaces the state store (tests use one that fails writes as a full disk would). */
	constructor(
		services: EngineServices,
		options: {storageDir?: string; runtimeDir?: string; store?: (layout: StorageLayout) => Store} = {},
	) {
		this.layout = resolveStorage(options);
		const store = options.store?.(this.layout) ?? new Store(this.layout);
		this.lc = {layout: this.layout, store, services, log: debugLogFor(this.layout.storageDir)};
	}

	get storageDir(): string {
		return this.layout.storageDir;
	}

	/** Resolves a name, a full id or a unique id prefix to an id. */
	resolveRef(ref: string): string {
		return resolveRef(ref, this.lc.store.readIndex());
	}

	/** The reconciled record, for a step that reads before it acts; DAMAGED_RECORD names the file and the fix. */
	private record(ref: string): Promise<ContainerRecord> {
		return reconcile(this.lc, this.resolveRef(ref));
	}

	async createContainer(config: ContainerConfig): Promise<ContainerMetadata> {
		return (await create(this.lc, config)).metadata;
	}

	async startContainer(ref: string): Promise<ContainerMetadata> {
		return this.start(this.resolveRef(ref));
	}

	/** A user's start; `created` runs between the runtime's create and start (Driver.start). */
	private async start(id: string, created?: () => Promise<void>): Promise<ContainerMetadata> {
		try {
			return await this.lc.store.withContainerLock(id, async () => {
				const record = await reconcileLocked(this.lc, id);
				if (isLive(record)) throw new C32Error('BAD_STATE', `container ${record.metadata.name} is already ${record.metadata.state}`);
				// A pending restart is overtaken by this start; its scheduler has nothing left to do.
				endProcess(record.internal.scheduler);
				return (await launch(this.lc, userStart(record), created)).metadata;
			});
		} catch (error) {
			await this.removeIfAutoRemove(id, error);
			throw error;
		}
	}

	/** A container that removes itself once it ends also does when it could not start. */
	private async removeIfAutoRemove(id: string, error: unknown): Promise<void> {
		if (!(error instanceof C32Error) || error.code !== 'START_FAILED') return;
		const record = this.lc.store.inspectRecord(id);
		if (record === null || !('record' in record) || !record.record.config.autoRemove) return;
		await remove(this.lc, id, {force: true}).catch((removeError) => this.lc.log(`auto-remove of ${id.slice(0, 12)}`, removeError));
	}

	async stopContainer(ref: string, options: StopOptions = {}): Promise<ContainerMetadata> {
		const signal = options.signal === undefined ? undefined : resolveSignal(options.signal);
		return (await stop(this.lc, this.resolveRef(ref), {timeoutSeconds: options.timeout, signal})).metadata;
	}

	async killContainer(ref: string, signal = 'SIGKILL'): Promise<ContainerMetadata> {
		const name = resolveSignal(signal);
		return (await kill(this.lc, this.resolveRef(ref), name)).metadata;
	}

	async restartContainer(ref: string, options: StopOptions = {}): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		if (isLive(await reconcile(this.lc, id))) await stop(this.lc, id, {timeoutSeconds: options.timeout});
		return this.startContainer(id);
	}

	async pauseContainer(ref: string): Promise<ContainerMetadata> {
		return (await freeze(this.lc, this.resolveRef(ref), true)).metadata;
	}

	async resumeContainer(ref: string): Promise<ContainerMetadata> {
		return (await freeze(this.lc, this.resolveRef(ref), false)).metadata;
	}

	async removeContainer(ref: string, options: RemoveOptions = {}): Promise<void> {
		await remove(this.lc, this.resolveRef(ref), options);
	}

	async renameContainer(ref: string, newName: string): Promise<ContainerMetadata> {
		return (await rename(this.lc, this.resolveRef(ref), newName)).metadata;
	}

	/** Records an exit and carries out the restart policy. Run by the monitor's exit command. */
	handleExit(id: string): Promise<void> {
		return carryOutExit(this.lc, id);
	}

	async listContainers(): Promise<ContainerMetadata[]> {
		const list = await listAll(this.lc);
		// Every end that reconcile saw released its network; what is left belongs to containers that vanished without a teardown.
		const live = new Set(list.filter((c) => c.state === 'running' || c.state === 'paused').map((c) => c.id));
		if (networkLeftovers(this.layout, live)) {
			const [{freeStaleLeases}, {pruneNames}] = await Promise.all([import('./network/attach.js'), import('./network/names.js')]);
			await freeStaleLeases(this.layout, live).catch((error) => this.lc.log('freeing stale network leases', error));
			await pruneNames(this.layout).catch((error) => this.lc.log('pruning network names', error));
		}
		return list;
	}

	async getContainer(ref: string): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		try {
			return (await reconcile(this.lc, id)).metadata;
		} catch (error) {
			const read = error instanceof C32Error && error.code === 'DAMAGED_RECORD' ? this.lc.store.inspectRecord(id) : null;
			if (read === null || !('damaged' in read)) throw error;
			const name = Object.entries(this.lc.store.readIndex()).find(([, holder]) => holder === id)?.[0] ?? id;
			return damagedMetadata(this.lc, id, name, damagedError(id, read).message);
		}
	}

	async inspectContainer(ref: string): Promise<ContainerInfo> {
		const record = await this.record(ref);
		const paths = containerPaths(this.layout, record.metadata.id);
		return {
			...record.metadata,
			config: record.config,
			paths: {bundle: paths.bundle, log: paths.log},
			userNamespace: userNamespaceOf(record.config),
			network: networkOf(record),
		};
	}

	async getContainerMetrics(ref: string): Promise<ContainerMetrics> {
		const record = await this.record(ref);
		if (!isLive(record)) {
			throw new C32Error('BAD_STATE', `container ${record.metadata.name} is ${record.metadata.state}: metrics exist only while it runs`);
		}
		const [metrics] = checkSamples(
			this.layout,
			[record],
			await this.lc.services.metrics([record], this.layout),
			readThresholdSettings(process.env),
		);
		if (!metrics) throw new C32Error('BAD_STATE', `container ${record.metadata.name} stopped while it was being measured`);
		return metrics;
	}

	async getMetricsBatch(refs?: string[]): Promise<ContainerMetrics[]> {
		const names = this.lc.store.readIndex();
		const ids = refs
			? refs.flatMap((ref) => {
					try {
						return [resolveRef(ref, names)];
					} catch {
						return []; // removed meanwhile: a batch skips what is not running
					}
				})
			: Object.values(names);
		const live: ContainerRecord[] = [];
		const ended: string[] = [];
		for (const id of ids) {
			const read = this.lc.store.inspectRecord(id);
			if (read !== null && 'record' in read && isLive(read.record)) live.push(read.record);
			else ended.push(id);
		}
		// Whoever samples checks the thresholds (there is no daemon to): see docs/thresholds.md.
		const settings = readThresholdSettings(process.env);
		return checkSamples(this.layout, live, await this.lc.services.metrics(live, this.layout), settings, ended);
	}

	async checkThresholds(): Promise<ContainerMetrics[]> {
		const settings = readThresholdSettings(process.env);
		const watched: string[] = [];
		for (const id of Object.values(this.lc.store.readIndex())) {
			const read = this.lc.store.inspectRecord(id);
			if (read !== null && 'record' in read && hasThresholds(thresholdsOf(read.record.config, settings))) watched.push(id);
		}
		return watched.length === 0 ? [] : this.getMetricsBatch(watched);
	}

	async bootContainers(): Promise<BootReport> {
		// Listing reconciles every record: one recorded running under an earlier boot id is ended first.
		const containers = await this.listContainers();
		const bootId = readBootId();
		const report: BootReport = {started: [], failed: []};
		for (const {id, name} of containers) {
			const read = this.lc.store.inspectRecord(id);
			if (read === null || !('record' in read) || !bootStartWanted(read.record, bootId)) continue;
			try {
				report.started.push({id, name: (await this.start(id)).name});
			} catch (error) {
				// Another `system boot` (or the user) started it meanwhile: nothing left to do.
				if (error instanceof C32Error && error.code === 'BAD_STATE' && /already/.test(error.message)) continue;
				report.failed.push({id, name, error: error instanceof Error ? error.message : String(error)});
			}
		}
		return report;
	}

	getHostStats(): Promise<HostStats> {
		return this.lc.services.hostStats();
	}

	getLogs(ref: string, options: LogOptions & {signal?: AbortSignal} = {}): AsyncIterable<LogEntry> {
		const id = this.resolveRef(ref);
		return this.logEntries(readExisting(this.lc, id), options);
	}

	private async *logEntries(record: ContainerRecord, options: LogOptions & {signal?: AbortSignal}): AsyncGenerator<LogEntry> {
		const id = record.metadata.id;
		const log = containerPaths(this.layout, id).log;
		const truncatingWriter = await this.lc.services.logTruncates(record);
		if (!options.follow) {
			yield* readLogEntries(log, {...options, truncatingWriter});
			return;
		}
		yield* followLog(log, {
			...options,
			truncatingWriter,
			isLive: async () => {
				const current = await reconcile(this.lc, id).catch(() => null);
				if (!current) return false;
				if (isLive(current) || current.metadata.state === 'restarting') return true;
				// The monitor waits for its exit command, which may be about to plan a restart.
				const monitor = current.internal.monitorPid;
				return monitor !== null && isProcessAlive(monitor, current.internal.monitorStartTime);
			},
		});
	}

	async execInContainer(ref: string, options: ExecOptions): Promise<number> {
		// Loaded on first use: the request checks share create's (config.js).
		const [{execRequest}, {execIn}] = await Promise.all([import('./exec/request.js'), import('./lifecycle/exec.js')]);
		const {request, io} = execRequest(options, tty.isatty(0));
		return execIn(this.lc, this.resolveRef(ref), request, io);
	}

	async attachContainer(ref: string, options: AttachOptions): Promise<AttachResult> {
		// Loaded on first use: only attaching pays for the socket client.
		const {attach} = await import('./lifecycle/attach.js');
		return attach(this.lc, this.resolveRef(ref), options, (id, created) => this.start(id, created));
	}

	waitContainer(ref: string): Promise<number> {
		return waitForExit(this.lc, this.resolveRef(ref));
	}

	async exportContainerState(ref: string): Promise<ExportedState> {
		const record = await this.record(ref);
		return {formatVersion: FORMAT_VERSION, exportedAt: new Date().toISOString(), metadata: record.metadata, config: record.config};
	}

	async importContainerState(state: ExportedState): Promise<ContainerMetadata> {
		// The schema and config resolution load only for the commands that create.
		const [{parseExportedConfig}, {toContainerConfig}] = await Promise.all([import('./schema.js'), import('./config.js')]);
		return this.createContainer(toContainerConfig(parseExportedConfig(state, FORMAT_VERSION)));
	}

	doctor(): Promise<DoctorReport> {
		return this.lc.services.doctor(this.layout);
	}

	// ---- OCI images: the store loads on first use, so container commands do not pay for it.

	private imageStore: Promise<ImageStore> | undefined;

	/** The OCI image store of this storage root. */
	images(): Promise<ImageStore> {
		this.imageStore ??= import('./image/store.js').then(({ImageStore}) => new ImageStore(this.layout));
		return this.imageStore;
	}

	async pullImage(ref: string, options?: PullOptions): Promise<ImageSummary> {
		return (await this.images()).pull(ref, options);
	}

	async loadImage(file: string, options?: TransferOptions): Promise<ImageSummary[]> {
		return (await this.images()).load(file, options);
	}

	async importImage(file: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary> {
		return (await this.images()).importRootfs(file, name, options);
	}

	async listImages(): Promise<ImageSummary[]> {
		return (await this.images()).list();
	}

	async inspectImage(ref: string): Promise<ImageDetails> {
		return (await this.images()).inspect(ref);
	}

	async tagImage(source: string, target: string): Promise<void> {
		await (await this.images()).tag(source, target);
	}

	async removeImages(refs: string[], options: {force?: boolean} = {}): Promise<RemovedImage[]> {
		return (await this.images()).remove(refs, options);
	}

	async pruneImages(): Promise<PruneResult> {
		return (await this.images()).prune();
	}

	async saveImage(ref: string, file: string, options: {format?: ArchiveFormat} = {}): Promise<void> {
		await (await this.images()).save(ref, file, options.format);
	}

	async diskUsage(): Promise<DiskUsage> {
		return (await this.images()).diskUsage();
	}

	async commitContainer(ref: string, name: string, options: ChangeOptions & TransferOptions = {}): Promise<ImageSummary> {
		const [{commitContainer}, store] = await Promise.all([import('./image/commit.js'), this.images()]);
		return commitContainer(this.lc, store, this.resolveRef(ref), name, options);
	}

	async exportContainerArchive(ref: string, file: string): Promise<void> {
		const [{exportContainerArchive}, store, state] = await Promise.all([
			import('./image/container-archive.js'),
			this.images(),
			this.exportContainerState(ref),
		]);
		await exportContainerArchive(store, this.layout.storageDir, state, file);
	}

	async importContainerArchive(file: string, options: TransferOptions & {name?: string} = {}): Promise<ContainerMetadata> {
		const [{importContainerArchive}, {load}, store] = await Promise.all([
			import('./image/container-archive.js'),
			import('./image/transfer.js'),
			this.images(),
		]);
		return importContainerArchive(
			store,
			{
				checkName: (name) => {
					const holder = this.lc.store.readIndex()[name];
					if (holder && this.lc.store.inspectRecord(holder) !== null) {
						throw new C32Error(
							'NAME_IN_USE',
							`the name ${JSON.stringify(name)} is already in use: remove that container or rename it first`,
						);
					}
				},
				importState: (state) => this.importContainerState(state),
				loadImage: (archive, transfer) => load(store, archive, 'oci-archive', transfer),
			},
			file,
			options,
		);
	}

	async archiveKind(file: string): Promise<ArchiveKind> {
		return (await import('./image/archive-kind.js')).archiveKind(file);
	}

	// ---- Networks: loaded on first use.

	private networkCommands(): Promise<typeof import('./network/manage.js')> {
		return import('./network/manage.js');
	}

	async createNetwork(name: string, options: {subnet?: string; internal?: boolean} = {}): Promise<NetworkInfo> {
		return (await this.networkCommands()).createNetwork(this.lc.store, name, options);
	}

	async listNetworks(): Promise<NetworkInfo[]> {
		return (await this.networkCommands()).listNetworks(this.lc.store);
	}

	async inspectNetwork(name: string): Promise<NetworkInfo> {
		return (await this.networkCommands()).inspectNetwork(this.lc.store, name);
	}

	async removeNetwork(name: string): Promise<void> {
		await (await this.networkCommands()).removeNetwork(this.lc.store, name);
	}

	async connectNetwork(ref: string, network: string, options: {aliases?: string[]} = {}): Promise<ContainerMetadata> {
		const {connect} = await import('./network/connect.js');
		return (await connect(this.lc, this.resolveRef(ref), network, options.aliases)).metadata;
	}

	async disconnectNetwork(ref: string, network: string): Promise<ContainerMetadata> {
		const {disconnect} = await import('./network/connect.js');
		return (await disconnect(this.lc, this.resolveRef(ref), network)).metadata;
	}

	async cleanupAll(): Promise<void> {
		const containers = await this.listContainers();
		const live = containers.filter((c) => c.state === 'running' || c.state === 'paused');
		await Promise.all(live.map((c) => this.stopContainer(c.id).catch((error) => this.lc.log(`cleanupAll: stop of ${c.name}`, error))));
	}
}

/** The container's c32 network: its address and host ports while it runs, else what its config asks for. */
export function networkOf(record: ContainerRecord): ContainerNetwork | null {
	const {network: name, ports} = record.config;
	if (name === 'host' || name === 'none') return null;
	const joined = record.internal.network;
	if (joined !== null && joined.name === name && isLive(record)) {
		return {name, ip: joined.ip, gateway: joined.gateway, ports: joined.ports.map((p) => ({...p}))};
	}
	return {name, ip: null, gateway: null, ports: ports.map((p) => ({...p}))};
}

/**
 * Whether a network attachment (<runtime>/cni/results/<id>.json) or namespace (<runtime>/netns/<id16>)
 * names a container that is not running: a few directory reads, so that listing loads the
 * network code only when there is something to free.
 */
function networkLeftovers(layout: StorageLayout, live: Set<string>): boolean {
	const names = (dir: string) => {
		try {
			return fs.readdirSync(path.join(layout.runtimeDir, dir));
		} catch {
			return [];
		}
	};
	const liveShort = new Set([...live].map((id) => id.slice(0, 16)));
	return names('cni/results').some((file) => !live.has(file.replace(/\.json$/, ''))) || names('netns').some((file) => !liveShort.has(file));
}
