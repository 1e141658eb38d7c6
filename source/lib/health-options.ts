// The health-check options of `run` and `create` (podman's names) and how they become the
// config's `healthcheck`. Only the form is checked here; ranges are the engine's call.

import {HEALTH_ON_FAILURE} from '../../engine/health/types.js';
import type {HealthcheckInput, HealthOnFailure} from '../../engine/index.js';
import {choiceFlag} from './checked-flags.js';
import {parseSecondsOrDuration} from './duration.js';
import {UsageError} from './errors.js';
import {parseInteger} from './numbers.js';

export const healthFlags = {
	healthCmd: {type: 'string'},
	healthInterval: {type: 'string'},
	healthTimeout: {type: 'string'},
	healthRetries: {type: 'string'},
	healthStartPeriod: {type: 'string'},
	healthOnFailure: {type: 'string'},
	// --no-healthcheck sets it false.
	healthcheck: {type: 'boolean', default: true},
} as const;

export interface HealthFlagValues {
	healthCmd?: string;
	healthInterval?: string;
	healthTimeout?: string;
	healthRetries?: string;
	healthStartPeriod?: string;
	healthOnFailure?: string;
	/** false: --no-healthcheck. */
	healthcheck?: boolean;
}

export const healthOptionsHelp = `
  --health-cmd CMD             A health check run inside the container: a command for its
                               /bin/sh -c, or a JSON list run as it is ('["curl","-f","localhost"]');
                               none turns an image's HEALTHCHECK off
  --health-interval DURATION   Time between checks (default 30s); disable: only c32 healthcheck run
  --health-timeout DURATION    A check running longer fails (default 30s)
  --health-retries N           Failures in a row that make it unhealthy (default 3)
  --health-start-period DUR    Failures in this time after a start do not count (default 0s)
  --health-on-failure ACTION   When unhealthy: none (default) | kill | restart | stop
  --no-healthcheck             No health check, not even the image's`;

/** The flags -> config.healthcheck: undefined when none was given (the image's applies), null for none. */
export function buildHealthcheck(flags: HealthFlagValues): HealthcheckInput | null | undefined {
	const given: HealthcheckInput = {};
	let off = flags.healthcheck === false;
	if (flags.healthCmd !== undefined) {
		const command = parseHealthCommand(flags.healthCmd);
		if (command === null) off = true;
		else given.command = command;
	}
	if (flags.healthInterval !== undefined) {
		given.interval = flags.healthInterval.trim() === 'disable' ? 0 : seconds(flags.healthInterval, '--health-interval');
	}
	if (flags.healthTimeout !== undefined) given.timeout = seconds(flags.healthTimeout, '--health-timeout');
	if (flags.healthRetries !== undefined) given.retries = parseInteger(flags.healthRetries, '--health-retries');
	if (flags.healthStartPeriod !== undefined) given.startPeriod = seconds(flags.healthStartPeriod, '--health-start-period');
	if (flags.healthOnFailure !== undefined) {
		given.onFailure = choiceFlag('--health-on-failure', flags.healthOnFailure, HEALTH_ON_FAILURE) as HealthOnFailure;
	}
	if (off) {
		if (Object.keys(given).length > 0) {
			throw new UsageError('--no-healthcheck (or --health-cmd none) and the other --health-* options conflict: drop one of them');
		}
		return null;
	}
	return Object.keys(given).length > 0 ? given : undefined;
}

/**
 * podman's forms: a JSON list is exec form (a leading "CMD" dropped, ["CMD-SHELL", cmd] the
 * shell form), anything else a shell command; "none" (or ["NONE"]) is no check.
 */
export function parseHealthCommand(text: string): string | string[] | null {
	const trimmed = text.trim();
	if (trimmed.toLowerCase() === 'none') return null;
	if (!trimmed.startsWith('[')) {
		if (trimmed === '') throw new UsageError(`invalid --health-cmd ${JSON.stringify(text)}: give a command such as "test -e /tmp/ready"`);
		return text;
	}
	let list: unknown;
	try {
		list = JSON.parse(trimmed);
	} catch {
		list = null;
	}
	if (!Array.isArray(list) || list.length === 0 || !list.every((word) => typeof word === 'string')) {
		throw new UsageError(
			`invalid --health-cmd ${JSON.stringify(text)}: give a JSON list of strings such as '["curl", "-f", "http://localhost/"]', or a shell command`,
		);
	}
	const [kind, ...rest] = list as string[];
	const upper = kind!.toUpperCase();
	if (upper === 'NONE') return null;
	if ((upper === 'CMD' || upper === 'CMD-SHELL') && rest.length === 0) {
		throw new UsageError(`invalid --health-cmd ${JSON.stringify(text)}: ${kind} needs the command after it`);
	}
	if (upper === 'CMD-SHELL') return rest.join(' ');
	return upper === 'CMD' ? rest : (list as string[]);
}

function seconds(text: string, flag: string): number {
	return parseSecondsOrDuration(text, flag) / 1000;
}
