// Validation of a ContainerConfig into a ResolvedConfig. Pure: every fact about the host
// comes in through HostFacts, so this is unit-testable without root.
import path from 'node:path';
import {defaultCapabilities, resolveCapabilities} from './capabilities.js';
import {C32Error} from './errors.js';
import {checkHook} from './events/hooks.js';
import {resolveHealthcheck} from './health/config.js';
import type {OciImageConfig} from './image/types.js';
import {parsePortSpec} from './network/ports.js';
import {BACKOFF_MAX_MS, MAX_RESTART_MAX_DELAY_MS, MIN_RESTART_MAX_DELAY_MS, parseRestartPolicy, validRestartMaxDelay} from './restart.js';
import type {ConfigDefaults} from './settings.js';
import {resolveSignal} from './signals.js';
import type {
	ContainerConfig,
	ContainerImage,
	ContainerUser,
	IsolationType,
	NetworkLink,
	NetworkMode,
	PortMapping,
	ResolvedConfig,
	ResourceLimits,
	Volume,
} from './types.js';
import {DEFAULT_NETWORK, ISOLATION_TYPES} from './types.js';

export {resolveSignal};

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
/** A network's name, and an alias on one: what a hosts file can hold. */
export const NETWORK_NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
export const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const LABEL_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_./-]{0,254}$/;
export const DEFAULT_LOG_SIZE_MAX = 10 * 1024 * 1024;
export const DEFAULT_STOP_TIMEOUT = 10;
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Host directories bound read-only into standard and strict containers. */
export const HOST_SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/etc'];
const FORBIDDEN_DESTINATIONS = ['/proc', '/sys', '/dev'];

export interface HostFacts {
	cpuCount: number;
	memoryTotalMb: number;
	/** The hard RLIMIT_NOFILE of this process: nothing above it can be granted. */
	maxOpenFilesHard: number;
	pidMax: number;
	/** Who runs c32: a minimal container runs as this user unless told otherwise. */
	uid: number;
	gid: number;
	/** /proc/sys/kernel/cap_last_cap: capabilities above it are unknown to this kernel. */
	capLastCap: number;
	/** Whether c32 may create cgroups here (root and a mounted cgroup filesystem). */
	cgroupsWritable: boolean;
	/** What a container that gives no pids or open-files limit gets (see settings.ts). */
	defaults: ConfigDefaults;
	/** What a path on the host is, or null when it does not exist. */
	pathKind(p: string): 'file' | 'directory' | 'other' | null;
	/** The path with every symlink resolved (as realpath(3)); the path itself when it cannot be resolved. */
	realPath(p: string): string;
	isExecutable(p: string): boolean;
	/** Looks a user up in the host's /etc/passwd. */
	lookupUser(name: string): {uid: number; gid: number} | null;
}

/** What create knows of the OCI image a config names, resolved in the image store beforehand. */
export interface ImageFacts extends ContainerImage {
	config: OciImageConfig;
}

/**
 * Whether `image` is a host path (today's images) rather than an OCI image reference: it
 * starts with "/", "./", "../" or "~", is "." or "..", or names something on the host.
 */
export function isHostPath(image: string, host: Pick<HostFacts, 'pathKind'>): boolean {
	if (/^(\/|\.\.?(\/|$)|~)/.test(image)) return true;
	return host.pathKind(path.resolve(image)) !== null;
}

/**
 * The OCI image reference a config runs on (its image or its base), or null for a
 * host-derived root. Minimal isolation is refused here, before any store lookup.
 */
export function imageReference(input: ContainerConfig, host: Pick<HostFacts, 'pathKind'>): string | null {
	const image = typeof input?.image === 'string' && input.image !== '' ? input.image : null;
	const base = typeof input?.base === 'string' && input.base !== '' ? input.base : null;
	if (base !== null && (image === null || !isHostPath(image, host))) {
		throw invalid('base puts a host-path image (a script or a directory) on an OCI image: give image as a host path, or drop base');
	}
	const ref = base ?? (image !== null && !isHostPath(image, host) ? image : null);
	if (ref !== null && input.isolationLevel === 'minimal') {
		throw invalid(
			`minimal isolation runs a plain host process on the host's filesystem and cannot use the OCI image ${JSON.stringify(ref)}: use --isolation standard (or strict)`,
		);
	}
	return ref;
}

