// The engine's public data types. Everything here is plain JSON-serialisable data.

import type {Capability, CapabilityName} from './capabilities.js';
import type {ContainerHook} from './events/hooks.js';
import type {ContainerHealth, HealthcheckConfig, HealthcheckInput} from './health/types.js';
import type {PortMapping} from './network/types.js';

export * from './health/types.js';
/** The default network of standard containers (bridge c32br0, 10.90.0.0/22). */
export {DEFAULT_NETWORK} from './network/types.js';
export type {Capability, CapabilityName, PortMapping};

export type IsolationType = 'minimal' | 'standard' | 'strict';
export const ISOLATION_TYPES: readonly IsolationType[] = ['minimal', 'standard', 'strict'];

/**
 * `restarting`: ended, with a restart of its policy pending (metadata.nextRestartAt says when).
 * `damaged`: its state file cannot be read; only removal (rm -f) works on it.
 */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'stopped' | 'exited' | 'failed' | 'damaged';
export const CONTAINER_STATES: readonly ContainerState[] = [
	'created',
	'running',
	'paused',
	'restarting',
	'stopped',
	'exited',
	'failed',
	'damaged',
];

/**
 * 'host': the host's network (shared, the less isolated choice); 'none': loopback only; any
 * other value names a c32 network (`c32`, the default bridge, or one made by createNetwork).
 */
export type NetworkMode = 'host' | 'none' | (string & {});

export interface Volume {
	source: string;
	destination: string;
	readOnly?: boolean;
}

export interface ResourceLimits {
	/** CPU quota: 100 = one full core, 50 = half a core, 200 = two cores. */
	cpuLimitPercent?: number;
	memoryLimitMb?: number;
	/** Read and write throttle on the block device that holds the storage root. */
	diskIoLimitMbps?: number;
	/**
	 * Megabits per second (as networks count: 8 = 1 MB/s), shaping traffic both ways on a
	 * c32 network (the CNI bandwidth plugin). 0 or absent = no limit.
	 */
	networkBandwidthLimitMbps?: number;
	/** pids limit for the whole container; default 2048 (C32_DEFAULT_PIDS_LIMIT). */
	maxProcesses?: number;
	/** RLIMIT_NOFILE, soft and hard; default 4096 (C32_DEFAULT_NOFILE). */
	maxOpenFiles?: number;
}

export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

/** The string form of a policy: "on-failure:5" retries five times. */
export type RestartPolicyText = RestartPolicyName | `on-failure:${number}`;

export interface RestartPolicy {
	name: RestartPolicyName;
	/** on-failure only: give up after this many restarts (0 = unlimited). */
	maxRetries?: number;
}

