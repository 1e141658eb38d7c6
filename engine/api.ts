// The engine's public interface. The CLI and the dashboard depend on this, never on the
// implementation, so tests can hand them a double.

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
	startContainer(ref: string): Promise<ContainerMetadata>;
	stopContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata>;
	killContainer(ref: string, signal?: string): Promise<ContainerMetadata>;
	restartContainer(ref: string, options?: StopOptions): Promise<ContainerMetadata>;
	pauseContainer(ref: string): Promise<ContainerMetadata>;
	resumeContainer(ref: string): Promise<ContainerMetadata>;
	removeContainer(ref: string, options?: RemoveOptions): Promise<void>;
	/** Gives a container another name (NAME_IN_USE when taken); its id, hostname and state stay. */
	renameContainer(ref: string, newName: string): Promise<ContainerMetadata>;

	/** Every container, reconciled with reality, oldest first. */
	listContainers(): Promise<ContainerMetadata[]>;
	getContainer(ref: string): Promise<ContainerMetadata>;
	inspectContainer(ref: string): Promise<ContainerInfo>;

	getContainerMetrics(ref: string): Promise<ContainerMetrics>;
	/** One sample of many containers at once; running or paused ones only, others are skipped. */
	getMetricsBatch(refs?: string[]): Promise<ContainerMetrics[]>;
	getHostStats(): Promise<HostStats>;

	/** With follow: true the iterable ends when the container exits or the signal aborts. */
	getLogs(ref: string, options?: LogOptions & {signal?: AbortSignal}): AsyncIterable<LogEntry>;

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

	/** Resolves with the exit code once the container is no longer running or paused. */
	waitContainer(ref: string): Promise<number>;

	exportContainerState(ref: string): Promise<ExportedState>;
	importContainerState(state: ExportedState): Promise<ContainerMetadata>;

	doctor(): Promise<DoctorReport>;

	pullImage(ref: string, options?: PullOptions): Promise<ImageSummary>;
	loadImage(file: string, options?: TransferOptions): Promise<ImageSummary[]>; // oci-archive | docker-archive
	importImage(file: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary>; // rootfs tar → 1-layer image
	listImages(): Promise<ImageSummary[]>;
	inspectImage(ref: string): Promise<ImageDetails>;
	tagImage(source: string, target: string): Promise<void>;
	removeImages(refs: string[], options?: {force?: boolean}): Promise<RemovedImage[]>; // IMAGE_IN_USE unless force
	pruneImages(): Promise<PruneResult>; // untagged, unused images
	saveImage(ref: string, file: string, options?: {format?: ArchiveFormat}): Promise<void>;
	diskUsage(): Promise<DiskUsage>;
	archiveKind(file: string): Promise<ArchiveKind>; // engine/image/archive-kind.ts

	/** The container's upper layer as a new image (H3). */
	commitContainer(ref: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary>;
	/** A tar of the container's state and its image as an OCI layout (c32 export --with-image). */
	exportContainerArchive(ref: string, file: string): Promise<void>;
	importContainerArchive(file: string): Promise<ContainerMetadata>;

	/** Stops every running container (the seed's shutdown hook). */
	cleanupAll(): Promise<void>;
}
