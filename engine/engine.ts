// ContainerEngine: the engine's façade. There is no daemon: every call resolves the
// reference, reads the state, reconciles it with what really runs, and hands the work to one
// lifecycle step (engine/lifecycle/), which acts and records under the container's lock.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {
	AttachOptions,
	AttachResult,
	BootReport,
	Engine,
	ExecOptions,
	HealthcheckRun,
	HostStats,
	RemoveOptions,
	StopOptions,
} from './api.js';
import {tty} from './builtins.js';
import {debugLogFor} from './debug-log.js';
import {C32Error} from './errors.js';
import {addWebhook, readWebhooks, removeWebhook, type Webhook} from './events/hook-config.js';
import {appendEvent, completeEvent, latestEvents} from './events/log.js';
import {type EventsOptions, queryEvents} from './events/query.js';
import type {C32Event, NewEvent} from './events/types.js';
import {metadataWithHealth} from './health/state.js';
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
import {create, validateForCreate} from './lifecycle/create.js';
import {carryOutExit} from './lifecycle/exit.js';
import {launch} from './lifecycle/launch.js';
import {reconcile, reconcileLocked} from './lifecycle/reconcile.js';
import {damagedMetadata, listAll, rename, resolveRef} from './lifecycle/registry.js';
import {endProcess} from './lifecycle/release.js';
import {remove} from './lifecycle/remove.js';
import {freeze, kill, stop} from './lifecycle/stop.js';
import {bootStartWanted, isLive, userStart} from './lifecycle/transitions.js';
import {waitForExit} from './lifecycle/wait.js';
import {type LogSource, mergeLogs} from './log-merge.js';
import {followLog, openFollow, readLogEntries} from './logs.js';
import type {NetworkInfo} from './network/types.js';
import {userNamespaceOf} from './oci/user-namespace.js';
import {orphanedMounts} from './orphans.js';
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
	ContainerListEntry,
	ContainerLogEntry,
	ContainerMetadata,
	ContainerMetrics,
	ContainerNetwork,
	DoctorReport,
	ExportedState,
	LogEntry,
	LogOptions,
	ResolvedConfig,
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

	async validateConfig(config: ContainerConfig): Promise<ResolvedConfig> {
		return validateForCreate(this.lc, config, randomBytes(32).toString('hex'));
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
		const started = await this.startContainer(id);
		this.emit({subject: 'container', event: 'restart', id, name: started.name, labels: started.labels, attributes: {reason: 'user'}});
		return started;
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

	async runHealthcheck(ref: string): Promise<HealthcheckRun> {
		const {runCheck} = await import('./health/run.js');
		const outcome = await runCheck(this.lc, this.resolveRef(ref));
		if (!outcome.ran) throw new C32Error('BAD_STATE', `container ${ref} stopped running while it was checked`);
		return {status: outcome.health.status, failingStreak: outcome.health.failingStreak, result: outcome.result};
	}

	/** One check of a schedule started for run `generation`; false once that run is over (the schedule ends). Run by the schedule's tick. */
	async runScheduledHealthcheck(id: string, generation: number): Promise<boolean> {
		const {runCheck} = await import('./health/run.js');
		const outcome = await runCheck(this.lc, id, generation);
		return outcome.ran || outcome.reason === 'paused';
	}

	/** Records an exit and carries out the restart policy. Run by the monitor's exit command. */
	handleExit(id: string): Promise<void> {
		return carryOutExit(this.lc, id);
	}

	async listContainers(): Promise<ContainerListEntry[]> {
		const listed = await listAll(this.lc);
		const list = listed.map(({metadata, record}): ContainerListEntry => ({...metadata, networks: record ? networksOf(record) : []}));
		// Every end that reconcile saw released its network; what is left belongs to containers that vanished without a teardown.
		const live = new Set(list.filter((c) => c.state === 'running' || c.state === 'paused').map((c) => c.id));
		if (networkLeftovers(this.layout, live)) {
			const [{freeStaleLeases}, {pruneNames}] = await Promise.all([import('./network/attach.js'), import('./network/names.js')]);
			await freeStaleLeases(this.layout, live).catch((error) => this.lc.log('freeing stale network leases', error));
			await pruneNames(this.layout).catch((error) => this.lc.log('pruning network names', error));
		}
		const orphans = orphanedMounts(this.layout);
		if (orphans.length > 0) {
			const {purgeContainer} = await import('./purge.js');
			for (const id of orphans) {
				await purgeContainer(this.layout, id, null).catch((error) => this.lc.log(`reclaiming the root of vanished container ${id}`, error));
			}
		}
		return list;
	}

	async getContainer(ref: string): Promise<ContainerMetadata> {
		const id = this.resolveRef(ref);
		try {
			return metadataWithHealth(await reconcile(this.lc, id), containerPaths(this.layout, id).userdata);
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
			...metadataWithHealth(record, paths.userdata),
			config: record.config,
			paths: {bundle: paths.bundle, log: paths.log, monitorPidFile: paths.monitorPidFile},
			userNamespace: userNamespaceOf(record.config),
			network: networkOf(record),
			networks: networksOf(record),
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
			const read = this.lc.store.inspectRecordCached(id);
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
			const read = this.lc.store.inspectRecordCached(id);
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

	getMergedLogs(refs: readonly string[], options: LogOptions & {signal?: AbortSignal} = {}): AsyncIterable<ContainerLogEntry> {
		// Every reference is resolved before anything is read: an unknown one fails the call.
		const ids = [...new Set(refs.map((ref) => this.resolveRef(ref)))];
		const records = ids.map((id) => readExisting(this.lc, id));
		return this.mergedEntries(records, options);
	}

	private async *mergedEntries(
		records: readonly ContainerRecord[],
		options: LogOptions & {signal?: AbortSignal},
	): AsyncGenerator<ContainerLogEntry> {
		// Ours to abort when the consumer stops early, so every follower lets go of its file at once.
		const inner = new AbortController();
		const onAbort = () => inner.abort();
		if (options.signal?.aborted) inner.abort();
		options.signal?.addEventListener('abort', onAbort, {once: true});
		try {
			const sources: LogSource[] = [];
			for (const record of records) {
				const {id, name} = record.metadata;
				const log = containerPaths(this.layout, id).log;
				const truncatingWriter = await this.lc.services.logTruncates(record);
				if (!options.follow) {
					sources.push({id, name, existing: readLogEntries(log, {...options, truncatingWriter})});
					continue;
				}
				const {existing, updates} = openFollow(log, {
					...options,
					truncatingWriter,
					signal: inner.signal,
					// A merged follow outlives one container's exit: it goes on through restarts
					// (the same log) and ends for a container only once it is removed.
					isLive: this.recordExists(id),
				});
				sources.push({id, name, existing, updates});
			}
			yield* mergeLogs(sources);
		} finally {
			options.signal?.removeEventListener('abort', onAbort);
			inner.abort();
		}
	}

	/** Whether the container is still recorded, looked up at most once a second. */
	private recordExists(id: string): () => Promise<boolean> {
		let checkedAt = 0;
		let exists = true;
		return async () => {
			if (Date.now() - checkedAt >= 1000) {
				checkedAt = Date.now();
				exists = this.lc.store.inspectRecord(id) !== null;
			}
			return exists;
		};
	}

	async execInContainer(ref: string, options: ExecOptions): Promise<number> {
		// Loaded on first use: the request checks share create's (config.js).
		const [{execRequest}, {execRecorded}] = await Promise.all([import('./exec/request.js'), import('./lifecycle/exec.js')]);
		const {request, io} = execRequest(options, tty().isatty(0));
		return execRecorded(this.lc, this.resolveRef(ref), request, io, options.command);
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
		return this.imageEvent('pull', await (await this.images()).pull(ref, options), {ref});
	}

	async loadImage(file: string, options?: TransferOptions): Promise<ImageSummary[]> {
		const images = await (await this.images()).load(file, options);
		for (const image of images) this.imageEvent('load', image, {file});
		return images;
	}

	async importImage(file: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary> {
		return this.imageEvent('import', await (await this.images()).importRootfs(file, name, options), {file});
	}

	async listImages(): Promise<ImageSummary[]> {
		return (await this.images()).list();
	}

	async inspectImage(ref: string): Promise<ImageDetails> {
		return (await this.images()).inspect(ref);
	}

	async tagImage(source: string, target: string): Promise<void> {
		const store = await this.images();
		await store.tag(source, target);
		let id = source;
		try {
			id = store.inspect(target).id;
		} catch {}
		this.emit({subject: 'image', event: 'tag', id, name: target, attributes: {source}});
	}

	async removeImages(refs: string[], options: {force?: boolean} = {}): Promise<RemovedImage[]> {
		const removed = await (await this.images()).remove(refs, options);
		for (const image of removed) {
			const attributes = {ref: image.ref, untagged: image.untagged.join(' ')};
			this.emit({subject: 'image', event: image.deleted ? 'remove' : 'untag', id: image.id, name: image.untagged[0] ?? null, attributes});
		}
		return removed;
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
		const id = this.resolveRef(ref);
		return this.imageEvent('commit', await commitContainer(this.lc, store, id, name, options), {container: id});
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
		const network = await (await this.networkCommands()).createNetwork(this.lc.store, name, options);
		this.emit({subject: 'network', event: 'create', id: name, name, attributes: {}});
		return network;
	}

	async listNetworks(): Promise<NetworkInfo[]> {
		return (await this.networkCommands()).listNetworks(this.lc.store);
	}

	async inspectNetwork(name: string): Promise<NetworkInfo> {
		return (await this.networkCommands()).inspectNetwork(this.lc.store, name);
	}

	async removeNetwork(name: string): Promise<void> {
		await (await this.networkCommands()).removeNetwork(this.lc.store, name);
		this.emit({subject: 'network', event: 'remove', id: name, name, attributes: {}});
	}

	async connectNetwork(ref: string, network: string, options: {aliases?: string[]} = {}): Promise<ContainerMetadata> {
		const {connect} = await import('./network/connect.js');
		const meta = (await connect(this.lc, this.resolveRef(ref), network, options.aliases)).metadata;
		this.emit(networkEvent('connect', network, meta));
		return meta;
	}

	async disconnectNetwork(ref: string, network: string): Promise<ContainerMetadata> {
		const {disconnect} = await import('./network/connect.js');
		const meta = (await disconnect(this.lc, this.resolveRef(ref), network)).metadata;
		this.emit(networkEvent('disconnect', network, meta));
		return meta;
	}

	// ---- Events (docs/events.md).

	/** Records an event of an image or network, or one a lifecycle step does not see (a user's restart). */
	private emit(event: NewEvent): void {
		appendEvent(this.layout, event);
	}

	private imageEvent(name: string, image: ImageSummary, attributes: Record<string, string>): ImageSummary {
		this.emit({subject: 'image', event: name, id: image.id, name: image.names[0] ?? null, attributes});
		return image;
	}

	/** The recorded events of a window and filters, oldest first; with follow, the ones recorded after too, until the signal aborts. */
	events(options: EventsOptions = {}): AsyncIterable<C32Event> {
		return queryEvents(this.layout, options);
	}

	/** The latest `count` events (all subjects), oldest first: for the dashboard. */
	latestEvents(count: number): C32Event[] {
		return latestEvents(this.layout, count);
	}

	listWebhooks(): Webhook[] {
		return readWebhooks(this.layout);
	}

	addWebhook(options: {url: string; events?: string[]; timeoutMs?: number}): Promise<Webhook> {
		return addWebhook(this.layout, options);
	}

	removeWebhook(ref: string): Promise<Webhook[]> {
		return removeWebhook(this.layout, ref);
	}

	/** POSTs a `test` event to each webhook (or the one named) now, once; resolves with what each answered (null: delivered). */
	async testWebhooks(ref?: string): Promise<{webhook: Webhook; error: string | null}[]> {
		const {postWebhook} = await import('./events/webhook.js');
		const hooks = readWebhooks(this.layout).filter((hook) => ref === undefined || hook.id === ref || hook.url === ref);
		if (ref !== undefined && hooks.length === 0) {
			throw new C32Error('NOT_FOUND', `no webhook ${JSON.stringify(ref)}: c32 notify ls lists their ids and URLs`);
		}
		const event = completeEvent({subject: 'container', event: 'test', id: '0'.repeat(64), name: 'c32-notify-test', attributes: {}});
		return Promise.all(hooks.map(async (webhook) => ({webhook, error: await postWebhook(webhook, event, 1)})));
	}

	async cleanupAll(): Promise<void> {
		const containers = await this.listContainers();
		const live = containers.filter((c) => c.state === 'running' || c.state === 'paused');
		await Promise.all(live.map((c) => this.stopContainer(c.id).catch((error) => this.lc.log(`cleanupAll: stop of ${c.name}`, error))));
	}
}

/** A container joined or left a network. */
function networkEvent(name: string, network: string, container: ContainerMetadata): NewEvent {
	return {
		subject: 'network',
		event: name,
		id: network,
		name: network,
		attributes: {container: container.id, containerName: container.name},
	};
}

/** The container's first c32 network: its address and host ports while it runs, else what its config asks for. */
export function networkOf(record: ContainerRecord): ContainerNetwork | null {
	return networksOf(record)[0] ?? null;
}

/** Every c32 network of the container, its first one first: addresses while it runs; ports on the first only. */
export function networksOf(record: ContainerRecord): ContainerNetwork[] {
	const {network: first, ports} = record.config;
	if (first === 'host' || first === 'none') return [];
	const live = isLive(record);
	const joined = [record.internal.network, ...(record.internal.additionalNetworks ?? [])];
	const names = [first, ...(record.config.additionalNetworks ?? []).map((link) => link.name)];
	return names.map((name, index) => {
		const state = live ? joined.find((s) => s !== null && s.name === name) : undefined;
		if (state) return {name, ip: state.ip, gateway: state.gateway, ports: state.ports.map((p) => ({...p}))};
		return {name, ip: null, gateway: null, ports: index === 0 ? ports.map((p) => ({...p})) : []};
	});
}

/**
 * Whether a network attachment (<runtime>/cni/results/<id>[.<interface>].json) or namespace (<runtime>/netns/<id16>)
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
	// <id>.json, or <id>.<interface>.json for a further network.
	return names('cni/results').some((file) => !live.has(file.slice(0, 64))) || names('netns').some((file) => !liveShort.has(file));
}
