// The seed's monitoring settings: the thresholds every container has unless it sets its own,
// and the sampling interval of `c32 top`. Read whenever a sample is checked (docs/thresholds.md).
import {C32Error} from './errors.js';

export const MEMORY_THRESHOLD_VARIABLE = 'MEMORY_THRESHOLD_MB';
export const CPU_THRESHOLD_VARIABLE = 'CPU_THRESHOLD_PERCENT';
export const MONITORING_INTERVAL_VARIABLE = 'MONITORING_INTERVAL_SEC';

/** The thresholds of a container that sets none of its own; null: none. */
export interface ThresholdSettings {
	memoryMb: number | null;
	cpuPercent: number | null;
}

/** The seed's MEMORY_THRESHOLD_MB and CPU_THRESHOLD_PERCENT: positive numbers, unset (or 0) for none. */
export function readThresholdSettings(env: Record<string, string | undefined>): ThresholdSettings {
	return {
		memoryMb: positiveSetting(env, MEMORY_THRESHOLD_VARIABLE, 'MB', '500', 2 ** 32),
		cpuPercent: positiveSetting(env, CPU_THRESHOLD_VARIABLE, 'percent (100 = one core)', '90', 100 * 4096),
	};
}

export const DEFAULT_MONITORING_INTERVAL_MS = 1000;

/** The seed's MONITORING_INTERVAL_SEC in ms: `c32 top`'s default refresh and threshold sampling interval (0.1 s to 60 s). */
export function readMonitoringIntervalMs(env: Record<string, string | undefined>): number | null {
	const seconds = positiveSetting(env, MONITORING_INTERVAL_VARIABLE, 'seconds', '5', 60);
	if (seconds === null) return null;
	if (seconds < 0.1) {
		throw new C32Error('INVALID_CONFIG', `${MONITORING_INTERVAL_VARIABLE}=${seconds} is too short: give 0.1 to 60 seconds, e.g. 5`);
	}
	return Math.round(seconds * 1000);
}

function positiveSetting(
	env: Record<string, string | undefined>,
	variable: string,
	unit: string,
	example: string,
	max: number,
): number | null {
	const text = env[variable]?.trim();
	if (text === undefined || text === '') return null;
	const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
	if (value === 0) return null;
	if (!(value > 0 && value <= max)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${variable}=${JSON.stringify(text)} is not a number of ${unit} from 0 to ${max}: give e.g. ${variable}=${example}, or unset it`,
		);
	}
	return value;
}
