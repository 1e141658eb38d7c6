// An in-memory Engine for dashboard tests: containers, states, metrics and logs that a test
// sets directly, actions that can be slowed down, held or made to fail, and a record of calls.
import type {
	ArchiveKind,
	AttachResult,
	C32Event,
	ContainerConfig,
	ContainerHealth,
	ContainerInfo,
	ContainerLogEntry,
	ContainerMetadata,
	ContainerMetrics,
	ContainerNetwork,
	ContainerState,
	DiskUsage,
	DoctorReport,
	Engine,
	ExecOptions,
	ExportedState,
	HealthcheckRun,
	HostStats,
	ImageDetails,
	ImageSummary,
	LogEntry,
	LogOptions,
	NetworkInfo,
	PruneResult,
	RemovedImage,
	RemoveOptions,
	ResolvedConfig,
	StopOptions,
} from '../../engine/index.js';
import {C32Error} from '../../engine/index.js';
import {type LogSource, mergeLogs} from '../../engine/log-merge.js';

export interface FakeContainer {
	meta: ContainerMetadata;
	config: ResolvedConfig;
	cpuPercent: number;
	memoryMb: number;
	pids: number;
	blockReadBytes: number;
	blockWriteBytes: number;
	logs: LogEntry[];
	/** How many of the oldest entries were dropped to stay under logLimit. */
	logBase: number;
	/** What inspectContainer says of its network; null: the host's. */
	network: ContainerNetwork | null;
}

export interface AddOptions {
	name: string;
	state?: ContainerState;
	cpuPercent?: number;
	memoryMb?: number;
	pids?: number;
	cpuLimitPercent?: number;
	memoryLimitMb?: number;
	exitCode?: number | null;
	oomKilled?: boolean;
	isolationLevel?: ContainerMetadata['isolationLevel'];
	restartCount?: number;
	startedAt?: string | null;
	finishedAt?: string | null;
	errorMessage?: string | null;
	image?: string | null;
	labels?: Record<string, string>;
	blockReadBytes?: number;
	blockWriteBytes?: number;
	/** An OCI image container: config.ociImage and, unless `image` says otherwise, its name as the image. */
	ociImage?: {id: string; name: string | null; digest: string};
	/** Its network as inspect shows it (default: the host's, null). */
	network?: ContainerNetwork | null;
	/** How its health checks are doing (default: it has no check). */
	health?: ContainerHealth;
}

export interface AddImageOptions {
	names?: string[];
	size?: number;
	created?: string | null;
}

/** The config of a container made from an OCI image, as the run branch stores it (issue 10). */

type Listener = () => void;
type Verb = 'start' | 'stop' | 'restart' | 'pause' | 'resume' | 'remove' | 'exec';

let counter = 0;

function hexId(): string {
	counter++;
	let out = '';
	for (let i = 0; i < 8; i++) out += ((counter * 2654435761 + i * 40503) >>> 0).toString(16).padStart(8, '0');
	return out.slice(0, 64);
}

export class FakeEngine implements Engine {
	readonly storageDir = '/fake/storage';
	readonly containers = new Map<string, FakeContainer>();
	readonly calls: {method: string; args: unknown[]}[] = [];
	host: HostStats = {cpuCount: 2, cpuPercent: 25, memoryTotalMb: 8192, memoryUsedMb: 2048, loadAverage: [0.5, 0.4, 0.3]};
	/** Delay before every action settles. */
	actionDelayMs = 0;
	/** When set, actions wait for release() before they settle. */
	private held: {resolve: () => void; promise: Promise<void>} | null = null;
	private readonly failures = new Map<Verb, C32Error>();
	private readonly logListeners = new Map<string, Set<Listener>>();
	/** Makes listContainers throw this once. */
	failNextList: Error | null = null;
	/** What execInContainer resolves with: the command's exit code. */
	execExitCode = 0;
	/** Log entries kept per container, like a capped log file; older ones are dropped. */
	logLimit = Number.POSITIVE_INFINITY;
	readonly images = new Map<string, ImageDetails>();
	/** Makes inspectImage of this image id (or every id: '*') throw it. */
	readonly imageFailures = new Map<string, Error>();
	readonly networks = new Map<string, NetworkInfo>();

