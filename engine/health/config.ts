// A container's health check from its config and its image's HEALTHCHECK: validation and
// defaults. Pure. The forms are docker's and podman's: a string runs through /bin/sh -c, a
// list is run as it is; an image's Test is ["CMD", argv...], ["CMD-SHELL", cmd] or ["NONE"].
import {C32Error} from '../errors.js';
import {HEALTH_ON_FAILURE, type HealthcheckConfig, type HealthcheckInput, type ImageHealthcheck} from './types.js';

export const HEALTH_DEFAULTS = {interval: 30, timeout: 30, retries: 3, startPeriod: 0, onFailure: 'none'} as const;
/** The shortest schedule: every check starts a node process for a moment (~0.3 s of CPU). */
export const MIN_INTERVAL = 1;
const MAX_SECONDS = 86_400;

/**
 * The argv of a docker/podman test list: ["CMD", argv...] and a plain list are exec form,
 * ["CMD-SHELL", cmd] the shell form; ["NONE"] (or an empty list) is null, no check.
 */
export function commandFromTest(test: readonly string[]): string[] | null {
	const [kind, ...rest] = test;
	if (kind === undefined || kind.toUpperCase() === 'NONE') return null;
	if (kind.toUpperCase() === 'CMD') return rest.length > 0 ? rest : null;
	if (kind.toUpperCase() === 'CMD-SHELL') return rest.length > 0 ? shellCommand(rest.join(' ')) : null;
	return [...test];
}

export function shellCommand(command: string): string[] {
	return ['/bin/sh', '-c', command];
}

/**
 * The check a container gets. `input` null turns off the image's check (--no-healthcheck);
 * undefined takes the image's as it is. Throws INVALID_CONFIG with the fix.
 */
export function resolveHealthcheck(
	input: HealthcheckInput | null | undefined,
	image: ImageHealthcheck | null,
	options: {autoRemove: boolean},
): HealthcheckConfig | null {
	if (input === null) return null;
	const given = input ?? {};
	const fromImage = image === null ? null : commandFromTest(image.test);
	const command = given.command === undefined ? fromImage : checkCommand(given.command);
	if (command === null) {
		const options = Object.keys(given).filter((key) => key !== 'command');
		if (options.length === 0) return null;
		throw invalid(`the health check options (${options.join(', ')}) need a command: give healthcheck.command (--health-cmd)`);
	}
	const pick = (key: 'interval' | 'timeout' | 'startPeriod' | 'retries') =>
		given[key] ?? (image !== null && image[key] > 0 ? image[key] : HEALTH_DEFAULTS[key]);
	const interval = pick('interval');
	if (!isNumber(interval) || (interval !== 0 && (interval < MIN_INTERVAL || interval > MAX_SECONDS))) {
		throw invalid(
			`invalid health check interval ${String(interval)}: give ${MIN_INTERVAL} to ${MAX_SECONDS} seconds, or 0 (disable) for checks run only by c32 healthcheck run`,
		);
	}
	const timeout = pick('timeout');
	if (!isNumber(timeout) || timeout < 0.1 || timeout > MAX_SECONDS) {
		throw invalid(`invalid health check timeout ${String(timeout)}: give 0.1 to ${MAX_SECONDS} seconds`);
	}
	const startPeriod = pick('startPeriod');
	if (!isNumber(startPeriod) || startPeriod < 0 || startPeriod > MAX_SECONDS) {
		throw invalid(`invalid health check start period ${String(startPeriod)}: give 0 to ${MAX_SECONDS} seconds`);
	}
	const retries = pick('retries');
	if (!Number.isInteger(retries) || retries < 1 || retries > 1000) {
		throw invalid(`invalid health check retries ${String(retries)}: give a whole number from 1 to 1000`);
	}
	const onFailure = given.onFailure ?? HEALTH_DEFAULTS.onFailure;
	if (!HEALTH_ON_FAILURE.includes(onFailure)) {
		throw invalid(`invalid health check action ${JSON.stringify(String(onFailure))}: use none, kill, restart or stop`);
	}
	if (onFailure === 'restart' && options.autoRemove) {
		throw invalid('--health-on-failure restart and --rm conflict: a removed container cannot be restarted; drop one of them');
	}
	return {command, interval, timeout, retries, startPeriod, onFailure};
}

function checkCommand(command: string | string[]): string[] {
	if (typeof command === 'string') {
		if (command.trim() === '') throw invalid('the health check command is empty: give a command such as "test -e /tmp/ready"');
		return shellCommand(command);
	}
	if (!Array.isArray(command) || command.length === 0 || command.some((word) => typeof word !== 'string' || word.includes('\0'))) {
		throw invalid('the health check command must be a string or a non-empty list of strings without NUL bytes');
	}
	if (command[0] === '') throw invalid('the health check command names no program: give its first word');
	return [...command];
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** An image config's Healthcheck, or null when it has none usable (durations in nanoseconds, as docker stores them). */
export function parseImageHealthcheck(raw: unknown): ImageHealthcheck | null {
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
	const {Test, Interval, Timeout, StartPeriod, Retries} = raw as Record<string, unknown>;
	if (!Array.isArray(Test) || Test.length === 0 || !Test.every((word) => typeof word === 'string' && !word.includes('\0'))) return null;
	const seconds = (ns: unknown) => (typeof ns === 'number' && Number.isFinite(ns) && ns > 0 ? ns / 1e9 : 0);
	return {
		test: Test as string[],
		interval: seconds(Interval),
		timeout: seconds(Timeout),
		startPeriod: seconds(StartPeriod),
		retries: typeof Retries === 'number' && Number.isInteger(Retries) && Retries > 0 ? Retries : 0,
	};
}

function invalid(message: string): C32Error {
	return new C32Error('INVALID_CONFIG', message);
}