export function validateName(name: string): void {
	if (!NAME_PATTERN.test(name)) {
		throw invalid(
			`invalid container name ${JSON.stringify(name)}: use 1-128 letters, digits, "_", "." or "-", starting with a letter or digit`,
		);
	}
}

/** The entrypoint implied by an image file's kind, or null when it must be given. */
export function entrypointForImage(file: string, executable: boolean): {entrypoint: string; args: string[]} | null {
	const base = path.basename(file);
	const ext = path.extname(base).toLowerCase();
	const local = `./${base}`;
	if (ext === '.py') return {entrypoint: 'python3', args: [local]};
	if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return {entrypoint: 'node', args: [local]};
	if (ext === '.sh') return {entrypoint: 'sh', args: [local]};
	if (executable) return {entrypoint: local, args: []};
	return null;
}

/**
 * `image`: the OCI image that imageReference(input) names, as the store resolved it (null when it names none).
 * Its config applies where the input says nothing, by docker's rules.
 */
export function resolveConfig(
	input: ContainerConfig,
	defaultName: string,
	host: HostFacts,
	image: ImageFacts | null = null,
): ResolvedConfig {
	if (input === null || typeof input !== 'object') throw invalid('the container config must be an object');
	const name = input.name ?? defaultName;
	validateName(name);
	const isolationLevel = input.isolationLevel ?? host.defaults.isolationLevel ?? 'standard';
	if (!ISOLATION_TYPES.includes(isolationLevel)) {
		throw invalid(`invalid isolation level ${JSON.stringify(String(isolationLevel))}: use minimal, standard or strict`);
	}

	const oci = imageReference(input, host) === null ? null : image;
	if (imageReference(input, host) !== null && image === null) {
		throw new C32Error(
			'IMAGE_NOT_FOUND',
			`image ${JSON.stringify(input.base ?? input.image)} is not in the image store: pull it first (c32 pull REF)`,
		);
	}
	// With a base the host path is the image at /app; without one an OCI image has no host path.
	const pureOci = oci !== null && input.base === undefined;
	const imagePath = input.image === undefined || input.image === '' || pureOci ? null : path.resolve(input.image);
	let command: {entrypoint: string; args: string[]} | null = null;
	if (imagePath !== null) {
		const kind = host.pathKind(imagePath);
		if (kind === null) {
			throw new C32Error('IMAGE_NOT_FOUND', `image path ${imagePath} does not exist: give an existing file or directory`);
		}
		if (kind === 'other') throw invalid(`image path ${imagePath} is not a regular file or a directory`);
		if (kind === 'file') command = entrypointForImage(imagePath, host.isExecutable(imagePath));
	}
	const args = input.args ?? [];
	if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0'))) {
		throw invalid('args must be a list of strings without NUL bytes');
	}
	// A script image: the command is the one c32 derives from the image file's kind.
	const scriptImage = command !== null && (input.entrypoint === undefined || input.entrypoint === '');
	if (pureOci) {
		command = imageCommand(oci.config, input.entrypoint, args, input.image!);
	} else if (input.entrypoint !== undefined && input.entrypoint !== '') {
		command = {entrypoint: input.entrypoint, args};
	} else if (args.length > 0) {
		// Arguments alone replace the derived command's arguments but keep its entrypoint,
		// except with no image, where the first argument is the program.
		command = command ? {entrypoint: command.entrypoint, args} : {entrypoint: args[0]!, args: args.slice(1)};
	}
	if (command === null) {
		throw invalid(
			imagePath === null
				? 'no command: give an image or an entrypoint (e.g. c32 run -- sh -c "echo hi")'
				: `cannot tell how to run ${path.basename(imagePath)}: give an entrypoint`,
		);
	}
	if (command.entrypoint === '') throw invalid('the command is an empty string: give the program to run');

	const restartPolicy =
		input.restartPolicy !== undefined
			? parseRestartPolicy(input.restartPolicy)
			: input.autoRestart
				? parseRestartPolicy({name: 'on-failure', maxRetries: input.maxRestartCount ?? 5})
				: parseRestartPolicy(undefined);

	const autoRemove = input.autoRemove === true;
	if (autoRemove && restartPolicy.name !== 'no') {
		throw invalid('autoRemove and a restart policy conflict: a removed container cannot be restarted; drop one of them');
	}

	const network = resolveNetwork(input.network, isolationLevel);
	const ports = resolvePorts(input.ports, network);
	const networkAliases = resolveAliases(input.networkAliases, network);
	const additionalNetworks = resolveFurtherNetworks(input.additionalNetworks, network);

	const hostname = input.hostname ?? name.slice(0, 63);
	if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(hostname)) {
		throw invalid(`invalid hostname ${JSON.stringify(hostname)}: use up to 63 letters, digits, "_", "." or "-"`);
	}

	const stopTimeout = input.stopTimeout ?? DEFAULT_STOP_TIMEOUT;
	if (!Number.isFinite(stopTimeout) || stopTimeout < 0 || stopTimeout > 3600) {
		throw invalid(`invalid stop timeout ${stopTimeout}: give 0 to 3600 seconds`);
	}
	const logSizeMax = input.logSizeMax ?? DEFAULT_LOG_SIZE_MAX;
	if (!Number.isInteger(logSizeMax) || logSizeMax < 4096 || logSizeMax > 2 ** 40) {
		throw invalid(`invalid log size cap ${logSizeMax}: give 4096 bytes to 1 TiB`);
	}

	const stdinOpen = input.stdinOpen === true;
	const tty = input.tty === true;
	if (isolationLevel === 'minimal' && (stdinOpen || tty)) {
		const what = tty ? 'a terminal (tty, -t)' : 'an open stdin (stdinOpen, -i)';
		throw invalid(`${what} needs standard or strict isolation: a minimal container is a plain process with no monitor to attach to`);
	}
	const init = resolveInit(input.init, scriptImage, isolationLevel);

	const restartMaxDelayMs = input.restartMaxDelayMs ?? BACKOFF_MAX_MS;
	if (!validRestartMaxDelay(restartMaxDelayMs)) {
		throw invalid(
			`invalid restart max delay ${restartMaxDelayMs} ms: give ${MIN_RESTART_MAX_DELAY_MS} ms to ${MAX_RESTART_MAX_DELAY_MS / 3_600_000} hours`,
		);
	}
	const memoryThresholdMb = resolveThreshold(input.memoryThresholdMb, 'memory threshold', 'MB', 2 ** 32);
	const cpuThresholdPercent = resolveThreshold(input.cpuThresholdPercent, 'CPU threshold', 'percent (100 = one core)', 100 * 4096);

	const monitorPidFile = input.monitorPidFile ?? null;
	if (monitorPidFile !== null && (!path.isAbsolute(monitorPidFile) || monitorPidFile.endsWith('/'))) {
		throw invalid(`monitor pid file ${JSON.stringify(monitorPidFile)} must be an absolute path of a file`);
	}

	const workingDir = input.workingDir ?? (pureOci ? imageWorkingDir(oci.config) : '/app');
	if (!path.isAbsolute(workingDir)) throw invalid(`working dir ${JSON.stringify(workingDir)} must be an absolute path`);

	return {
		name,
		image: imagePath,
		ociImage: oci === null ? null : {id: oci.id, name: oci.name, digest: oci.digest},
		entrypoint: command.entrypoint,
		args: command.args,
		environment: {...imageEnvironment(oci?.config ?? null), ...resolveEnvironment(input.environment)},
		volumes: resolveVolumes(input.volumes ?? [], isolationLevel, host, oci !== null),
		resourceLimits: withDefaults(resolveLimits(input.resourceLimits ?? {}, host, network), isolationLevel, host),
		isolationLevel,
		labels: resolveLabels(input.labels),
		restartPolicy,
		workingDir: path.normalize(workingDir),
		user: oci === null ? resolveUser(input.user, host, isolationLevel) : imageUser(input.user ?? (pureOci ? oci.config.user : null)),
		hostname,
		stopSignal: resolveSignal(input.stopSignal ?? (pureOci ? oci.config.stopSignal : null) ?? 'SIGTERM'),
		stopTimeout,
		network,
		ports,
		networkAliases,
		additionalNetworks,
		logSizeMax,
		autoRemove,
		capabilities: resolveCapabilities(isolationLevel, input.capAdd ?? [], input.capDrop ?? [], host.capLastCap),
		stdinOpen,
		tty,
		init,
		hooks: (input.hooks ?? []).map((hook, index) => checkHook(hook, `hooks[${index}]`)),
		// An image's HEALTHCHECK applies to a container of that image, not to a --base under a host path.
		healthcheck: resolveHealthcheck(input.healthcheck, pureOci ? (oci.config.healthcheck ?? null) : null, {autoRemove}),
		restartMaxDelayMs,
		memoryThresholdMb,
		cpuThresholdPercent,
		monitorPidFile: monitorPidFile === null ? null : path.normalize(monitorPidFile),
	};
}

