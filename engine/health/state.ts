// What a container's checks found: the health file (userdata/health.json, written whole and
// renamed under the container's lock) and how one result changes it (pure). Kept beside the
// record, not in it: a check every few seconds must not rewrite the record other commands read.
import fs from 'node:fs';
import path from 'node:path';
import type {ContainerRecord} from '../record.js';
import type {ContainerMetadata} from '../types.js';
import type {ContainerHealth, HealthcheckConfig, HealthLogEntry} from './types.js';

export const HEALTH_LOG_SIZE = 5;
/** What a result keeps of a check's output: its last 4 KiB. */
export const HEALTH_OUTPUT_MAX = 4096;

export interface HealthFile extends ContainerHealth {
	/** The run these results belong to (InternalState.generation): a check of an earlier run is dropped. */
	generation: number;
	/** When the run began: the start period counts from here. */
	since: string;
}

export const healthFile = (userdata: string) => path.join(userdata, 'health.json');

/** The health file, or null when there is none (or it is unreadable: it is rebuilt at the next start). */
export function readHealth(userdata: string): HealthFile | null {
	try {
		const data = JSON.parse(fs.readFileSync(healthFile(userdata), 'utf8')) as HealthFile;
		return typeof data?.status === 'string' && Array.isArray(data.log) ? data : null;
	} catch {
		return null;
	}
}

export function writeHealth(userdata: string, health: HealthFile): void {
	const file = healthFile(userdata);
	const temp = `${file}.${process.pid}.tmp`;
	fs.writeFileSync(temp, `${JSON.stringify(health)}\n`, {mode: 0o600});
	fs.renameSync(temp, file);
}

/** A new run starts `starting`, keeping the earlier results to look at. */
export function healthForRun(previous: HealthFile | null, generation: number, since: string): HealthFile {
	return {generation, since, status: 'starting', failingStreak: 0, log: previous?.log ?? []};
}

/**
 * One check's result. Within the start period a failure does not count while the container
 * is still `starting`; a success ends the start period (docker's rules).
 */
export function applyResult(health: HealthFile, result: HealthLogEntry, check: HealthcheckConfig): HealthFile {
	const log = [...health.log, result].slice(-HEALTH_LOG_SIZE);
	if (result.exitCode === 0) return {...health, status: 'healthy', failingStreak: 0, log};
	const inStartPeriod = Date.parse(result.start) - Date.parse(health.since) < check.startPeriod * 1000;
	if (inStartPeriod && health.status === 'starting') return {...health, log};
	const failingStreak = health.failingStreak + 1;
	return {...health, failingStreak, status: failingStreak >= check.retries ? 'unhealthy' : health.status, log};
}

/** The end of a check's output, at most HEALTH_OUTPUT_MAX bytes of UTF-8. */
export function trimOutput(output: Buffer): string {
	const tail = output.length > HEALTH_OUTPUT_MAX ? output.subarray(output.length - HEALTH_OUTPUT_MAX) : output;
	return tail.toString('utf8').replace(/^\uFFFD+/, '');
}

/** What listing shows. */
export function publicHealth(health: HealthFile): ContainerHealth {
	return {status: health.status, failingStreak: health.failingStreak, log: health.log};
}

/** The record's metadata with its health, for a container that has a check and a health file. */
export function metadataWithHealth(record: ContainerRecord, userdata: string): ContainerMetadata {
	if (record.config.healthcheck === null) return record.metadata;
	const health = readHealth(userdata);
	return health === null ? record.metadata : {...record.metadata, health: publicHealth(health)};
}