	/** When the last network was made: each one is made a millisecond later at least, as lists order them by creation. */
	private lastNetworkAt = 0;

	addNetwork(name: string, options: {subnet?: string; internal?: boolean} = {}): NetworkInfo {
		const index = this.networks.size + 1;
		this.lastNetworkAt = Math.max(Date.now(), this.lastNetworkAt + 1);
		const subnet = options.subnet ?? `10.90.${index}.0/24`;
		const network: NetworkInfo = {
			name,
			id: hexId(),
			subnet,
			gateway: subnet.replace(/\.0\/\d+$/, '.1'),
			bridge: `c32br${index}`,
			internal: options.internal ?? false,
			createdAt: new Date(this.lastNetworkAt).toISOString(),
			containers: [],
		};
		this.networks.set(name, network);
		return network;
	}

	addImage(options: AddImageOptions = {}): ImageDetails {
		const id = `sha256:${hexId()}`;
		const image: ImageDetails = {
			id,
			names: options.names ?? [],
			digest: `sha256:${hexId()}`,
			size: options.size ?? 5_000_000,
			created: options.created ?? null,
			storedAt: new Date().toISOString(),
			architecture: 'amd64',
			os: 'linux',
			config: {entrypoint: null, cmd: ['sh'], env: [], workingDir: null, user: null, stopSignal: null, labels: {}, exposedPorts: []},
			layers: [],
			usedBy: [],
		};
		this.images.set(id, image);
		return image;
	}

	add(options: AddOptions): FakeContainer {
		const id = hexId();
		const state = options.state ?? 'running';
		const now = Date.now();
		const live = state === 'running' || state === 'paused';
		const meta: ContainerMetadata = {
			id,
			name: options.name,
			state,
			pid: live ? 1000 + counter : null,
			exitCode: options.exitCode ?? (state === 'exited' ? 0 : null),
			oomKilled: options.oomKilled ?? false,
			errorMessage: options.errorMessage ?? null,
			image:
				options.image !== undefined
					? options.image
					: options.ociImage
						? (options.ociImage.name ?? options.ociImage.id.slice(7, 19))
						: `/srv/${options.name}.py`,
			isolationLevel: options.isolationLevel ?? 'standard',
			runtime: 'runc',
			createdAt: new Date(now - 3_600_000).toISOString(),
			startedAt: options.startedAt !== undefined ? options.startedAt : state === 'created' ? null : new Date(now - 600_000).toISOString(),
			finishedAt:
				options.finishedAt !== undefined ? options.finishedAt : live || state === 'created' ? null : new Date(now - 120_000).toISOString(),
			restartCount: options.restartCount ?? 0,
			nextRestartAt: null,
			stopRequested: false,
			labels: options.labels ?? {},
			...(options.health ? {health: options.health} : {}),
		};
		const config: ResolvedConfig = {
			name: options.name,
			image: meta.image,
			ociImage: options.ociImage ?? null,
			entrypoint: 'python3',
			args: [`/app/${options.name}.py`],
			environment: {},
			volumes: [],
			resourceLimits: {
				...(options.cpuLimitPercent !== undefined ? {cpuLimitPercent: options.cpuLimitPercent} : {}),
				...(options.memoryLimitMb !== undefined ? {memoryLimitMb: options.memoryLimitMb} : {}),
			},
			isolationLevel: meta.isolationLevel,
			labels: meta.labels,
			restartPolicy: {name: 'no', maxRetries: 0},
			workingDir: '/app',
			user: {uid: 1000, gid: 1000},
			hostname: options.name,
			stopSignal: 'SIGTERM',
			stopTimeout: 10,
			network: 'host',
			ports: [],
			networkAliases: [],
			additionalNetworks: [],
			logSizeMax: 10 * 1024 * 1024,
			autoRemove: false,
			capabilities: null,
			stdinOpen: false,
			tty: false,
			init: false,
			hooks: [],
			healthcheck: null,
			restartMaxDelayMs: 30_000,
			memoryThresholdMb: null,
			cpuThresholdPercent: null,
			monitorPidFile: null,
		};
		const network = options.network ?? null;
		if (network) config.network = network.name;
		const container: FakeContainer = {
			meta,
			config,
			cpuPercent: options.cpuPercent ?? 1,
			memoryMb: options.memoryMb ?? 32,
			pids: options.pids ?? 3,
			blockReadBytes: options.blockReadBytes ?? 4096,
			blockWriteBytes: options.blockWriteBytes ?? 0,
			logs: [],
			logBase: 0,
			network,
		};
		this.containers.set(id, container);
		return container;
	}