function resolveThreshold(value: number | undefined, what: string, unit: string, max: number): number | null {
	if (value === undefined) return null;
	if (!Number.isFinite(value) || value <= 0 || value > max) throw invalid(`invalid ${what} ${value}: give a number of ${unit} above 0`);
	return value;
}

/**
 * docker's rules: a given entrypoint replaces the image's Entrypoint and Cmd (args follow
 * it); args alone replace Cmd and keep Entrypoint; neither runs Entrypoint then Cmd.
 */
function imageCommand(
	image: OciImageConfig,
	entrypoint: string | undefined,
	args: string[],
	ref: string,
): {entrypoint: string; args: string[]} {
	const argv =
		entrypoint !== undefined && entrypoint !== ''
			? [entrypoint, ...args]
			: [...(image.entrypoint ?? []), ...(args.length > 0 ? args : (image.cmd ?? []))];
	if (argv.length === 0) throw invalid(`image ${ref} has no Entrypoint or Cmd: give a command (c32 run ${ref} -- sh)`);
	return {entrypoint: argv[0]!, args: argv.slice(1)};
}

/** The image's Env as a map; entries whose name the config schema could not take again are left out. */
function imageEnvironment(image: OciImageConfig | null): Record<string, string> {
	const env: Record<string, string> = {};
	for (const entry of image?.env ?? []) {
		const eq = entry.indexOf('=');
		const key = eq < 0 ? entry : entry.slice(0, eq);
		if (ENV_KEY_PATTERN.test(key) && !entry.includes('\0')) env[key] = eq < 0 ? '' : entry.slice(eq + 1);
	}
	return env;
}

