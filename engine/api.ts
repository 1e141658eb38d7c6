// The engine's public interface. The CLI and the dashboard depend on this, never on the
// implementation, so tests can hand them a double.

import type {Webhook} from './events/hook-config.js';
import type {EventsOptions} from './events/query.js';
import type {C32Event} from './events/types.js';
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
import type {NetworkInfo} from './network/types.js';
import type {
	ContainerConfig,
	ContainerInfo,
	ContainerListEntry,
	ContainerLogEntry,
	ContainerMetadata,
	ContainerMetrics,
	DoctorReport,
	ExportedState,
	HealthLogEntry,
	HealthStatus,
	LogEntry,
	LogOptions,
	ResolvedConfig,
} from './types.js';

export interface StopOptions {
	/** Seconds to wait after the stop signal before SIGKILL; default: the container's stopTimeout. */
	timeout?: number;
	/** The stop signal for this stop (name or number, as for kill); default: the container's stopSignal. */
	signal?: string;
}

export interface RemoveOptions {
	/** Kill a running or paused container first instead of refusing. */
	force?: boolean;
}

/** A command to run in a running container (docker exec). See docs/engine-api.md, exec. */
export interface ExecOptions {
	/** The program and its arguments: non-empty, strings without NUL. */
	command: string[];
	/** Added to (and overriding) the container's environment. */
	env?: Record<string, string>;
	/** "uid", "uid:gid", a user name or "name:gid" of the container's /etc/passwd; default the container's user. */
	user?: string;
	/** Absolute; default the container's working directory. */
	workingDir?: string;
	/** A terminal: needs stdio 'inherit' and a TTY stdin. */
	tty?: boolean;
	/** 'inherit': this process's stdin, stdout and stderr. A stream left out is /dev/null (stdin: no input). Default: all /dev/null. */
	stdio?: 'inherit' | {stdin?: NodeJS.ReadableStream | null; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream};
	/** Start it and resolve 0 at once; it ends with the container. */
	detach?: boolean;
	/** Aborting sends the command SIGTERM; the promise still resolves with its exit code. */
	signal?: AbortSignal;
}

/** Where attach writes output: a Writable (process.stdout) or anything with write(). */
export interface AttachSink {
	write(chunk: Uint8Array): unknown;
}

export interface AttachOptions {
	/** Forwarded when the container was created with stdinOpen (else ignored); its end is the container's EOF. */
	stdin?: NodeJS.ReadableStream | null;
	stdout: AttachSink;
	/** Default: stdout. A tty container has one stream, all of it on stdout. */
	stderr?: AttachSink;
	/** For tty containers: the caller's terminal size now, and a way to hear of resizes. */
	terminal?: {rows: number; columns: number; onResize(listener: (rows: number, columns: number) => void): () => void};
	/** Read from stdin when it is forwarded; default "ctrl-p,ctrl-q" (docker's spelling). */
	detachKeys?: string;
	/** Aborting leaves the container as it is, as a detach does. */
	signal?: AbortSignal;
	/** Start the container (created or ended) once attached, as docker start -a: none of its output is missed. */
	start?: boolean;
}

/** How an attach ended: the container's exit code (null: it ended unrecorded), or a detach (exitCode null). */
export interface AttachResult {
	exitCode: number | null;
	detached: boolean;
}

/** What `runHealthcheck` found: the container's status after this check, and the check's result. */
export interface HealthcheckRun {
	status: HealthStatus;
	failingStreak: number;
	result: HealthLogEntry;
}

/** What `c32 system boot` did: the containers it started, and those it could not start (why, one line). */
export interface BootReport {
	started: {id: string; name: string}[];
	failed: {id: string; name: string; error: string}[];
}

export interface HostStats {
	cpuCount: number;
	/** 100 = one full core; up to cpuCount * 100. Since the previous call on this engine. */
	cpuPercent: number;
	memoryTotalMb: number;
	memoryUsedMb: number;
	loadAverage: [number, number, number];
}

export interface Engine {
	readonly storageDir: string;

