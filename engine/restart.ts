// Restart policies: parsing and the backoff schedule. Pure.
import {C32Error} from './errors.js';
import type {RestartPolicy, RestartPolicyName} from './types.js';

const POLICY_NAMES: readonly RestartPolicyName[] = ['no', 'on-failure', 'always', 'unless-stopped'];

export const BACKOFF_START_MS = 100;
export const BACKOFF_MAX_MS = 30_000;
/** A run that lasted this long resets the backoff. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

export function parseRestartPolicy(input: RestartPolicy | string | undefined): Required<RestartPolicy> {
	if (input === undefined) return {name: 'no', maxRetries: 0};
	if (typeof input === 'string') {
		const match = /^([a-z-]+)(?::(\d+))?$/.exec(input.trim());
		const name = match?.[1] as RestartPolicyName | undefined;
		if (!match || !name || !POLICY_NAMES.includes(name) || (match[2] !== undefined && name !== 'on-failure')) {
			throw badPolicy(input);
		}
		return {name, maxRetries: match[2] === undefined ? 0 : Number(match[2])};
	}
	if (!POLICY_NAMES.includes(input.name)) throw badPolicy(String(input.name));
	const maxRetries = input.maxRetries ?? 0;
	if (!Number.isInteger(maxRetries) || maxRetries < 0 || (maxRetries > 0 && input.name !== 'on-failure')) {
		throw badPolicy(`${input.name}:${maxRetries}`);
	}
	return {name: input.name, maxRetries};
}

function badPolicy(text: string): C32Error {
	return new C32Error(
		'INVALID_CONFIG',
		`invalid restart policy ${JSON.stringify(text)}: use no, on-failure, on-failure:N, always or unless-stopped`,
	);
}

export interface ExitFacts {
	exitCode: number;
	stopRequested: boolean;
	/** Restarts since the user last started the container. */
	restartsSinceStart: number;
}

export function shouldRestart(policy: Required<RestartPolicy>, facts: ExitFacts): boolean {
	if (facts.stopRequested) return false;
	switch (policy.name) {
		case 'no':
			return false;
		case 'always':
		case 'unless-stopped':
			return true;
		case 'on-failure':
			return facts.exitCode !== 0 && (policy.maxRetries === 0 || facts.restartsSinceStart < policy.maxRetries);
	}
}

/** The shortest and longest backoff cap a container may set (--restart-max-delay). */
export const MIN_RESTART_MAX_DELAY_MS = BACKOFF_START_MS;
export const MAX_RESTART_MAX_DELAY_MS = 24 * 60 * 60 * 1000;

/**
 * A container is in a crash loop once this many restarts in a row each followed a run shorter
 * than BACKOFF_RESET_AFTER_MS (with the default backoff: within about 3 s of restarts).
 */
export const CRASH_LOOP_RESTARTS = 5;

/**
 * Whether `c32 system boot` starts a container of this policy after a reboot: always and
 * unless-stopped (podman's podman-restart.service; docker's daemon start), never one the user
 * stopped, never no or on-failure (a reboot is not the container failing; docker agrees).
 */
export function startsAtBoot(policy: Required<RestartPolicy>, stopRequested: boolean): boolean {
	return !stopRequested && (policy.name === 'always' || policy.name === 'unless-stopped');
}

/** Delay before restart number `attempt` (0-based) of a crash loop, never more than `maxMs`. */
export function backoffDelayMs(attempt: number, maxMs: number = BACKOFF_MAX_MS): number {
	return Math.min(maxMs, BACKOFF_START_MS * 2 ** Math.min(64, Math.max(0, attempt)));
}

/** Whether `shortRunsInARow` restarts after short runs (the record's backoffAttempt) make a crash loop. */
export function isCrashLoop(shortRunsInARow: number): boolean {
	return shortRunsInARow >= CRASH_LOOP_RESTARTS;
}

/** Whether scheduling a restart moved the count of short runs in a row into the loop: the moment to say so once. */
export function enteredCrashLoop(before: number, after: number): boolean {
	return isCrashLoop(after) && !isCrashLoop(before);
}

/** Checks a backoff cap given in the API (ms). */
export function validRestartMaxDelay(ms: number): boolean {
	return Number.isFinite(ms) && ms >= MIN_RESTART_MAX_DELAY_MS && ms <= MAX_RESTART_MAX_DELAY_MS;
}

/** The crash-loop attempt after a run that lasted `uptimeMs`. */
export function nextBackoffAttempt(previousAttempt: number, uptimeMs: number): number {
	return uptimeMs >= BACKOFF_RESET_AFTER_MS ? 0 : previousAttempt + 1;
}
