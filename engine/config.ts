// Validation of a ContainerConfig into a ResolvedConfig. Pure: every fact about the host
// comes in through HostFacts, so this is unit-testable without root.
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import {C32Error} from './errors.js';
import {parseRestartPolicy} from './restart.js';
import type {ContainerConfig, ResolvedConfig, ResourceLimits, Volume} from './types.js';
import {ISOLATION_TYPES} from './types.js';

export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
const ENV_KEY_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
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
	/** What a path on the host is, or null when it does not exist. */
	pathKind(p: string): 'file' | 'directory' | 'other' | null;
	isExecutable(p: string): boolean;
	/** Looks a user up in the host's /etc/passwd. */
	lookupUser(name: string): {uid: number; gid: number} | null;
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

export function resolveConfig(input: ContainerConfig, defaultName: string, host: HostFacts): ResolvedConfig {
	if (input === null || typeof input !== 'object') throw invalid('the container config must be an object');
	const name = input.name ?? defaultName;
	validateName(name);
	const isolationLevel = input.isolationLevel ?? 'standard';
	if (!ISOLATION_TYPES.includes(isolationLevel)) {
		throw invalid(`invalid isolation level ${JSON.stringify(String(isolationLevel))}: use minimal, standard or strict`);
	}

	const image = input.image === undefined || input.image === '' ? null : path.resolve(input.image);
	let command: {entrypoint: string; args: string[]} | null = null;
	if (image !== null) {
		const kind = host.pathKind(image);
		if (kind === null) {
			throw new C32Error('IMAGE_NOT_FOUND', `image path ${image} does not exist: give an existing file or directory`);
		}
		if (kind === 'other') throw invalid(`image path ${image} is not a regular file or a directory`);
		if (kind === 'file') command = entrypointForImage(image, host.isExecutable(image));
	}
	const args = input.args ?? [];
	if (!Array.isArray(args) || args.some((a) => typeof a !== 'string' || a.includes('\0'))) {
		throw invalid('args must be a list of strings without NUL bytes');
	}
	if (input.entrypoint !== undefined && input.entrypoint !== '') {
		command = {entrypoint: input.entrypoint, args};
	} else if (args.length > 0) {
		// Arguments alone replace the derived command's arguments but keep its entrypoint,
		// except with no image, where the first argument is the program.
		command = command ? {entrypoint: command.entrypoint, args} : {entrypoint: args[0]!, args: args.slice(1)};
	}
	if (command === null) {
		throw invalid(
			image === null
				? 'no command: give an image or an entrypoint (e.g. c32 run -- sh -c "echo hi")'
				: `cannot tell how to run ${path.basename(image)}: give an entrypoint`,
		);
	}

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

	const network = input.network ?? (isolationLevel === 'strict' ? 'none' : 'host');
	if (network !== 'host' && network !== 'none') throw invalid(`invalid network ${JSON.stringify(String(network))}: use host or none`);
	if (isolationLevel === 'strict' && network === 'host') {
		throw invalid('strict isolation has no host network: drop the network option or use standard isolation');
	}
	if (isolationLevel === 'minimal' && network === 'none') {
		throw invalid('minimal isolation has no network namespace: use standard isolation for network "none"');
	}

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

	const workingDir = input.workingDir ?? '/app';
	if (!path.isAbsolute(workingDir)) throw invalid(`working dir ${JSON.stringify(workingDir)} must be an absolute path`);

	return {
		name,
		image,
		entrypoint: command.entrypoint,
		args: command.args,
		environment: resolveEnvironment(input.environment),
		volumes: (input.volumes ?? []).map((v) => resolveVolume(v, isolationLevel, host)),
		resourceLimits: resolveLimits(input.resourceLimits ?? {}, host),
		isolationLevel,
		labels: resolveLabels(input.labels),
		restartPolicy,
		workingDir: path.normalize(workingDir),
		user: resolveUser(input.user, host, isolationLevel),
		hostname,
		stopSignal: resolveSignal(input.stopSignal ?? 'SIGTERM'),
		stopTimeout,
		network,
		logSizeMax,
		autoRemove,
	};
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

export function resolveSignal(signal: string): string {
	const upper = signal.toUpperCase();
	const name = /^\d+$/.test(upper)
		? Object.entries(osConstants.signals).find(([, n]) => n === Number(upper))?.[0]
		: upper.startsWith('SIG')
			? upper
			: `SIG${upper}`;
	if (!name || !(name in osConstants.signals)) throw invalid(`unknown signal ${JSON.stringify(signal)}: use a name such as SIGTERM or INT`);
	return name;
}

function resolveVolume(volume: Volume, isolation: string, host: HostFacts): Required<Volume> {
	if (!volume || typeof volume.source !== 'string' || typeof volume.destination !== 'string') {
		throw invalid('a volume needs a source and a destination');
	}
	const source = path.resolve(volume.source);
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
	if (isolation !== 'minimal' && HOST_SYSTEM_DIRS.some((d) => isWithin(normalized, d))) {
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

function resolveLimits(limits: ResourceLimits, host: HostFacts): ResourceLimits {
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
	const bandwidth = limits.networkBandwidthLimitMbps;
	if (bandwidth !== undefined && bandwidth !== null && bandwidth !== 0) {
		throw new C32Error(
			'UNSUPPORTED',
			'networkBandwidthLimitMbps is not supported yet: c32 has no network shaping; remove the limit (or set it to 0)',
		);
	}
	return result;
}

function resolveUser(user: string | undefined, host: HostFacts, isolation: string): ResolvedConfig['user'] {
	// Root inside a namespaced container; the caller's own user for a plain host process.
	if (user === undefined || user === '') return isolation === 'minimal' ? {uid: host.uid, gid: host.gid} : {uid: 0, gid: 0};
	const match = /^([^:]+)(?::(\d+))?$/.exec(user);
	if (!match) throw invalid(`invalid user ${JSON.stringify(user)}: use uid, uid:gid or a user name`);
	const [, who, gid] = match;
	if (/^\d+$/.test(who!)) {
		const uid = Number(who);
		if (uid > 2 ** 31) throw invalid(`invalid uid ${uid}`);
		return {uid, gid: gid === undefined ? uid : Number(gid)};
	}
	const found = host.lookupUser(who!);
	if (!found) throw invalid(`unknown user ${JSON.stringify(who)}: use a numeric uid or a user in /etc/passwd`);
	return {uid: found.uid, gid: gid === undefined ? found.gid : Number(gid), name: who};
}

function invalid(message: string): C32Error {
	return new C32Error('INVALID_CONFIG', message);
}
