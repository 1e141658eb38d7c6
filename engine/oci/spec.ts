// The OCI runtime spec (config.json) of a container, computed from its resolved config and
// the facts of the host. A pure function: no file is read or written here.
// Limits translate to the same numbers as the process driver writes into cgroups itself.
import {defaultCapabilities} from '../capabilities.js';
import {CPU_PERIOD_US, cpuQuotaUs, diskBytesPerSecond, memoryLimitBytes} from '../cgroups/limits.js';
import {containerEnvironment} from '../environment.js';
import {C32Error} from '../errors.js';
import type {ResolvedConfig, UserNamespace} from '../types.js';
import {defaultSeccompProfile, type SeccompProfile} from './seccomp.js';

export {CPU_PERIOD_US};

export interface HostDir {
	/** e.g. /usr */
	path: string;
	/** When the host has it as a symlink (merged /usr), its target, recreated as a symlink. */
	symlinkTarget?: string;
}

export type AppMount = {kind: 'overlay'; lower: string; upper: string; work: string} | {kind: 'bind'; source: string; readOnly: boolean};

/** A file of the container's own bound over the host's view (its /etc/hosts, ...). */
export interface BindFile {
	source: string;
	destination: string;
}

export interface SpecInput {
	id: string;
	config: ResolvedConfig;
	rootfs: string;
	/** null: no /app (an OCI image without a host-path image on it). */
	app: AppMount | null;
	/** Whether the root is an OCI image's: nothing of the host's /etc is in it, so none of its secrets are masked. */
	imageRoot?: boolean;
	/** The host directories bound read-only, only those that exist (see HOST_SYSTEM_DIRS); none on an OCI root. */
	hostDirs: HostDir[];
	/** The container's /etc/hostname, /etc/hosts and /etc/resolv.conf. */
	etcFiles: BindFile[];
	/** Whether read-only binds can be made read-only recursively (rro: mount_setattr, Linux 5.12). */
	recursiveReadOnly: boolean;
	cgroupsPath: string;
	/** The whole disk that holds the storage root, for I/O throttling. */
	blockDevice: {major: number; minor: number} | null;
	/** Whether the memory controller can limit swap (v1 memsw, v2 memory.swap.max). */
	swapLimitSupported: boolean;
	/** The user namespace (strict), see user-namespace.ts; null shares the host's. */
	userNamespace: UserNamespace | null;
	/** On a c32 network: the network namespace it joins (made and wired by the network attachment). */
	netnsPath?: string | null;
	/** The host path of the static init bound to INIT_PATH when config.init is on (see host.ts findInit). */
	initBinary?: string | null;
	arch: string;
}

/**
 * Where the init is bound in a container: outside the user's tree and independent of the
 * root's /usr, so it works for any root. catatonit and tini take the same flags: -g sends
 * the signals it gets to the command's whole process group, -- ends its own options.
 */
export const INIT_PATH = '/run/c32-init';
const INIT_ARGS = [INIT_PATH, '-g', '--'];

/** Files and directories of the host's /etc that a container must not read. */
export const MASKED_HOST_SECRETS = [
	'/etc/shadow',
	'/etc/shadow-',
	'/etc/gshadow',
	'/etc/gshadow-',
	'/etc/security/opasswd',
	'/etc/sudoers',
	'/etc/sudoers.d',
	'/etc/ssh',
	'/etc/ssl/private',
	'/etc/c32',
];

const MASKED_KERNEL_PATHS = [
	'/proc/acpi',
	'/proc/asound',
	'/proc/kcore',
	'/proc/keys',
	'/proc/latency_stats',
	'/proc/timer_list',
	'/proc/timer_stats',
	'/proc/sched_debug',
	'/proc/scsi',
	'/sys/firmware',
	'/sys/devices/virtual/powercap',
];

const READONLY_KERNEL_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

interface Mount {
	destination: string;
	type: string;
	source: string;
	options: string[];
}

