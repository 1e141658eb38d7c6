// The contract between the engine and the two ways of running a container:
// the OCI driver (conmon + runc/crun) and the process driver (conmon + a sh script as its runtime).
//
// Both keep the same on-disk contract in ContainerPaths.userdata:
//   ctr.log    the k8s-file log ("<RFC3339Nano> stdout|stderr F|P <text>\n"), capped at
//              config.logSizeMax bytes; ctr.log.1 holds the previous generation.
//   exit       the exit code as decimal text, written once the container's main process ends
//              (128 + signal when killed by a signal).
//   oom        an empty file, present when the container was OOM-killed.
//   monitor.pid the pid of the monitor (conmon).
// When the container ends, the monitor runs `exitCommand` (argv) so the engine can record
// the exit and apply the restart policy with no daemon around.
import type {ContainerPaths} from '../paths.js';
import type {NetworkState, ProcessRef} from '../record.js';
import type {ResolvedConfig} from '../types.js';

export interface DriverContext {
	id: string;
	config: ResolvedConfig;
	paths: ContainerPaths;
	/** The snapshot directory that becomes /app, or null for an image-less container. */
	imageDir: string | null;
	/** cgroup path relative to each hierarchy's root, e.g. "c32/<id>". */
	cgroupPath: string;
	/**
	 * The network namespace a start on a c32 network joins: made by the network attachment's
	 * prepare for the bundle's spec, wired to the network while the runtime creates the container.
	 */
	netnsPath?: string | null;
	/**
	 * The c32 network of the run: the record's for a running container; during a start, set
	 * by the network attachment once the container is on it (its ready).
	 */
	network?: NetworkState | null;
	/** The further c32 networks of the run (eth1...), set with `network`. */
	additionalNetworks?: NetworkState[];
	/** The main process of a running (not paused) container, as recorded (pid and start time). */
	mainProcess?: ProcessRef | null;
}

export interface StartResult {
	pid: number;
	monitorPid: number;
}

/** What exec runs in a running container; anything null is the container's own (its main process's). */
export interface ExecProcess {
	/** The program and its arguments: non-empty, no NUL bytes. */
	args: string[];
	/** Added to the container's environment, overriding variables of the same name. */
	env: Record<string, string>;
	/** "uid", "uid:gid", "name" or "name:gid" (checked for form only; the driver looks names up). */
	user: string | null;
	/** An absolute path inside the container. */
	cwd: string | null;
	terminal: boolean;
	/** Start it and return at once; it ends with the container. */
	detach: boolean;
}

/** Where an exec'd command's stdio goes. */
export interface ExecIO {
	/** 'inherit': this process's own fds 0-2 (a terminal needs that); a stream left out is /dev/null. */
	stdio: 'inherit' | {stdin: NodeJS.ReadableStream | null; stdout: NodeJS.WritableStream | null; stderr: NodeJS.WritableStream | null};
	/** Aborting sends the command SIGTERM. */
	signal?: AbortSignal;
	/**
	 * Aborting SIGKILLs the command and what it started (its process group: a shell's
	 * children too), for a health check past its timeout. The OCI driver; the process driver
	 * kills the command alone.
	 */
	kill?: AbortSignal;
}

export interface Driver {
	/** 'runc', 'crun' or 'process'. */
	readonly name: string;
	/**
	 * Starts the container and resolves once its main process runs. On failure it throws a
	 * C32Error('START_FAILED') carrying the runtime's message, having removed what it made.
	 * `created` runs once the monitor serves the container's stdio and before its process
	 * runs (both drivers hold it until then), so an attach client connected there misses no
	 * output; its failure fails the start.
	 */
	start(ctx: DriverContext, exitCommand: string[], created?: () => Promise<void>): Promise<StartResult>;
	/** Sends a signal to the main process, or to every process of the container with all. */
	signal(ctx: DriverContext, signal: string, all: boolean): Promise<void>;
	pause(ctx: DriverContext): Promise<void>;
	resume(ctx: DriverContext): Promise<void>;
	/**
	 * Runs a command in the running container: its namespaces, cgroup and limits. Resolves
	 * with the command's exit code (128 + n when a signal ended it; 0 at once with detach);
	 * throws START_FAILED "<program>: <reason>" when the program cannot be run, another
	 * C32Error when the driver failed. Leaves no file behind.
	 */
	exec(ctx: DriverContext, process: ExecProcess, io: ExecIO): Promise<number>;
	/** Removes runtime state and cgroups once the container has ended. Idempotent. */
	cleanup(ctx: DriverContext): Promise<void>;
}