	/** Removes a container as another process would, without going through an action. */
	drop(name: string): void {
		const container = this.find(name);
		this.containers.delete(container.meta.id);
		this.notifyLogs(container.meta.id);
	}

	setState(name: string, state: ContainerState, changes: Partial<ContainerMetadata> = {}): void {
		const container = this.find(name);
		Object.assign(container.meta, {state}, changes);
		this.notifyLogs(container.meta.id);
	}

	/** `timestamp` (default now): what the entries are stamped with, for merges by time. */
	emitLog(name: string, line: string, stream: 'stdout' | 'stderr' = 'stdout', timestamp?: string): void {
		this.emitLogs(name, [line], stream, timestamp);
	}

	emitLogs(name: string, lines: readonly string[], stream: 'stdout' | 'stderr' = 'stdout', timestamp = new Date().toISOString()): void {
		const container = this.find(name);
		for (const line of lines) container.logs.push({timestamp, stream, line});
		const excess = container.logs.length - this.logLimit;
		if (excess > 0) {
			container.logs.splice(0, excess);
			container.logBase += excess;
		}
		this.notifyLogs(container.meta.id);
	}

	failNext(verb: Verb, error: C32Error): void {
		this.failures.set(verb, error);
	}

	/** Holds every action until release() is called. */
	hold(): void {
		let resolve = () => {};
		const promise = new Promise<void>((done) => {
			resolve = done;
		});
		this.held = {resolve, promise};
	}

	release(): void {
		this.held?.resolve();
		this.held = null;
	}

	callsTo(method: string): unknown[][] {
		return this.calls.filter((call) => call.method === method).map((call) => call.args);
	}

	find(ref: string): FakeContainer {
		const exact = [...this.containers.values()].find((container) => container.meta.name === ref || container.meta.id === ref);
		if (exact) return exact;
		const prefixed = [...this.containers.values()].filter((container) => container.meta.id.startsWith(ref));
		if (prefixed.length === 1) return prefixed[0]!;
		if (prefixed.length > 1) throw new C32Error('AMBIGUOUS_REF', `"${ref}" matches ${prefixed.length} containers; use more of the id`);
		throw new C32Error('NOT_FOUND', `No container "${ref}"; c32 ps lists them`);
	}

	private record(method: string, ...args: unknown[]): void {
		this.calls.push({method, args});
	}