	createContainer(config: ContainerConfig): Promise<ContainerMetadata>;
	/** Create's whole validation of a config (schema, host, image store, driver, limits) without creating anything. */
	validateConfig(config: ContainerConfig): Promise<ResolvedConfig>;
	startContainer(ref: string): Promise<ContainerMetadata>;
	stopContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata>;
	killContainer(ref: string, signal?: string): Promise<ContainerMetadata>;
	restartContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata>;
	pauseContainer(ref: string): Promise<ContainerMetadata>;
	resumeContainer(ref: string): Promise<ContainerMetadata>;
	removeContainer(ref: string, options?: RemoveOptions): Promise<void>;
	/** Gives a container another name (NAME_IN_USE when taken); its id, hostname and state stay. */
	renameContainer(ref: string, newName: string): Promise<ContainerMetadata>;

	/** Every container, reconciled with reality, oldest first, each with its networks (one read of each record). */
	listContainers(): Promise<ContainerListEntry[]>;
	getContainer(ref: string): Promise<ContainerMetadata>;
	inspectContainer(ref: string): Promise<ContainerInfo>;

	getContainerMetrics(ref: string): Promise<ContainerMetrics>;
	/** One sample of many containers at once; running or paused ones only, others are skipped. */
	getMetricsBatch(refs?: string[]): Promise<ContainerMetrics[]>;
	/**
	 * Samples the running containers that have a threshold (their own or MEMORY_THRESHOLD_MB /
	 * CPU_THRESHOLD_PERCENT), records each crossing above as one `threshold` event, and returns
	 * their samples with `aboveThresholds`. Costs nothing when no threshold is set. Every
	 * getMetricsBatch checks its samples the same way.
	 */
	checkThresholds(): Promise<ContainerMetrics[]>;

	/**
	 * After the host rebooted: reconciles every record (a run of an earlier boot has ended),
	 * then starts, through the normal start path, each container whose policy is always or
	 * unless-stopped, that the user did not stop, and whose last run was in an earlier boot.
	 * Idempotent within a boot. See docs/reboots.md.
	 */
	bootContainers(): Promise<BootReport>;
	getHostStats(): Promise<HostStats>;

	/** With follow: true the iterable ends when the container exits or the signal aborts. */
	getLogs(ref: string, options?: LogOptions & {signal?: AbortSignal}): AsyncIterable<LogEntry>;

	/**
	 * The logs of several containers as one: what they recorded merged by time (`tail` counts
	 * per container), then with follow: true new lines of any of them as they arrive, through
	 * their exits and restarts, until the signal aborts (or every one of them is removed).
	 */
	getMergedLogs(refs: readonly string[], options?: LogOptions & {signal?: AbortSignal}): AsyncIterable<ContainerLogEntry>;

	/**
	 * Runs a command in a running container and resolves with its exit code (128 + n when
	 * signal n ended it). START_FAILED when the program is not found or cannot be run: its
	 * message is "<program>: executable file not found in $PATH" or "<program>: permission denied".
	 */
	execInContainer(ref: string, options: ExecOptions): Promise<number>;

	/**
	 * Relays a running container's output (and input, terminal size) until its run ends or the
	 * caller detaches. A restart of its policy is a new run: the attach has ended before it.
	 */
	attachContainer(ref: string, options: AttachOptions): Promise<AttachResult>;

	/**
	 * Runs the container's health check now and records its result, as a scheduled check does
	 * (docs/health.md). BAD_STATE when it has no check or is not running.
	 */
	runHealthcheck(ref: string): Promise<HealthcheckRun>;

	/** Resolves with the exit code once the container is no longer running or paused. */
	waitContainer(ref: string): Promise<number>;

	exportContainerState(ref: string): Promise<ExportedState>;
	importContainerState(state: ExportedState): Promise<ContainerMetadata>;

	doctor(): Promise<DoctorReport>;

	// OCI images (docs/engine-api.md, "Images"; names and references: docs/storage.md, "OCI images").