export interface OciSpec {
	ociVersion: string;
	process: {
		terminal: boolean;
		user: {uid: number; gid: number; additionalGids?: number[]};
		args: string[];
		env: string[];
		cwd: string;
		capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
		rlimits: {type: string; hard: number; soft: number}[];
		noNewPrivileges: boolean;
		oomScoreAdj?: number;
	};
	root: {path: string; readonly: boolean};
	hostname: string;
	mounts: Mount[];
	linux: {
		namespaces: {type: string; path?: string}[];
		uidMappings?: {containerID: number; hostID: number; size: number}[];
		gidMappings?: {containerID: number; hostID: number; size: number}[];
		cgroupsPath: string;
		resources: Record<string, unknown>;
		seccomp: SeccompProfile;
		maskedPaths: string[];
		readonlyPaths: string[];
	};
	annotations: Record<string, string>;
}

export function buildSpec(input: SpecInput): OciSpec {
	const {config} = input;
	const strict = config.isolationLevel === 'strict';
	// A record written before capabilities were stored gets its level's default set.
	const caps = config.capabilities ?? defaultCapabilities(config.isolationLevel) ?? [];
	const namespaces: {type: string; path?: string}[] = [{type: 'pid'}, {type: 'mount'}, {type: 'ipc'}, {type: 'uts'}, {type: 'cgroup'}];
	const network = networkNamespace(input);
	if (network !== null) namespaces.push(network);
	if (input.userNamespace) namespaces.push({type: 'user'});
	const userns = input.userNamespace;

	return {
		ociVersion: '1.0.2',
		process: {
			terminal: config.tty === true,
			user: {uid: config.user.uid, gid: config.user.gid},
			args: [...(runsInit(input) ? INIT_ARGS : []), config.entrypoint, ...config.args],
			env: containerEnvironment(config),
			cwd: config.workingDir,
			capabilities: {bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: []},
			rlimits:
				config.resourceLimits.maxOpenFiles === undefined
					? []
					: [
							{
								type: 'RLIMIT_NOFILE',
								hard: config.resourceLimits.maxOpenFiles,
								soft: config.resourceLimits.maxOpenFiles,
							},
						],
			noNewPrivileges: true,
		},
		root: {path: input.rootfs, readonly: strict},
		hostname: config.hostname,
		mounts: buildMounts(input),
		linux: {
			namespaces,
			...(userns ? {uidMappings: userns.uidMappings, gidMappings: userns.gidMappings} : {}),
			cgroupsPath: input.cgroupsPath,
			resources: buildResources(input),
			seccomp: defaultSeccompProfile(input.arch),
			maskedPaths: input.imageRoot ? MASKED_KERNEL_PATHS : [...MASKED_KERNEL_PATHS, ...MASKED_HOST_SECRETS],
			readonlyPaths: READONLY_KERNEL_PATHS,
		},
		annotations: {'io.c32.name': config.name, 'io.c32.isolation': config.isolationLevel},
	};
}

/** None on the host's network; a new empty one for none; the prepared one on a c32 network. */
function networkNamespace(input: SpecInput): {type: string; path?: string} | null {
	const {network} = input.config;
	if (network === 'host') return null;
	if (network === 'none') return {type: 'network'};
	if (!input.netnsPath)
		throw new C32Error('RUNTIME_ERROR', `the container is on network ${network} but no network namespace was prepared for it`);
	return {type: 'network', path: input.netnsPath};
}

/** Whether the container runs under the init; the bundle refuses to start one whose init is missing (INIT_MISSING) before it gets here. */
function runsInit(input: SpecInput): boolean {
	if (input.config.init !== true) return false;
	if (!input.initBinary) throw new C32Error('INIT_MISSING', 'the container runs an init as PID 1 but no init binary was given');
	return true;
}

