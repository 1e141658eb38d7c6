// The engine's public interface. The CLI and the dashboard depend on this, never on the
// implementation, so tests can hand them a double.
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

export interface ExecOptions {
	/** Non-empty, strings without NUL. */
	command: string[];
	/** Added to (and overriding) the container's environment. */
	env?: Record<string, string>;
	/** "uid", "uid:gid" or a user name; default the container's. */
	user?: string;
	/** Absolute; default the container's. */
	workingDir?: string;
	/** A terminal: needs stdio 'inherit' and a TTY stdin. */
	tty?: boolean;
	stdio?: 'inherit' | {stdin?: NodeJS.ReadableStream | null; stdout?: NodeJS.WritableStream; stderr?: NodeJS.WritableStream};
	/** Start it and resolve 0 at once; it ends with the container. */
	detach?: boolean;
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

	/** Resolves with the exit code once the container is no longer running or paused. */
	waitContainer(ref: string): Promise<number>;

	/** Runs a command in the running container; resolves with the command's exit code. */
	execInContainer(ref: string, options: ExecOptions): Promise<number>;

	exportContainerState(ref: string): Promise<ExportedState>;
	importContainerState(state: ExportedState): Promise<ContainerMetadata>;

	doctor(): Promise<DoctorReport>;

	/** Stops every running container (the seed's shutdown hook). */
	cleanupAll(): Promise<void>;
}