/** The image's WorkingDir (relative ones from /, as docker), else /. */
function imageWorkingDir(image: OciImageConfig): string {
	return image.workingDir ? path.posix.resolve('/', image.workingDir) : '/';
}

/**
 * A user on an OCI root: the host's /etc/passwd is not the container's, so a user given as
 * text is looked up in the root's own at every start (oci/image-user.ts); an object is taken
 * as it is. None, or "", is root.
 */
function imageUser(user: string | ContainerUser | null | undefined): ContainerUser {
	if (user === undefined || user === null || user === '') return {uid: 0, gid: 0};
	if (typeof user !== 'string') return checkIds(user);
	if (!/^[^:\s]+(:[^:\s]+)?$/.test(user))
		throw invalid(`invalid user ${JSON.stringify(user)}: use uid, uid:gid, a user name or name:group`);
	return {uid: 0, gid: 0, lookup: user};
}

/**
 * An init by default for script images: sh, python3 and node as PID 1 ignore SIGTERM (the
 * kernel drops signals PID 1 has no handler for) and reap no orphans. A command given
 * explicitly is PID 1 itself, as in docker, unless asked. Minimal isolation has no pid
 * namespace: its process is not PID 1, so signals and orphans already work as on the host.
 */
function resolveInit(init: boolean | undefined, scriptImage: boolean, isolation: IsolationType): boolean {
	if (isolation !== 'minimal') return init ?? scriptImage;
	if (init === true) {
		throw invalid(
			'minimal isolation runs no init: its process is not PID 1 (no pid namespace), so signals and orphans work as on the host; drop --init or use standard isolation',
		);
	}
	return false;
}

type Translation = {[K in keyof ResolvedConfig]-?: (value: ResolvedConfig[K], all: ResolvedConfig) => ContainerConfig};