/** What a caller passes to createContainer. Only `name` or `image`/command is needed. */
export interface ContainerConfig {
	name?: string;
	/**
	 * A host path: a file (snapshotted to /app/<basename>) or a directory (its contents to /app);
	 * or an OCI image reference ("busybox", "127.0.0.1:5000/team/bot:1", an id) whose root the
	 * container runs on. A host path starts with "/", "./", "../" or "~", or names something
	 * that exists on the host; anything else is a reference, resolved in the image store.
	 */
	image?: string;
	/** An OCI image reference whose root a host-path `image` runs on (its snapshot at /app): c32 run --base. */
	base?: string;
	entrypoint?: string;
	args?: string[];
	environment?: Record<string, string>;
	volumes?: Volume[];
	resourceLimits?: ResourceLimits;
	isolationLevel?: IsolationType;
	labels?: Record<string, string>;
	/** A policy object or a string: "no", "on-failure", "on-failure:5", "always", "unless-stopped". */
	restartPolicy?: RestartPolicy | RestartPolicyText;
	/** Seed compatibility: autoRestart=true means on-failure with maxRestartCount retries. */
	autoRestart?: boolean;
	maxRestartCount?: number;
	workingDir?: string;
	/**
	 * "uid", "uid:gid" or a user name known to the host's /etc/passwd; or the object a
	 * ResolvedConfig holds (no lookup; `name` is only shown).
	 */
	user?: string | ContainerUser;
	hostname?: string;
	/** Signal name sent by stop, default SIGTERM. */
	stopSignal?: string;
	/** Seconds between the stop signal and SIGKILL, default 10. */
	stopTimeout?: number;
	/** Default: standard → `c32`; strict → none; minimal → host (the only one it can have). */
	network?: NetworkMode;
	/**
	 * Ports published on the host (a c32 network only): objects, or docker's -p syntax
	 * ("8080:80", "127.0.0.1:8080:80/udp", "80" for a free host port, "8000-8001:80-81").
	 */
	ports?: PortMapping[] | string[];
	/** More names the container is known by to the others on its network. */
	networkAliases?: string[];
	/** Further c32 networks it joins (eth1, eth2...), with its aliases on each; `network` must name a c32 network. */
	additionalNetworks?: {name: string; aliases?: string[]}[];
	/** Log size cap in bytes per log file, default 10 MiB. */
	logSizeMax?: number;
	/** Remove the container once it has exited (docker's --rm); excludes a restart policy. */
	autoRemove?: boolean;
	/**
	 * Capabilities added to the level's default set (standard: podman's 11; strict: none), as
	 * docker's --cap-add: "NET_RAW" or "CAP_NET_RAW", any case; "ALL" adds every one.
	 * Not for minimal isolation, which has no capability set of its own.
	 */
	capAdd?: CapabilityName[];
	/** Capabilities removed from the default set; "ALL" keeps only those in capAdd. */
	capDrop?: CapabilityName[];
	/** Keep the main process's stdin open for attach clients (docker -i). Not for minimal isolation. */
	stdinOpen?: boolean;
	/** Give the main process a terminal (docker -t): one output stream, resizable. Not for minimal isolation. */
	tty?: boolean;
	/**
	 * Run a small init (catatonit or tini) as PID 1 that forwards signals to the command's
	 * process group and reaps orphans (docker's --init). Default: on for a script image (a
	 * file image whose command c32 derives), off for a command given explicitly and for
	 * minimal isolation, which refuses it (its process is not PID 1).
	 */
	init?: boolean;
	/**
	 * Commands run on the host when the container has an event (c32 run --hook die=CMD): the
	 * event's JSON on stdin, C32_* variables, no shell. See docs/events.md.
	 */
	hooks?: ContainerHook[];
	/**
	 * A health check run inside the container (docs/health.md); left out: the OCI image's
	 * HEALTHCHECK, if any, as it is; null: no check, not even the image's (--no-healthcheck).
	 */
	healthcheck?: HealthcheckInput | null;
	/** The longest wait between the restarts of a crash loop, in ms (100 ms to 24 h); default 30 s. */
	restartMaxDelayMs?: number;
	/** Flag the container (ps, top, a `threshold` event) while its memory is above this many MB; default MEMORY_THRESHOLD_MB. */
	memoryThresholdMb?: number;
	/** Flag the container while its CPU use is above this percentage (100 = one core); default CPU_THRESHOLD_PERCENT. */
	cpuThresholdPercent?: number;
	/**
	 * An absolute path where every start writes the monitor's pid (conmon's), as podman's
	 * --conmon-pidfile: a path known before the container
	 * exists, for a systemd unit's PIDFile=. Removed when the run ends.
	 */
	monitorPidFile?: string;
}

export interface ContainerUser {
	uid: number;
	gid: number;
	/** The user name it was given as, when it was. */
	name?: string;
	/**
	 * On an OCI root: the user as given ("name", "uid", "name:group", ...), looked up in the
	 * container's own /etc/passwd and /etc/group at every start (uid and gid are then 0 here).
	 */
	lookup?: string;
}

/** The OCI image a container's root is made of (ResolvedConfig.ociImage). */
export interface ContainerImage {
	/** The image id: its config's digest, "sha256:<64 hex>". */
	id: string;
	/** The name it was given by, fully qualified (e.g. "localhost/bot:latest"); null when given by id. */
	name: string | null;
	/** The manifest's digest. */
	digest: string;
}

