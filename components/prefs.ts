// The user's dashboard choices, kept between runs in a conf store in the user's config
// directory (C32_CONFIG_DIR overrides where, for tests and for people who want it elsewhere).
import Conf from 'conf';
import {type ColumnId, isColumnId} from './model/columns.js';

export interface Prefs {
	sortColumn: ColumnId;
	sortDescending: boolean;
	intervalMs: number;
	showGraphs: boolean;
	showDetails: boolean;
}

export const DEFAULT_PREFS: Prefs = {
	sortColumn: 'cpu',
	sortDescending: true,
	intervalMs: 1000,
	showGraphs: true,
	showDetails: false,
};

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 60_000;
export const INTERVAL_STEPS = [250, 500, 1000, 2000, 5000, 10_000] as const;

export function clampInterval(ms: number): number {
	if (!Number.isFinite(ms)) return DEFAULT_PREFS.intervalMs;
	return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, Math.round(ms)));
}

/** The next step up (direction 1) or down (-1) from the current interval. */
export function stepInterval(ms: number, direction: 1 | -1): number {
	const largest = INTERVAL_STEPS[INTERVAL_STEPS.length - 1]!;
	if (direction === 1) return INTERVAL_STEPS.find((step) => step > ms) ?? Math.max(ms, largest);
	const lower = [...INTERVAL_STEPS].reverse().find((step) => step < ms);
	return lower ?? INTERVAL_STEPS[0];
}

/** Keeps what is valid of a stored object and fills in the rest, so a hand-edited file never breaks start-up. */
export function sanitizePrefs(stored: unknown): Prefs {
	const value = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
	return {
		sortColumn: isColumnId(value['sortColumn']) ? value['sortColumn'] : DEFAULT_PREFS.sortColumn,
		sortDescending: typeof value['sortDescending'] === 'boolean' ? value['sortDescending'] : DEFAULT_PREFS.sortDescending,
		intervalMs: typeof value['intervalMs'] === 'number' ? clampInterval(value['intervalMs']) : DEFAULT_PREFS.intervalMs,
		showGraphs: typeof value['showGraphs'] === 'boolean' ? value['showGraphs'] : DEFAULT_PREFS.showGraphs,
		showDetails: typeof value['showDetails'] === 'boolean' ? value['showDetails'] : DEFAULT_PREFS.showDetails,
	};
}

export interface PrefsStore {
	load(): Prefs;
	save(prefs: Prefs): void;
	/** Where the preferences live, or why they cannot be kept. */
	readonly location: string;
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
	const dir = env['C32_CONFIG_DIR'];
	return dir?.trim() ? dir : undefined;
}

/** A conf-backed store; if the config directory cannot be used, preferences live for this run only. */
export function openPrefs(env: NodeJS.ProcessEnv = process.env): PrefsStore {
	let conf: Conf<Record<string, unknown>> | null = null;
	let problem = '';
	try {
		conf = new Conf<Record<string, unknown>>({
			projectName: 'c32',
			configName: 'top',
			cwd: configDir(env),
			clearInvalidConfig: true,
		});
	} catch (error) {
		problem = error instanceof Error ? error.message : String(error);
	}
	let memory: Prefs = DEFAULT_PREFS;
	return {
		location: conf ? conf.path : `not saved (${problem})`,
		load() {
			if (!conf) return memory;
			try {
				return sanitizePrefs(conf.store);
			} catch {
				return memory;
			}
		},
		save(prefs) {
			memory = prefs;
			try {
				conf?.set({...prefs});
			} catch {
				// A read-only config directory must not break the dashboard; the choice lasts this run.
			}
		},
	};
}