/** How each stored field becomes input again: a new field of ResolvedConfig does not compile until it has an entry. */
const BACK: Translation = {
	name: (name) => ({name}),
	// An OCI image by id: the name may since lead elsewhere, the id is the same image in every store.
	image: (image, all) => (image !== null ? {image} : all.ociImage ? {image: all.ociImage.id} : {}),
	ociImage: (ociImage, all) => (ociImage && all.image !== null ? {base: ociImage.id} : {}),
	entrypoint: (entrypoint) => ({entrypoint}),
	args: (args) => ({args}),
	environment: (environment) => ({environment}),
	volumes: (volumes) => ({volumes}),
	resourceLimits: (resourceLimits) => ({resourceLimits}),
	isolationLevel: (isolationLevel) => ({isolationLevel}),
	labels: (labels) => ({labels}),
	restartPolicy: (restartPolicy) => ({restartPolicy}),
	workingDir: (workingDir) => ({workingDir}),
	user: (user) => ({user: user.lookup ?? user}),
	hostname: (hostname) => ({hostname}),
	stopSignal: (stopSignal) => ({stopSignal}),
	stopTimeout: (stopTimeout) => ({stopTimeout}),
	network: (network) => ({network}),
	ports: (ports) => (ports.length > 0 ? {ports: ports.map((p) => ({...p}))} : {}),
	networkAliases: (networkAliases) => (networkAliases.length > 0 ? {networkAliases: [...networkAliases]} : {}),
	additionalNetworks: (links) =>
		links !== undefined && links.length > 0
			? {additionalNetworks: links.map((link) => ({name: link.name, aliases: [...link.aliases]}))}
			: {},
	logSizeMax: (logSizeMax) => ({logSizeMax}),
	autoRemove: (autoRemove) => ({autoRemove}),
	// The level's default set needs no options (an export from before capabilities were stored has none).
	// Always explicit: the default depends on how the command was given, which the stored form no longer tells.
	init: (init) => ({init: init === true}),
	capabilities: (capabilities, all) =>
		capabilities === null || capabilities === undefined || sameSet(capabilities, defaultCapabilities(all.isolationLevel) ?? [])
			? {}
			: {capDrop: ['ALL'], capAdd: [...capabilities]},
	stdinOpen: (stdinOpen) => (stdinOpen ? {stdinOpen} : {}),
	tty: (tty) => (tty ? {tty} : {}),
	hooks: (hooks) => (hooks && hooks.length > 0 ? {hooks: hooks.map((hook) => ({...hook, command: [...hook.command]}))} : {}),
	// Always explicit: left out, the image's HEALTHCHECK would come back.
	healthcheck: (healthcheck) => ({
		healthcheck: healthcheck === null || healthcheck === undefined ? null : {...healthcheck, command: [...healthcheck.command]},
	}),
	restartMaxDelayMs: (restartMaxDelayMs) => (restartMaxDelayMs === BACKOFF_MAX_MS ? {} : {restartMaxDelayMs}),
	memoryThresholdMb: (memoryThresholdMb) => (memoryThresholdMb === null ? {} : {memoryThresholdMb}),
	cpuThresholdPercent: (cpuThresholdPercent) => (cpuThresholdPercent === null ? {} : {cpuThresholdPercent}),
	monitorPidFile: (monitorPidFile) => (monitorPidFile === null || monitorPidFile === undefined ? {} : {monitorPidFile}),
};

/** The ContainerConfig that resolves to `resolved` again (export -> import, stack files). */
export function toContainerConfig(resolved: ResolvedConfig): ContainerConfig {
	const config: ContainerConfig = {};
	for (const key of Object.keys(BACK) as (keyof ResolvedConfig)[]) {
		const translate = BACK[key] as (value: unknown, all: ResolvedConfig) => ContainerConfig;
		Object.assign(config, translate(resolved[key], resolved));
	}
	return config;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((x) => b.includes(x));
}

/** Whether a network mode names a c32 network (rather than the host's or none). */
export function isNamedNetwork(network: NetworkMode): boolean {
	return network !== 'host' && network !== 'none';
}

/**
 * Standard gets the c32 network, strict only loopback unless a network is named, minimal
 * the host's (it has no namespaces). Whether a named network exists is checked at create.
 */