/** A ContainerConfig after validation, with every default filled in. This is what is stored. */
export interface ResolvedConfig {
	name: string;
	/** The host path snapshotted to /app; null for none (a pure OCI image or no image). */
	image: string | null;
	/** The OCI image the root is made of (with `image`: the --base under it); null for a host-derived root and in older records. */
	ociImage: ContainerImage | null;
	/** The full command: entrypoint then args. */
	entrypoint: string;
	args: string[];
	environment: Record<string, string>;
	volumes: Required<Volume>[];
	resourceLimits: ResourceLimits;
	isolationLevel: IsolationType;
	labels: Record<string, string>;
	restartPolicy: Required<RestartPolicy>;
	workingDir: string;
	user: ContainerUser;
	hostname: string;
	stopSignal: string;
	stopTimeout: number;
	network: NetworkMode;
	/** Published ports, ranges expanded ([] in records from before networks). */
	ports: PortMapping[];
	/** [] in records from before networks. */
	networkAliases: string[];
	/**
	 * The c32 networks it is on besides `network` (its first, which carries the published ports
	 * and the bandwidth limit), in the order it joined them: eth1, eth2... Empty unless `network`
	 * names a c32 network; [] in records from before multi-network containers.
	 */
	additionalNetworks: NetworkLink[];
	logSizeMax: number;
	autoRemove: boolean;
	/** The capability set of the container's process, in kernel order; null for minimal isolation. */
	capabilities: Capability[] | null;
	/** docker -i: stdin stays open for attach clients (records written before it existed: false). */
	stdinOpen: boolean;
	/** docker -t: the main process's stdio is a terminal. */
	tty: boolean;
	/** Whether an init runs as PID 1 with the command as its child (false in records from before it existed). */
	init: boolean;
	/** Its hooks, events normalised ([] in records from before hooks). */
	hooks: ContainerHook[];
	/** The health check, or null for none (and in records from before health checks). */
	healthcheck: HealthcheckConfig | null;
	/** The backoff cap of its crash loop (records from before it existed: 30 s). */
	restartMaxDelayMs: number;
	/** Its own thresholds; null: the settings' (MEMORY_THRESHOLD_MB, CPU_THRESHOLD_PERCENT) when it is measured. */
	memoryThresholdMb: number | null;
	cpuThresholdPercent: number | null;
	/** Where each start also writes the monitor's pid; null for nowhere (and in records from before it existed). */
	monitorPidFile: string | null;
}

export interface ContainerMetadata {
	id: string;
	name: string;
	state: ContainerState;
	/** Host pid of the container's main process while running or paused, else null. */
	pid: number | null;
	exitCode: number | null;
	oomKilled: boolean;
	errorMessage: string | null;
	/** The host path, or the OCI image's name (its short id when it has none). */
	image: string | null;
	isolationLevel: IsolationType;
	/** 'runc', 'crun' or 'process'. */
	runtime: string;
	createdAt: string;
	startedAt: string | null;
	finishedAt: string | null;
	restartCount: number;
	/** While `restarting`: when the restart policy starts the container again. */
	nextRestartAt: string | null;
	/** Set by a user stop; a pending restart never overrides it. */
	stopRequested: boolean;
	labels: Record<string, string>;
	/** How its health checks are doing; only on containers with a check, read from its health file when listed. */
	health?: ContainerHealth;
	/** While `restarting`: it restarted too often in a row (restart.ts CRASH_LOOP_RESTARTS) and waits its backoff. */
	crashLoop?: boolean;
}

/** A container as listed: its metadata and the networks inspect would show, read from the same record. */
export interface ContainerListEntry extends ContainerMetadata {
	/** As ContainerInfo.networks; the engine always sets it (engine doubles may leave it out). */
	networks?: ContainerNetwork[];
}

/** One range of a user namespace's id map: `size` ids from `containerID` inside are `hostID`... on the host. */
export interface IdMapping {
	containerID: number;
	hostID: number;
	size: number;
}

/** The user namespace a container runs in (strict isolation). */
export interface UserNamespace {
	uidMappings: IdMapping[];
	gidMappings: IdMapping[];
}