function buildMounts(input: SpecInput): Mount[] {
	const {config} = input;
	// ro alone leaves whatever is mounted below the source writable; rro makes it all read-only.
	const readOnly = input.recursiveReadOnly ? ['ro', 'rro'] : ['ro'];
	const bindOptions = (ro: boolean) => ['rbind', ...(ro ? readOnly : ['rw']), 'nosuid', 'nodev'];
	// In a user namespace sysfs can only be mounted by the owner of the network namespace:
	// strict on network none has its own; on a c32 network the namespace is made by c32 on
	// the host (its owner is the host's), so the host's /sys is bound read-only instead, as podman does.
	const sysfs: Mount =
		input.userNamespace && input.config.network !== 'none'
			? {destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', ...readOnly]}
			: {destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro']};
	const mounts: Mount[] = [
		{destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev']},
		{destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},
		{
			destination: '/dev/pts',
			type: 'devpts',
			source: 'devpts',
			options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
		},
		{destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},
		{destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev']},
		sysfs,
	];
	for (const dir of input.hostDirs) {
		if (dir.symlinkTarget !== undefined) continue;
		mounts.push({destination: dir.path, type: 'bind', source: dir.path, options: bindOptions(true)});
	}
	// Over the host's /etc view; read-only where the whole root is (strict).
	for (const file of input.etcFiles) {
		mounts.push({
			destination: file.destination,
			type: 'bind',
			source: file.source,
			options: [...bindOptions(config.isolationLevel === 'strict'), 'noexec'],
		});
	}
	mounts.push({
		destination: '/tmp',
		type: 'tmpfs',
		source: 'tmpfs',
		options: ['nosuid', 'nodev', 'mode=1777', `size=${tmpSizeKb(config)}k`],
	});
	const app = input.app;
	if (app !== null)
		mounts.push(
			app.kind === 'overlay'
				? {
						destination: '/app',
						type: 'overlay',
						source: 'overlay',
						options: [`lowerdir=${app.lower}`, `upperdir=${app.upper}`, `workdir=${app.work}`],
					}
				: {destination: '/app', type: 'bind', source: app.source, options: bindOptions(app.readOnly)},
		);
	for (const volume of config.volumes) {
		mounts.push({
			destination: volume.destination,
			type: 'bind',
			source: volume.source,
			options: bindOptions(volume.readOnly),
		});
	}
	// Last, so that no volume can cover it; read-only, and executable (no noexec).
	if (runsInit(input))
		mounts.push({destination: INIT_PATH, type: 'bind', source: input.initBinary!, options: ['bind', ...readOnly, 'nosuid', 'nodev']});
	return mounts;
}

/** /tmp lives in memory: without a memory limit it is capped at 512 MiB, else at the limit. */
function tmpSizeKb(config: ResolvedConfig): number {
	return Math.round((config.resourceLimits.memoryLimitMb ?? 512) * 1024);
}

function buildResources(input: SpecInput): Record<string, unknown> {
	const limits = input.config.resourceLimits;
	const resources: Record<string, unknown> = {devices: [{allow: false, access: 'rwm'}]};
	if (limits.memoryLimitMb !== undefined) {
		const bytes = memoryLimitBytes(limits.memoryLimitMb);
		// swap is memory+swap in OCI terms: equal to the limit means no swap at all.
		resources['memory'] = input.swapLimitSupported ? {limit: bytes, swap: bytes} : {limit: bytes};
	}
	if (limits.cpuLimitPercent !== undefined) {
		resources['cpu'] = {quota: cpuQuotaUs(limits.cpuLimitPercent), period: CPU_PERIOD_US};
	}
	if (limits.maxProcesses !== undefined) resources['pids'] = {limit: limits.maxProcesses};
	if (limits.diskIoLimitMbps !== undefined && input.blockDevice) {
		const rate = diskBytesPerSecond(limits.diskIoLimitMbps);
		const device = [{...input.blockDevice, rate}];
		resources['blockIO'] = {throttleReadBpsDevice: device, throttleWriteBpsDevice: device};
	}
	return resources;
}