function resolveNetwork(network: NetworkMode | undefined, isolation: IsolationType): NetworkMode {
	if (network === undefined) return isolation === 'standard' ? DEFAULT_NETWORK : isolation === 'strict' ? 'none' : 'host';
	if (typeof network !== 'string' || !NETWORK_NAME_PATTERN.test(network)) {
		throw invalid(
			`invalid network ${JSON.stringify(String(network))}: use host, none or a network's name (1-63 letters, digits, "_", "." or "-")`,
		);
	}
	if (isolation === 'strict' && network === 'host') {
		throw invalid('strict isolation has no host network: drop the network option, name a c32 network, or use standard isolation');
	}
	if (isolation === 'minimal' && network !== 'host') {
		throw invalid(
			`minimal isolation has no network namespace: it can only use the host's network, not ${JSON.stringify(network)}; use standard isolation`,
		);
	}
	return network;
}

/** Published ports: docker's -p strings or objects, ranges expanded; only on a c32 network. */
function resolvePorts(ports: ContainerConfig['ports'], network: NetworkMode): PortMapping[] {
	if (ports === undefined || ports.length === 0) return [];
	if (!Array.isArray(ports)) throw invalid('ports must be a list such as ["8080:80", "127.0.0.1:9000:9000/udp"]');
	if (!isNamedNetwork(network)) {
		throw invalid(
			network === 'host'
				? 'published ports need a c32 network: on the host network a server is reachable on its own port already; drop -p or use --network c32'
				: 'published ports need a c32 network: a container on network none has only loopback; drop -p or name a network',
		);
	}
	const resolved = ports.flatMap((port) => (typeof port === 'string' ? parsePortSpec(port) : [checkPort(port)]));
	const seen = new Set<string>();
	for (const port of resolved) {
		const key = `${port.hostIp}|${port.hostPort}|${port.protocol}`;
		if (port.hostPort !== 0 && seen.has(key)) {
			throw invalid(`host port ${port.hostPort}/${port.protocol} is published twice: give each mapping its own host port`);
		}
		seen.add(key);
	}
	return resolved;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A PortMapping object as the stored form holds it (docker strings are parsed by parsePortSpec). */
function checkPort(port: PortMapping): PortMapping {
	const inRange = (n: unknown, min: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= 65535;
	if (port === null || typeof port !== 'object')
		throw invalid('a port mapping must be an object {hostIp, hostPort, containerPort, protocol}');
	const {hostIp = '', hostPort = 0, containerPort, protocol = 'tcp'} = port;
	if (typeof hostIp !== 'string' || (hostIp !== '' && !IPV4.test(hostIp))) {
		throw invalid(
			`invalid host address ${JSON.stringify(String(hostIp))} of a port mapping: give an IPv4 address such as 127.0.0.1, or '' for all`,
		);
	}
	if (!inRange(containerPort, 1)) throw invalid(`invalid container port ${String(containerPort)}: give 1 to 65535`);
	if (!inRange(hostPort, 0)) throw invalid(`invalid host port ${String(hostPort)}: give 1 to 65535 (or 0 for a free one)`);
	if (protocol !== 'tcp' && protocol !== 'udp') throw invalid(`invalid protocol ${JSON.stringify(String(protocol))}: use tcp or udp`);
	return {hostIp, hostPort, containerPort, protocol};
}

function resolveAliases(aliases: string[] | undefined, network: NetworkMode): string[] {
	if (aliases === undefined || aliases.length === 0) return [];
	if (!isNamedNetwork(network))
		throw invalid(`network aliases name a container on a c32 network: network ${network} has none; drop them or name a network`);
	for (const alias of aliases) {
		if (typeof alias !== 'string' || !NETWORK_NAME_PATTERN.test(alias)) {
			throw invalid(`invalid network alias ${JSON.stringify(String(alias))}: use 1-63 letters, digits, "_", "." or "-"`);
		}
	}
	return [...new Set(aliases)];
}

/** Further c32 networks: each a network name once, not the first one, with valid aliases. */
function resolveFurtherNetworks(links: {name: string; aliases?: string[]}[] | undefined, first: NetworkMode): NetworkLink[] {
	if (links === undefined || links.length === 0) return [];
	if (!isNamedNetwork(first))
		throw invalid(`further networks need a c32 network first: network ${first} joins no other; drop them or name a network`);
	const seen = new Set([first]);
	return links.map((link) => {
		const name = link?.name;
		if (typeof name !== 'string' || !NETWORK_NAME_PATTERN.test(name) || !isNamedNetwork(name)) {
			throw invalid(`invalid further network ${JSON.stringify(String(name))}: name a c32 network (c32 network ls)`);
		}
		if (seen.has(name)) throw invalid(`network ${name} is named twice: put the container on each network once`);
		seen.add(name);
		return {name, aliases: resolveAliases(link.aliases ?? [], name)};
	});
}

function resolveEnvironment(env: Record<string, string> | undefined): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [key, value] of Object.entries(env ?? {})) {
		if (!ENV_KEY_PATTERN.test(key)) {
			throw invalid(`invalid environment variable name ${JSON.stringify(key)}: use letters, digits and "_", not starting with a digit`);
		}
		if (typeof value !== 'string' || value.includes('\0')) {
			throw invalid(`environment variable ${key} must be a string without NUL bytes`);
		}
		result[key] = value;
	}
	return result;
}