export interface ContainerInfo extends ContainerMetadata {
	config: ResolvedConfig;
	/** Where the engine keeps this container's files. */
	/** monitorPidFile: where every start writes the monitor's pid (conmon's), a systemd unit's PIDFile=. */
	paths: {bundle: string; log: string; monitorPidFile: string};
	/** The uid/gid mapping the container runs with; null when it shares the host's (its root is host root). */
	userNamespace: UserNamespace | null;
	/** Its first c32 network (null for the host's network and for none); ip and gateway only while it runs. */
	network: ContainerNetwork | null;
	/** Every c32 network it is on, the first one first (ports only there); [] for host and none. */
	networks: ContainerNetwork[];
}

/** A further c32 network of a container, with the aliases it is known by there. */
export interface NetworkLink {
	name: string;
	aliases: string[];
}

export interface ContainerNetwork {
	name: string;
	ip: string | null;
	gateway: string | null;
	/** While it runs: the host ports in use; else the ports of its config (0 = picked at start). */
	ports: PortMapping[];
}

export interface ContainerMetrics {
	id: string;
	name: string;
	/** 100 = one full core. */
	cpuPercent: number;
	memoryMb: number;
	memoryLimitMb: number | null;
	pids: number;
	blockReadBytes: number;
	blockWriteBytes: number;
	timestamp: string;
	/** What of this sample is above the container's thresholds (its own or the settings'); empty when none is. */
	aboveThresholds?: ThresholdBreach[];
}

export type ThresholdMetric = 'memory' | 'cpu';

/** A sample above a threshold: memory in MB, CPU in percent (100 = one core). */
export interface ThresholdBreach {
	metric: ThresholdMetric;
	value: number;
	threshold: number;
}

export type LogStream = 'stdout' | 'stderr';

export interface LogEntry {
	timestamp: string;
	stream: LogStream;
	line: string;
}

export interface LogOptions {
	stream?: LogStream | 'both';
	tail?: number;
	/** ISO timestamp or a duration such as "10m", "2h", "30s". */
	since?: string;
	/** Only entries up to then (the same forms as since); a follow ends once it has passed. */
	until?: string;
	follow?: boolean;
}

/** An entry of a merged log (getMergedLogs): which container wrote it. */
export interface ContainerLogEntry extends LogEntry {
	id: string;
	name: string;
}

export interface ExportedState {
	formatVersion: number;
	exportedAt: string;
	metadata: ContainerMetadata;
	config: ResolvedConfig;
}

export interface DoctorReport {
	runtime: {name: string; path: string; version: string} | null;
	/** Runtimes found but unusable on this host, with why. */
	runtimesRejected: {name: string; reason: string}[];
	conmon: {path: string; version: string} | null;
	/** The init that --init binds into containers (a static catatonit or tini), or null when none is installed. */
	init: {name: string; path: string; version: string} | null;
	/** The transport of OCI images (pull, load, save), or null when not installed. */
	skopeo: {path: string; version: string} | null;
	/** setfattr and getfattr (the attr package), which unpacking and committing image layers need. */
	layerTools: boolean;
	cgroupVersion: 1 | 2 | 'hybrid' | null;
	root: boolean;
	userNamespaces: boolean;
	overlayfs: boolean;
	seccomp: boolean;
	storageDir: string;
	runtimeDir: string;
	/** Where the engine logs failures it survived (a teardown, an unsaved record, an exit command's error). */
	debugLog: string;
	/** The container network stack: the CNI reference plugins c32 uses, and the firewall tools they drive. */
	network: {
		/** The first of /usr/lib/cni and /opt/cni/bin holding any of the plugins; null when neither does. */
		cniDir: string | null;
		/** Of bridge, host-local, portmap, bandwidth, firewall and loopback: those found, those not. */
		cniPlugins: string[];
		cniMissing: string[];
		iptables: {path: string; version: string} | null;
		/** Not needed by the plugins; lists the rules they add (nft list ruleset). */
		nft: {path: string; version: string} | null;
	};
	/** Install hints for whatever is missing. */
	problems: string[];
}
