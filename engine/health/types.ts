// Health checks: what a container's config says about its check, and what its checks found.
// Plain JSON data, part of the public API (re-exported by engine/types.ts).

/** What --health-on-failure does once a container turns unhealthy. */
export type HealthOnFailure = 'none' | 'kill' | 'restart' | 'stop';
export const HEALTH_ON_FAILURE: readonly HealthOnFailure[] = ['none', 'kill', 'restart', 'stop'];

/**
 * A health check as a caller gives it (ContainerConfig.healthcheck). Every field left out
 * comes from the image's HEALTHCHECK when it has one, else from the defaults below.
 */
export interface HealthcheckInput {
	/** A string runs through the container's /bin/sh -c; a list is run as it is (exec form). */
	command?: string | string[];
	/** Seconds between the end of one check and the start of the next; 0 = never scheduled (only `healthcheck run`). Default 30. */
	interval?: number;
	/** Seconds a check may run before it is killed and counts as failed. Default 30. */
	timeout?: number;
	/** Consecutive failures that make the container unhealthy. Default 3. */
	retries?: number;
	/** Seconds after a start during which failures do not count. Default 0. */
	startPeriod?: number;
	onFailure?: HealthOnFailure;
}

/** The stored check (ResolvedConfig.healthcheck): every field filled in. */
export interface HealthcheckConfig {
	/** The argv run inside the container; the shell form is ["/bin/sh", "-c", CMD]. */
	command: string[];
	interval: number;
	timeout: number;
	retries: number;
	startPeriod: number;
	onFailure: HealthOnFailure;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';
export const HEALTH_STATUSES: readonly HealthStatus[] = ['starting', 'healthy', 'unhealthy'];

/** One check's result. */
export interface HealthLogEntry {
	start: string;
	end: string;
	/** The command's exit code; -1 when it timed out or could not run. */
	exitCode: number;
	/** Its stdout and stderr, at most 4 KiB (the end of it), or why it could not run. */
	output: string;
}

/** How a container's checks are doing (docker's State.Health). */
export interface ContainerHealth {
	status: HealthStatus;
	/** Consecutive failures that counted (none within the start period). */
	failingStreak: number;
	/** The last 5 results, oldest first. */
	log: HealthLogEntry[];
}

/** An image config's Healthcheck (docker's format; durations converted to seconds, 0 = not set). */
export interface ImageHealthcheck {
	/** ["CMD", argv...], ["CMD-SHELL", cmd] or ["NONE"]. */
	test: string[];
	interval: number;
	timeout: number;
	startPeriod: number;
	retries: number;
}
