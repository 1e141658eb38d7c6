// One raw reading of a container's cgroup: cumulative counters and current gauges.
// Synchronous on purpose: a handful of small kernel files, no event-loop round trips.
// Each file costs a few syscalls and the kernel's formatting of it, for every container on
// every tick of `c32 top`: the metrics read only what they show (readCgroupUsage); the
// oom-kill count, which only the end of a run needs, is read by readCgroupSample.
import {readFileSync} from 'node:fs';
import {
	type BlockIoBytes,
	keyedValue,
	parseBlkioServiceBytes,
	parseIoStat,
	parseKeyedValues,
	parsePidList,
	parseSingleNumber,
	parseV2Max,
	v1LimitOrNull,
} from './parse.js';
import {type CgroupDirs, processListDir} from './paths.js';

export interface CgroupUsage {
	/** Cumulative CPU time of every process that ever ran in the cgroup. */
	cpuUsageNs: number;
	/** Usage without the inactive file cache, which the kernel reclaims first (as docker reports it). */
	memoryUsageBytes: number;
	/** The cgroup's limit, or null when unlimited. */
	memoryLimitBytes: number | null;
	pids: number;
	blockReadBytes: number;
	blockWriteBytes: number;
}

export interface CgroupSample extends CgroupUsage {
	oomKills: number;
}

class CgroupGoneError extends Error {}

function read(dir: string, file: string): string {
	try {
		// Not path.join: the directories are normalized already (paths.ts), and this runs for every file of every container.
		return readFileSync(`${dir}/${file}`, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CgroupGoneError(`${dir}/${file} is gone`);
		throw error;
	}
}

const NO_IO: BlockIoBytes = {readBytes: 0, writeBytes: 0};

function countProcesses(dirs: CgroupDirs): number {
	const dir = processListDir(dirs);
	return dir === undefined ? 0 : parsePidList(read(dir, 'cgroup.procs')).length;
}

function readV1(controllers: Extract<CgroupDirs, {version: 1}>['controllers'], dirs: CgroupDirs): CgroupUsage {
	const {cpuacct, memory, pids, blkio} = controllers;
	const cpuUsageNs = cpuacct === undefined ? 0 : parseSingleNumber(read(cpuacct, 'cpuacct.usage'));
	let memoryUsageBytes = 0;
	let memoryLimitBytes: number | null = null;
	if (memory !== undefined) {
		const stat = read(memory, 'memory.stat');
		const usage = parseSingleNumber(read(memory, 'memory.usage_in_bytes'));
		memoryUsageBytes = Math.max(0, usage - (keyedValue(stat, 'total_inactive_file') ?? 0));
		// The effective limit: the smallest limit on the way up the hierarchy.
		const limit = keyedValue(stat, 'hierarchical_memory_limit');
		memoryLimitBytes = limit === undefined ? null : v1LimitOrNull(limit);
	}
	const processes = pids === undefined ? countProcesses(dirs) : parseSingleNumber(read(pids, 'pids.current'));
	const io = blkio === undefined ? NO_IO : parseBlkioServiceBytes(read(blkio, 'blkio.throttle.io_service_bytes_recursive'));
	return {
		cpuUsageNs,
		memoryUsageBytes,
		memoryLimitBytes,
		pids: processes,
		blockReadBytes: io.readBytes,
		blockWriteBytes: io.writeBytes,
	};
}

function readOomKillsV1(memory: string | undefined): number {
	return memory === undefined ? 0 : (parseKeyedValues(read(memory, 'memory.oom_control')).get('oom_kill') ?? 0);
}

function readOptional(dir: string, file: string): string | undefined {
	try {
		return read(dir, file);
	} catch (error) {
		if (error instanceof CgroupGoneError) return undefined;
		throw error;
	}
}

function readV2(dir: string, dirs: CgroupDirs): CgroupUsage {
	// cpu.stat exists in every v2 cgroup; the others only where their controller is enabled.
	const cpuUsageNs = (keyedValue(read(dir, 'cpu.stat'), 'usage_usec') ?? 0) * 1000;
	const current = readOptional(dir, 'memory.current');
	let memoryUsageBytes = 0;
	let memoryLimitBytes: number | null = null;
	if (current !== undefined) {
		const stat = read(dir, 'memory.stat');
		memoryUsageBytes = Math.max(0, parseSingleNumber(current) - (keyedValue(stat, 'inactive_file') ?? 0));
		memoryLimitBytes = parseV2Max(read(dir, 'memory.max'));
	}
	const pidsCurrent = readOptional(dir, 'pids.current');
	const ioStat = readOptional(dir, 'io.stat');
	const io = ioStat === undefined ? NO_IO : parseIoStat(ioStat);
	return {
		cpuUsageNs,
		memoryUsageBytes,
		memoryLimitBytes,
		pids: pidsCurrent === undefined ? countProcesses(dirs) : parseSingleNumber(pidsCurrent),
		blockReadBytes: io.readBytes,
		blockWriteBytes: io.writeBytes,
	};
}

function readOomKillsV2(dir: string): number {
	const events = readOptional(dir, 'memory.events');
	return events === undefined ? 0 : (parseKeyedValues(events).get('oom_kill') ?? 0);
}

/** What the metrics show; null when the cgroup no longer exists (the container has ended). */
export function readCgroupUsage(dirs: CgroupDirs): CgroupUsage | null {
	try {
		return dirs.version === 2 ? readV2(dirs.unified, dirs) : readV1(dirs.controllers, dirs);
	} catch (error) {
		if (error instanceof CgroupGoneError) return null;
		throw error;
	}
}

/** The usage and the count of oom kills; null when the cgroup no longer exists (the container has ended). */
export function readCgroupSample(dirs: CgroupDirs): CgroupSample | null {
	try {
		const usage = dirs.version === 2 ? readV2(dirs.unified, dirs) : readV1(dirs.controllers, dirs);
		const oomKills = dirs.version === 2 ? readOomKillsV2(dirs.unified) : readOomKillsV1(dirs.controllers.memory);
		return {...usage, oomKills};
	} catch (error) {
		if (error instanceof CgroupGoneError) return null;
		throw error;
	}
}