	private async settle(verb: Verb): Promise<void> {
		if (this.actionDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.actionDelayMs));
		if (this.held) await this.held.promise;
		const failure = this.failures.get(verb);
		if (failure) {
			this.failures.delete(verb);
			throw failure;
		}
	}

	private notifyLogs(id: string): void {
		for (const listener of this.logListeners.get(id) ?? []) listener();
	}

	private transition(container: FakeContainer, state: ContainerState): ContainerMetadata {
		const now = new Date().toISOString();
		const meta = container.meta;
		meta.state = state;
		if (state === 'running') {
			meta.startedAt = now;
			meta.finishedAt = null;
			meta.exitCode = null;
			meta.pid = 4242;
		}
		if (state === 'stopped' || state === 'exited') {
			meta.finishedAt = now;
			meta.exitCode = 143;
			meta.pid = null;
		}
		this.notifyLogs(meta.id);
		return {...meta};
	}

	private badState(container: FakeContainer, what: string): C32Error {
		return new C32Error('BAD_STATE', `Cannot ${what} ${container.meta.name}: it is ${container.meta.state}`);
	}

	async createContainer(config: ContainerConfig): Promise<ContainerMetadata> {
		this.record('createContainer', config);
		return {...this.add({name: config.name ?? `c${counter}`, state: 'created'}).meta};
	}

	async validateConfig(config: ContainerConfig): Promise<ResolvedConfig> {
		this.record('validateConfig', config);
		throw new C32Error('UNSUPPORTED', 'the fake engine does not validate configs');
	}

	async startContainer(ref: string): Promise<ContainerMetadata> {
		this.record('startContainer', ref);
		const container = this.find(ref);
		await this.settle('start');
		if (container.meta.state === 'running' || container.meta.state === 'paused') throw this.badState(container, 'start');
		return this.transition(container, 'running');
	}

	async stopContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata> {
		this.record('stopContainer', ref, options);
		const container = this.find(ref);
		await this.settle('stop');
		if (container.meta.state !== 'running' && container.meta.state !== 'paused') throw this.badState(container, 'stop');
		return this.transition(container, 'stopped');
	}

	async killContainer(ref: string, signal?: string): Promise<ContainerMetadata> {
		this.record('killContainer', ref, signal);
		const container = this.find(ref);
		return this.transition(container, 'exited');
	}

	async restartContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata> {
		this.record('restartContainer', ref, options);
		const container = this.find(ref);
		await this.settle('restart');
		container.meta.restartCount++;
		this.transition(container, 'stopped');
		return this.transition(container, 'running');
	}

	async pauseContainer(ref: string): Promise<ContainerMetadata> {
		this.record('pauseContainer', ref);
		const container = this.find(ref);
		await this.settle('pause');
		if (container.meta.state !== 'running') throw this.badState(container, 'pause');
		return this.transition(container, 'paused');
	}

	async resumeContainer(ref: string): Promise<ContainerMetadata> {
		this.record('resumeContainer', ref);
		const container = this.find(ref);
		await this.settle('resume');
		if (container.meta.state !== 'paused') throw this.badState(container, 'resume');
		return this.transition(container, 'running');
	}

	async removeContainer(ref: string, options?: RemoveOptions): Promise<void> {
		this.record('removeContainer', ref, options);
		const container = this.find(ref);
		await this.settle('remove');
		const live = container.meta.state === 'running' || container.meta.state === 'paused';
		if (live && !options?.force) throw new C32Error('BAD_STATE', `${container.meta.name} is running; stop it first or force`);
		this.containers.delete(container.meta.id);
		this.notifyLogs(container.meta.id);
	}

	async renameContainer(ref: string, newName: string): Promise<ContainerMetadata> {
		this.record('renameContainer', ref, newName);
		const container = this.find(ref);
		const holder = [...this.containers.values()].find((other) => other.meta.name === newName);
		if (holder && holder !== container) throw new C32Error('NAME_IN_USE', `the name "${newName}" is already in use`);
		container.meta.name = newName;
		container.config.name = newName;
		return {...container.meta};
	}

	async listContainers(): Promise<ContainerMetadata[]> {
		this.record('listContainers');
		if (this.failNextList) {
			const error = this.failNextList;
			this.failNextList = null;
			throw error;
		}
		return [...this.containers.values()].map((container) => ({...container.meta, labels: {...container.meta.labels}}));
	}

	async getContainer(ref: string): Promise<ContainerMetadata> {
		return {...this.find(ref).meta};
	}

	async inspectContainer(ref: string): Promise<ContainerInfo> {
		this.record('inspectContainer', ref);
		const container = this.find(ref);
		return {
			...container.meta,
			config: container.config,
			paths: {
				bundle: `/fake/${container.meta.id}/bundle`,
				log: `/fake/${container.meta.id}/ctr.log`,
				monitorPidFile: `/fake/${container.meta.id}/monitor.pid`,
			},
			userNamespace: null,
			network: container.network === null ? null : structuredClone(container.network),
			networks: container.network === null ? [] : [structuredClone(container.network)],
		};
	}

	private sample(container: FakeContainer): ContainerMetrics {
		return {
			id: container.meta.id,
			name: container.meta.name,
			cpuPercent: container.meta.state === 'paused' ? 0 : container.cpuPercent,
			memoryMb: container.memoryMb,
			memoryLimitMb: container.config.resourceLimits.memoryLimitMb ?? null,
			pids: container.pids,
			blockReadBytes: container.blockReadBytes,
			blockWriteBytes: container.blockWriteBytes,
			timestamp: new Date().toISOString(),
		};
	}

	async getContainerMetrics(ref: string): Promise<ContainerMetrics> {
		return this.sample(this.find(ref));
	}

	async checkThresholds(): Promise<ContainerMetrics[]> {
		return [];
	}

	async bootContainers(): Promise<{started: {id: string; name: string}[]; failed: {id: string; name: string; error: string}[]}> {
		return {started: [], failed: []};
	}

	async getMetricsBatch(refs?: string[]): Promise<ContainerMetrics[]> {
		this.record('getMetricsBatch', refs);
		const chosen = refs
			? refs.flatMap((ref) => [...this.containers.values()].filter((c) => c.meta.id === ref || c.meta.name === ref))
			: [...this.containers.values()];
		return chosen.filter((c) => c.meta.state === 'running' || c.meta.state === 'paused').map((c) => this.sample(c));
	}

	async getHostStats(): Promise<HostStats> {
		this.record('getHostStats');
		return {...this.host};
	}

	getLogs(ref: string, options: LogOptions & {signal?: AbortSignal} = {}): AsyncIterable<LogEntry> {
		this.record('getLogs', ref, {...options, signal: undefined});
		const container = this.find(ref);
		const {tail} = options;
		const end = container.logBase + container.logs.length;
		const from = tail === undefined ? container.logBase : Math.max(container.logBase, end - tail);
		return this.logsFrom(container, from, options, () => container.meta.state === 'running' || container.meta.state === 'paused');
	}

	/** As the engine's: the recorded lines merged by time (tail per container), then arrivals; a follow lasts until removal. */
	getMergedLogs(refs: readonly string[], options: LogOptions & {signal?: AbortSignal} = {}): AsyncIterable<ContainerLogEntry> {
		this.record('getMergedLogs', [...refs], {...options, signal: undefined});
		const containers = [...new Set(refs.map((ref) => this.find(ref)))];
		const sources: LogSource[] = containers.map((container) => {
			const end = container.logBase + container.logs.length;
			const from = options.tail === undefined ? 0 : Math.max(0, container.logs.length - options.tail);
			const source: LogSource = {id: container.meta.id, name: container.meta.name, existing: container.logs.slice(from)};
			if (options.follow) source.updates = this.logsFrom(container, end, options, () => true);
			return source;
		});
		return mergeLogs(sources);
	}

	private logsFrom(
		container: FakeContainer,
		from: number,
		options: LogOptions & {signal?: AbortSignal},
		live: () => boolean,
	): AsyncIterable<LogEntry> {
		const id = container.meta.id;
		const self = this;
		return {
			async *[Symbol.asyncIterator]() {
				const {signal, follow} = options;
				const end = () => container.logBase + container.logs.length;
				let next = from;
				for (;;) {
					next = Math.max(next, container.logBase);
					while (next < end()) {
						if (signal?.aborted) return;
						yield container.logs[next++ - container.logBase]!;
					}
					if (!follow || !self.containers.has(id) || !live() || signal?.aborted) return;
					await new Promise<void>((resolve) => {
						const listeners = self.logListeners.get(id) ?? new Set<Listener>();
						self.logListeners.set(id, listeners);
						const done = () => {
							listeners.delete(done);
							signal?.removeEventListener('abort', done);
							resolve();
						};
						listeners.add(done);
						signal?.addEventListener('abort', done);
					});
				}
			},
		};
	}

	/** The dashboard never attaches; a running container's attach ends at once with its code. */
	async attachContainer(ref: string): Promise<AttachResult> {
		const container = this.find(ref);
		if (container.meta.state !== 'running') throw this.badState(container, 'attach');
		return {exitCode: container.meta.exitCode, detached: false};
	}

	async runHealthcheck(ref: string): Promise<HealthcheckRun> {
		const {health} = this.find(ref).meta;
		if (!health) throw new C32Error('BAD_STATE', `container ${ref} has no health check`);
		const result = health.log.at(-1) ?? {start: '', end: '', exitCode: 0, output: ''};
		return {status: health.status, failingStreak: health.failingStreak, result};
	}

	async waitContainer(ref: string): Promise<number> {
		return this.find(ref).meta.exitCode ?? 0;
	}

	/** Held by hold() like the actions, so a test can look at the screen while the command runs. */
	async execInContainer(ref: string, options: ExecOptions): Promise<number> {
		this.record('execInContainer', ref, options);
		const container = this.find(ref);
		await this.settle('exec');
		if (container.meta.state !== 'running') throw this.badState(container, 'exec in');
		return this.execExitCode;
	}

	async exportContainerState(ref: string): Promise<ExportedState> {
		const container = this.find(ref);
		return {formatVersion: 1, exportedAt: new Date().toISOString(), metadata: {...container.meta}, config: container.config};
	}

	async importContainerState(state: ExportedState): Promise<ContainerMetadata> {
		const container = this.add({name: state.metadata.name, state: 'created'});
		return {...container.meta};
	}

	async doctor(): Promise<DoctorReport> {
		return {
			runtime: {name: 'runc', path: '/usr/sbin/runc', version: '1.1.5'},
			runtimesRejected: [],
			conmon: {path: '/usr/bin/conmon', version: '2.1.6'},
			skopeo: {path: '/usr/bin/skopeo', version: '1.9.3'},
			layerTools: true,
			init: {name: 'catatonit', path: '/usr/bin/catatonit', version: '0.1.7'},
			cgroupVersion: 2,
			root: true,
			userNamespaces: true,
			overlayfs: true,
			seccomp: true,
			storageDir: this.storageDir,
			runtimeDir: '/fake/run',
			debugLog: '/var/lib/c32/debug.log',
			network: {
				cniDir: '/usr/lib/cni',
				cniPlugins: ['bridge', 'host-local', 'portmap', 'bandwidth', 'firewall', 'loopback'],
				cniMissing: [],
				iptables: {path: '/usr/sbin/iptables', version: '1.8.9 (nf_tables)'},
				nft: {path: '/usr/sbin/nft', version: '1.0.6'},
			},
			problems: [],
		};
	}

	private findImage(ref: string): ImageDetails {
		const bare = ref.replace(/^sha256:/, '');
		const found = [...this.images.values()].find(
			(image) => image.names.includes(ref) || image.id === ref || (bare.length >= 12 && image.id.slice(7).startsWith(bare)),
		);
		if (!found) throw new C32Error('IMAGE_NOT_FOUND', `no image "${ref}": pull it first: c32 pull ${ref}`);
		return found;
	}

	private summary(image: ImageDetails): ImageSummary {
		const {id, names, digest, size, created, storedAt} = image;
		return {id, names: [...names], digest, size, created, storedAt};
	}

	async inspectImage(ref: string): Promise<ImageDetails> {
		this.record('inspectImage', ref);
		const image = this.findImage(ref);
		const failure = this.imageFailures.get(image.id) ?? this.imageFailures.get('*');
		if (failure) throw failure;
		return structuredClone(image);
	}

	async listImages(): Promise<ImageSummary[]> {
		this.record('listImages');
		return [...this.images.values()].map((image) => this.summary(image));
	}

	async pullImage(ref: string): Promise<ImageSummary> {
		this.record('pullImage', ref);
		return this.summary(this.addImage({names: [ref]}));
	}

	async loadImage(file: string): Promise<ImageSummary[]> {
		this.record('loadImage', file);
		return [this.summary(this.addImage({names: [`localhost/${file}:latest`]}))];
	}

	async importImage(file: string, name: string): Promise<ImageSummary> {
		this.record('importImage', file, name);
		return this.summary(this.addImage({names: [name]}));
	}

	async tagImage(source: string, target: string): Promise<void> {
		this.record('tagImage', source, target);
		this.findImage(source).names.push(target);
	}

	async removeImages(refs: string[]): Promise<RemovedImage[]> {
		this.record('removeImages', refs);
		return refs.map((ref) => {
			const image = this.findImage(ref);
			this.images.delete(image.id);
			return {ref, id: image.id, untagged: image.names, deleted: true};
		});
	}

	async pruneImages(): Promise<PruneResult> {
		this.record('pruneImages');
		const untagged = [...this.images.values()].filter((image) => image.names.length === 0);
		for (const image of untagged) this.images.delete(image.id);
		return {deleted: untagged.map((image) => image.id), reclaimedBytes: untagged.reduce((sum, image) => sum + image.size, 0)};
	}

	async saveImage(ref: string, file: string): Promise<void> {
		this.record('saveImage', ref, file);
		this.findImage(ref);
	}

	async diskUsage(): Promise<DiskUsage> {
		const size = [...this.images.values()].reduce((sum, image) => sum + image.size, 0);
		return {
			images: {count: this.images.size, size, reclaimable: 0},
			layers: {count: this.images.size, size, shared: 0},
			containers: {count: this.containers.size, size: 0},
		};
	}

	async archiveKind(file: string): Promise<ArchiveKind> {
		return file.endsWith('.json') ? 'container-state' : 'rootfs';
	}

	async commitContainer(ref: string, name: string): Promise<ImageSummary> {
		this.record('commitContainer', ref, name);
		this.find(ref);
		return this.summary(this.addImage({names: [name]}));
	}

	async exportContainerArchive(ref: string, file: string): Promise<void> {
		this.record('exportContainerArchive', ref, file);
		this.find(ref);
	}

	async importContainerArchive(file: string): Promise<ContainerMetadata> {
		this.record('importContainerArchive', file);
		return {...this.add({name: `imported-${counter}`, state: 'created'}).meta};
	}

	private findNetwork(name: string): NetworkInfo {
		const network = this.networks.get(name);
		if (!network) throw new C32Error('NOT_FOUND', `no network "${name}": c32 network ls lists them`);
		return network;
	}

	/** Names of the containers on a network, from their inspect view. */
	private onNetwork(name: string): string[] {
		return [...this.containers.values()].filter((c) => c.network?.name === name).map((c) => c.meta.name);
	}

	async createNetwork(name: string, options: {subnet?: string; internal?: boolean} = {}): Promise<NetworkInfo> {
		this.record('createNetwork', name, options);
		if (this.networks.has(name)) throw new C32Error('NAME_IN_USE', `a network named "${name}" exists`);
		return structuredClone(this.addNetwork(name, options));
	}

	async listNetworks(): Promise<NetworkInfo[]> {
		this.record('listNetworks');
		return [...this.networks.values()].map((network) => ({...structuredClone(network), containers: this.onNetwork(network.name)}));
	}

	async inspectNetwork(name: string): Promise<NetworkInfo> {
		this.record('inspectNetwork', name);
		return {...structuredClone(this.findNetwork(name)), containers: this.onNetwork(name)};
	}

	async removeNetwork(name: string): Promise<void> {
		this.record('removeNetwork', name);
		this.findNetwork(name);
		const users = this.onNetwork(name);
		if (users.length > 0) throw new C32Error('BAD_STATE', `network ${name} is in use by ${users.join(', ')}`);
		this.networks.delete(name);
	}

	async connectNetwork(ref: string, network: string, options: {aliases?: string[]} = {}): Promise<ContainerMetadata> {
		this.record('connectNetwork', ref, network, options);
		const container = this.find(ref);
		this.findNetwork(network);
		container.network = {name: network, ip: null, gateway: null, ports: []};
		container.config.network = network;
		return {...container.meta};
	}

	async disconnectNetwork(ref: string, network: string): Promise<ContainerMetadata> {
		this.record('disconnectNetwork', ref, network);
		const container = this.find(ref);
		if (container.network?.name !== network) throw new C32Error('BAD_STATE', `${container.meta.name} is not on network ${network}`);
		container.network = null;
		container.config.network = 'none';
		return {...container.meta};
	}

	/** What latestEvents and events return: a test appends to it. */
	readonly recordedEvents: C32Event[] = [];

	async *events(): AsyncIterable<C32Event> {
		yield* this.recordedEvents;
	}

	latestEvents(count: number): C32Event[] {
		return this.recordedEvents.slice(-count);
	}

	listWebhooks(): never[] {
		return [];
	}

	async addWebhook(): Promise<never> {
		throw new C32Error('UNSUPPORTED', 'the fake engine has no webhooks');
	}

	async removeWebhook(): Promise<never> {
		throw new C32Error('UNSUPPORTED', 'the fake engine has no webhooks');
	}

	async testWebhooks(): Promise<never[]> {
		return [];
	}

	async cleanupAll(): Promise<void> {
		for (const container of this.containers.values()) {
			if (container.meta.state === 'running' || container.meta.state === 'paused') this.transition(container, 'stopped');
		}
	}
}
