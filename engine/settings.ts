// Settings read from the environment that change what a new container gets by default.
// Read when a container is created; what it got is stored in its config.
import {C32Error} from './errors.js';
import {ISOLATION_TYPES, type IsolationType} from './types.js';

/** podman's pids_limit: enough for any worker, too few for a fork bomb to hurt the host. */
export const BUILTIN_PIDS_LIMIT = 2048;
/**
 * RLIMIT_NOFILE soft and hard. 4096 is the kernel's own default hard limit, so it fits under
 * the hard limit of every login and service on a usual host; raising a limit above the caller's
 * hard limit needs CAP_SYS_RESOURCE, which c32 may not have (it is refused on some hosts even
 * for root), so where the caller's hard limit is lower the default is cut to it.
 */
export const BUILTIN_OPEN_FILES = 4096;

export interface ConfigDefaults {
	/** pids limit of a container that gives none; null: no limit. */
	pidsLimit: number | null;
	/** RLIMIT_NOFILE (soft = hard) of a container that gives none; null: the caller's own. */
	openFiles: number | null;
	/** The isolation of a container that names none (CONTAINER_ISOLATION_LEVEL); absent: standard. */
	isolationLevel?: IsolationType;
}

export const PIDS_LIMIT_VARIABLE = 'C32_DEFAULT_PIDS_LIMIT';
export const OPEN_FILES_VARIABLE = 'C32_DEFAULT_NOFILE';

/**
 * The defaults, from C32_DEFAULT_PIDS_LIMIT and C32_DEFAULT_NOFILE ("0" turns a default off).
 * A setting above what the host allows is refused rather than silently lowered.
 */
export function readDefaults(env: Record<string, string | undefined>, host: {pidMax: number; maxOpenFilesHard: number}): ConfigDefaults {
	const pidsLimit = setting(env, PIDS_LIMIT_VARIABLE, 1, host.pidMax, " processes (the kernel's pid_max)");
	const openFiles = setting(env, OPEN_FILES_VARIABLE, 8, host.maxOpenFilesHard, " files (c32's hard RLIMIT_NOFILE)");
	return {
		isolationLevel: readIsolationLevel(env),
		pidsLimit: pidsLimit === undefined ? Math.min(BUILTIN_PIDS_LIMIT, host.pidMax) : pidsLimit,
		openFiles: openFiles === undefined ? Math.min(BUILTIN_OPEN_FILES, host.maxOpenFilesHard) : openFiles,
	};
}

/** undefined: not set; null: set to 0 (no default). */
function setting(
	env: Record<string, string | undefined>,
	variable: string,
	min: number,
	hostMax: number,
	unit: string,
): number | null | undefined {
	const text = env[variable]?.trim();
	if (text === undefined || text === '') return undefined;
	const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
	if (value === 0) return null;
	if (!(value >= min && value <= 2 ** 31)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${variable}=${JSON.stringify(text)} is not a whole number from ${min}: give e.g. ${variable}=1024, or 0 for no default`,
		);
	}
	if (value > hostMax) {
		throw new C32Error('LIMIT_EXCEEDS_HOST', `${variable}=${value} is more than this host allows (${hostMax}${unit}): lower it`);
	}
	return value;
}

export const ISOLATION_VARIABLE = 'CONTAINER_ISOLATION_LEVEL';

/** The seed's CONTAINER_ISOLATION_LEVEL: minimal, standard or strict; standard when unset. */
export function readIsolationLevel(env: Record<string, string | undefined>): IsolationType {
	const text = env[ISOLATION_VARIABLE]?.trim().toLowerCase();
	if (text === undefined || text === '') return 'standard';
	if (!ISOLATION_TYPES.includes(text as IsolationType)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${ISOLATION_VARIABLE}=${JSON.stringify(env[ISOLATION_VARIABLE])} is not an isolation level: use minimal, standard or strict`,
		);
	}
	return text as IsolationType;
}