	/** From a registry (REF or docker://REF) through skopeo. TRANSPORT_FAILED for an unknown tag or an unreachable registry. */
	pullImage(ref: string, options?: PullOptions): Promise<ImageSummary>;
	/** Every image of an oci-archive or docker-archive (podman/docker/c32 save). */
	loadImage(file: string, options?: TransferOptions): Promise<ImageSummary[]>;
	/** A root filesystem tar (plain or gzip) as a one-layer image NAME[:TAG], with docker's --change instructions. */
	importImage(file: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary>;
	/** Newest first. */
	listImages(): Promise<ImageSummary[]>;
	inspectImage(ref: string): Promise<ImageDetails>;
	/** Gives image `source` the name `target` (taken from any image that had it). */
	tagImage(source: string, target: string): Promise<void>;
	/** IMAGE_IN_USE for an image a container uses, unless force (which untags it and keeps it while needed). */
	removeImages(refs: string[], options?: {force?: boolean}): Promise<RemovedImage[]>;
	/** Removes untagged images no container uses. */
	pruneImages(): Promise<PruneResult>;
	saveImage(ref: string, file: string, options?: {format?: ArchiveFormat}): Promise<void>;

	// Containers and images (docs/engine-api.md, commit and container archives).
	/**
	 * A new image NAME[:TAG]: the container's upper layer (its deletions as whiteouts) on top of
	 * its image, with its config (+ docker's --change). A running container is paused while its
	 * layer is packed. UNSUPPORTED for a root of the host's trees or one with --base.
	 */
	commitContainer(ref: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary>;
	/** The container's state and its image in one tar, also an oci-archive (c32 export --with-image). */
	exportContainerArchive(ref: string, file: string): Promise<void>;
	/** A file of exportContainerArchive: its image loaded into this store (unless there), then the container created (as `name` when given); NAME_IN_USE leaves nothing. */
	importContainerArchive(file: string, options?: TransferOptions & {name?: string}): Promise<ContainerMetadata>;
	diskUsage(): Promise<DiskUsage>;
	/** What a file for import or load holds, by its content. */
	archiveKind(file: string): Promise<ArchiveKind>;

	// Networks (docs/architecture.md, "Networks").

	/** A bridge network: the next free 10.90.N.0/24 unless `subnet`; INVALID_CONFIG for a bad or overlapping subnet, NAME_IN_USE for a taken name. */
	createNetwork(name: string, options?: {subnet?: string; internal?: boolean}): Promise<NetworkInfo>;
	/** Every network, the default `c32` first. */
	listNetworks(): Promise<NetworkInfo[]>;
	/** NOT_FOUND for an unknown name. */
	inspectNetwork(name: string): Promise<NetworkInfo>;
	/** BAD_STATE while a container is configured on it; its bridge goes with it. */
	removeNetwork(name: string): Promise<void>;
	/**
	 * Puts a container on one more c32 network (a container may be on several), known there by
	 * its name, hostname and `aliases`. A running or paused one joins at once: a new interface
	 * (eth1, eth2...) in its namespace, its names in the hosts files of that network's members
	 * and theirs in its own; a created or ended one joins at its next start. Published ports,
	 * the bandwidth limit and the default route stay on its first network. NOT_FOUND for an
	 * unknown network; INVALID_CONFIG for host/none, a container on the host's network or of
	 * minimal isolation, or one already on the network; BAD_STATE for a container running
	 * with --network none (its namespace is not c32's).
	 */
	connectNetwork(ref: string, network: string, options?: {aliases?: string[]}): Promise<ContainerMetadata>;
	/**
	 * Takes a container off one of its c32 networks: a running one at once (that network's
	 * interface, address, rules and names go; it runs on), else from its next start. Leaving
	 * the first network moves the next one up and drops the published ports and the bandwidth
	 * limit; off its last network it has loopback only. INVALID_CONFIG when it is not on it.
	 */
	disconnectNetwork(ref: string, network: string): Promise<ContainerMetadata>;

	/** Stops every running container (the seed's shutdown hook). */
	cleanupAll(): Promise<void>;

	// Events, hooks and webhooks (docs/events.md).

	/**
	 * The events log: what was recorded in the window (since/until) that passes the filters,
	 * oldest first. With follow: true it then yields every event as it is recorded, until the
	 * signal aborts, `until` passes or the consumer stops iterating. INVALID_CONFIG for a bad time.
	 */
	events(options?: EventsOptions): AsyncIterable<C32Event>;
	/** The last `count` recorded events, oldest first. */
	latestEvents(count: number): C32Event[];
	listWebhooks(): Webhook[];
	/** INVALID_CONFIG for a URL that is not http(s), an unknown event or a timeout outside 100 ms to 60 s. */
	addWebhook(options: {url: string; events?: string[]; timeoutMs?: number}): Promise<Webhook>;
	/** By id or URL; NOT_FOUND when none matches. */
	removeWebhook(ref: string): Promise<Webhook[]>;
	/** One POST of a `test` event to each webhook (or the one named), now; error null when it was delivered. */
	testWebhooks(ref?: string): Promise<{webhook: Webhook; error: string | null}[]>;
}