function resolveLabels(labels: Record<string, string> | undefined): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [key, value] of Object.entries(labels ?? {})) {
		if (!LABEL_KEY_PATTERN.test(key)) throw invalid(`invalid label key ${JSON.stringify(key)}: use letters, digits, "_", ".", "/" or "-"`);
		if (typeof value !== 'string') throw invalid(`label ${key} must have a string value`);
		result[key] = value;
	}
	return result;
}

function resolveVolumes(volumes: Volume[], isolation: IsolationType, host: HostFacts, imageRoot: boolean): Required<Volume>[] {
	const resolved = volumes.map((v) => resolveVolume(v, isolation, host, imageRoot));
	const seen = new Set<string>();
	for (const {destination} of resolved) {
		if (seen.has(destination)) throw invalid(`duplicate mount destination ${destination}: give each volume its own destination`);
		seen.add(destination);
	}
	return resolved;
}

function resolveVolume(volume: Volume, isolation: string, host: HostFacts, imageRoot: boolean): Required<Volume> {
	if (!volume || typeof volume.source !== 'string' || typeof volume.destination !== 'string') {
		throw invalid('a volume needs a source and a destination');
	}
	// Stored canonical: a start refuses a source that a symlink has since redirected (oci/bundle.ts).
	const source = host.realPath(path.resolve(volume.source));
	if (host.pathKind(source) === null) {
		throw invalid(`volume source ${source} does not exist: create it first`);
	}
	const destination = volume.destination;
	if (!path.isAbsolute(destination) || destination.split('/').includes('..')) {
		throw invalid(`volume destination ${JSON.stringify(destination)} must be an absolute path without ".."`);
	}
	const normalized = path.normalize(destination).replace(/\/+$/, '') || '/';
	if (normalized === '/' || FORBIDDEN_DESTINATIONS.some((d) => isWithin(normalized, d))) {
		throw invalid(`volume destination ${normalized} is not allowed: / , /proc, /sys and /dev are the runtime's`);
	}
	// An OCI root has no host trees in it: its /usr and /etc are the image's.
	if (isolation !== 'minimal' && !imageRoot && HOST_SYSTEM_DIRS.some((d) => isWithin(normalized, d))) {
		throw invalid(
			`volume destination ${normalized} lies in the host's read-only ${normalized.split('/')[1]} tree: mount it elsewhere, e.g. /data`,
		);
	}
	if (isolation === 'minimal') {
		throw invalid('minimal isolation shares the host filesystem and cannot mount volumes: use standard isolation');
	}
	return {source, destination: normalized, readOnly: volume.readOnly === true};
}

function isWithin(p: string, dir: string): boolean {
	return p === dir || p.startsWith(`${dir}/`);
}

function resolveLimits(limits: ResourceLimits, host: HostFacts, network: string): ResourceLimits {
	const result: ResourceLimits = {};
	const check = (key: keyof ResourceLimits, min: number, absurd: number, hostMax: number | null, unit: string) => {
		const value = limits[key];
		if (value === undefined || value === null) return;
		if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > absurd) {
			throw invalid(`invalid ${key} ${String(value)}: give a number from ${min} to ${absurd}${unit}`);
		}
		if (hostMax !== null && value > hostMax) {
			throw new C32Error('LIMIT_EXCEEDS_HOST', `${key} ${value}${unit} is more than this host allows (${hostMax}${unit}): lower it`);
		}
		result[key] = value;
	};
	check('cpuLimitPercent', 1, 100_000, host.cpuCount * 100, '%');
	check('memoryLimitMb', 6, 16 * 1024 * 1024, host.memoryTotalMb, ' MB');
	check('diskIoLimitMbps', 1, 1_000_000, null, ' MB/s');
	check('maxProcesses', 1, 4_194_304, host.pidMax, ' processes');
	check('maxOpenFiles', 8, 1_073_741_816, host.maxOpenFilesHard, ' files');
	for (const key of ['maxProcesses', 'maxOpenFiles'] as const) {
		if (result[key] !== undefined && !Number.isInteger(result[key])) throw invalid(`${key} must be a whole number`);
	}
	// 0 is the seed's "no limit": nothing is stored, so an export says the same.
	if (limits.networkBandwidthLimitMbps !== 0) check('networkBandwidthLimitMbps', 0.001, 100_000, null, ' Mbit/s');
	if (result.networkBandwidthLimitMbps !== undefined && !isNamedNetwork(network)) {
		throw invalid(
			`networkBandwidthLimitMbps shapes a container's own network: it cannot apply to network ${network}; use a c32 network (e.g. --network ${DEFAULT_NETWORK}) or drop the limit`,
		);
	}
	return result;
}

/** The pids and open-files defaults where the container gives none; minimal gets the pids one only where c32 writes cgroups. */
function withDefaults(limits: ResourceLimits, isolation: IsolationType, host: HostFacts): ResourceLimits {
	const {pidsLimit, openFiles} = host.defaults;
	const result = {...limits};
	if (result.maxProcesses === undefined && pidsLimit !== null && (isolation !== 'minimal' || host.cgroupsWritable)) {
		result.maxProcesses = pidsLimit;
	}
	if (result.maxOpenFiles === undefined && openFiles !== null) result.maxOpenFiles = openFiles;
	return result;
}

function resolveUser(user: string | ContainerUser | undefined, host: HostFacts, isolation: string): ContainerUser {
	// Root inside a namespaced container; the caller's own user for a plain host process.
	if (user === undefined || user === '') return isolation === 'minimal' ? {uid: host.uid, gid: host.gid} : {uid: 0, gid: 0};
	const resolved = typeof user === 'string' ? parseUser(user, host) : checkIds(user);
	if (isolation === 'minimal' && host.uid !== 0 && (resolved.uid !== host.uid || resolved.gid !== host.gid)) {
		throw new C32Error(
			'PERMISSION_DENIED',
			`minimal isolation runs the process as you (uid ${host.uid}, gid ${host.gid}): only root can run it as another user; drop the user option or run c32 as root`,
		);
	}
	return resolved;
}

function parseUser(user: string, host: HostFacts): ContainerUser {
	const match = /^([^:]+)(?::(\d+))?$/.exec(user);
	if (!match) throw invalid(`invalid user ${JSON.stringify(user)}: use uid, uid:gid or a user name`);
	const [, who, gid] = match;
	if (/^\d+$/.test(who!)) {
		const uid = Number(who);
		return checkIds({uid, gid: gid === undefined ? uid : Number(gid)});
	}
	const found = host.lookupUser(who!);
	if (!found) throw invalid(`unknown user ${JSON.stringify(who)}: use a numeric uid or a user in /etc/passwd`);
	return checkIds({uid: found.uid, gid: gid === undefined ? found.gid : Number(gid), name: who!});
}

const MAX_ID = 2 ** 32 - 2;

function checkIds(user: ContainerUser): ContainerUser {
	for (const key of ['uid', 'gid'] as const) {
		if (!Number.isInteger(user[key]) || user[key] < 0 || user[key] > MAX_ID)
			throw invalid(`invalid ${key} ${user[key]}: give 0 to ${MAX_ID}`);
	}
	return user.name === undefined ? {uid: user.uid, gid: user.gid} : {uid: user.uid, gid: user.gid, name: user.name};
}

function invalid(message: string): C32Error {
	return new C32Error('INVALID_CONFIG', message);
}
