// Turns raw readings (a cgroup's counters, or a process driver's pids) into ContainerMetrics,
// and /proc/stat + /proc/meminfo into HostStats. CPU % needs two readings: the sampler keeps
// the previous one per container in memory, and when there is none (or it is only a few ms
// old) takes a second one after a short pause (one pause for a whole batch).
import {readFileSync} from 'node:fs';
import os from 'node:os';
import {setTimeout as sleep} from 'node:timers/promises';
import type pidusage from 'pidusage';
import type {HostStats} from './api.js';
import {parseKeyedValues} from './cgroups/parse.js';
import type {CgroupDirs} from './cgroups/paths.js';
import {type CgroupUsage, readCgroupUsage} from './cgroups/sample.js';
import type {ContainerMetrics} from './types.js';

const MIB = 1024 * 1024;
const DEFAULT_MIN_WINDOW_MS = 100;
/** Readings of containers that stopped being sampled are dropped after this long. */
const FORGET_AFTER_MS = 5 * 60_000;

export type MetricsSource =
	| {kind: 'cgroup'; dirs: CgroupDirs}
	/** The process driver without a cgroup: the container's processes, measured with pidusage. */
	| {kind: 'processes'; pids: number[]; memoryLimitBytes?: number | null};

export interface MetricsTarget {
	id: string;
	name: string;
	source: MetricsSource;
}

/** CPU time of one process, and how long ago it started (to tell new processes from untracked ones). */
export interface ProcessCpu {
	cpuNs: number;
	ageNs: number;
}

/** One reading of a container, from either source. */
export interface RawReading {
	/** Monotonic time of the reading. */
	atNs: bigint;
	/** Cumulative CPU time of the cgroup; unused when perProcess is set. */
	cpuUsageNs: number;
	/** Process source: CPU per pid, since pids come and go between readings. */
	perProcess?: Map<number, ProcessCpu>;
	memoryUsageBytes: number;
	memoryLimitBytes: number | null;
	pids: number;
	blockReadBytes: number;
	blockWriteBytes: number;
}

/**
 * CPU use between two readings, 100 = one core busy for the whole interval. A counter that
 * went backwards (the cgroup was recreated by a restart) counts as no use, not negative use.
 * For processes, a pid first seen now counts whole only if it started within the interval;
 * CPU used by a pid that exited in between is not seen.
 */
export function cpuPercentBetween(previous: RawReading, current: RawReading): number {
	const intervalNs = Number(current.atNs - previous.atNs);
	if (intervalNs <= 0) return 0;
	let usedNs = 0;
	if (current.perProcess !== undefined && previous.perProcess !== undefined) {
		for (const [pid, now] of current.perProcess) {
			const before = previous.perProcess.get(pid);
			if (before !== undefined) usedNs += Math.max(0, now.cpuNs - before.cpuNs);
			else if (now.ageNs <= intervalNs) usedNs += now.cpuNs;
		}
	} else {
		usedNs = Math.max(0, current.cpuUsageNs - previous.cpuUsageNs);
	}
	return (usedNs / intervalNs) * 100;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function toContainerMetrics(target: MetricsTarget, previous: RawReading, current: RawReading, now: Date): ContainerMetrics {
	return {
		id: target.id,
		name: target.name,
		cpuPercent: round2(cpuPercentBetween(previous, current)),
		memoryMb: round2(current.memoryUsageBytes / MIB),
		memoryLimitMb: current.memoryLimitBytes === null ? null : round2(current.memoryLimitBytes / MIB),
		pids: current.pids,
		blockReadBytes: current.blockReadBytes,
		blockWriteBytes: current.blockWriteBytes,
		timestamp: now.toISOString(),
	};
}

function fromCgroupSample(sample: CgroupUsage, atNs: bigint): RawReading {
	return {...sample, atNs};
}

/** read_bytes / write_bytes of /proc/<pid>/io: what the process made the block layer do. */
export function parseProcIo(text: string): {readBytes: number; writeBytes: number} {
	const values = parseKeyedValues(text.replaceAll(':', ''));
	return {readBytes: values.get('read_bytes') ?? 0, writeBytes: values.get('write_bytes') ?? 0};
}

function readProcIo(pid: number): {readBytes: number; writeBytes: number} {
	try {
		return parseProcIo(readFileSync(`/proc/${pid}/io`, 'utf8'));
	} catch {
		return {readBytes: 0, writeBytes: 0};
	}
}

/** A reading of the process driver's pids; null when none of them is alive. */
export async function readProcesses(pids: number[], memoryLimitBytes: number | null = null): Promise<RawReading | null> {
	if (pids.length === 0) return null;
	let stats: Record<number, pidusage.Status | undefined>;
	try {
		// Loaded on first use: every command that loads the engine would pay for it otherwise.
		const {default: measure} = await import('pidusage');
		stats = await measure(pids);
	} catch (error) {
		// pidusage fails the whole call only when every pid is gone.
		if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /No matching pid/.test((error as Error).message)) return null;
		throw error;
	}
	const atNs = process.hrtime.bigint();
	const perProcess = new Map<number, ProcessCpu>();
	let memoryUsageBytes = 0;
	let blockReadBytes = 0;
	let blockWriteBytes = 0;
	for (const pid of pids) {
		const stat = stats[pid];
		if (stat === undefined) continue;
		perProcess.set(pid, {cpuNs: stat.ctime * 1e6, ageNs: stat.elapsed * 1e6});
		memoryUsageBytes += stat.memory;
		const io = readProcIo(pid);
		blockReadBytes += io.readBytes;
		blockWriteBytes += io.writeBytes;
	}
	if (perProcess.size === 0) return null;
	return {atNs, cpuUsageNs: 0, perProcess, memoryUsageBytes, memoryLimitBytes, pids: perProcess.size, blockReadBytes, blockWriteBytes};
}

export interface MetricsSamplerOptions {
	/**
	 * CPU % is measured over at least this long (default 100 ms): a container seen for the
	 * first time, or whose previous reading is younger, is read again after a pause, one
	 * pause for the whole batch. 0 never pauses (first sight then reports 0 %).
	 */
	minWindowMs?: number;
	readCgroup?: (dirs: CgroupDirs) => CgroupUsage | null;
	readProcesses?: (pids: number[], memoryLimitBytes: number | null) => Promise<RawReading | null>;
}

/** Keeps one sampler per engine: it remembers each container's previous reading. */
export class MetricsSampler {
	private readonly previous = new Map<string, {reading: RawReading; seenAtMs: number}>();
	private readonly minWindowNs: bigint;
	private readonly readCgroup: (dirs: CgroupDirs) => CgroupUsage | null;
	private readonly readPids: (pids: number[], memoryLimitBytes: number | null) => Promise<RawReading | null>;

	constructor(options: MetricsSamplerOptions = {}) {
		this.minWindowNs = BigInt(Math.round((options.minWindowMs ?? DEFAULT_MIN_WINDOW_MS) * 1e6));
		this.readCgroup = options.readCgroup ?? readCgroupUsage;
		this.readPids = options.readProcesses ?? readProcesses;
	}

	private async read(target: MetricsTarget): Promise<RawReading | null> {
		const {source} = target;
		if (source.kind === 'processes') return this.readPids(source.pids, source.memoryLimitBytes ?? null);
		const sample = this.readCgroup(source.dirs);
		return sample === null ? null : fromCgroupSample(sample, process.hrtime.bigint());
	}

	/**
	 * One sample of every target, in the order given; targets whose cgroup or processes are
	 * gone are left out.
	 */
	async sample(targets: MetricsTarget[]): Promise<ContainerMetrics[]> {
		const readings = new Map<string, RawReading>();
		for (const target of targets) {
			const reading = await this.read(target);
			if (reading !== null) readings.set(target.id, reading);
		}
		// A window of a few ms says little: CFS hands out quota per 100 ms period, and
		// process CPU times tick in 10 ms steps.
		const baselines = new Map<string, RawReading>();
		const tooShort: MetricsTarget[] = [];
		let pauseNs = 0n;
		for (const target of targets) {
			const current = readings.get(target.id);
			if (current === undefined) continue;
			const baseline = this.previous.get(target.id)?.reading ?? current;
			baselines.set(target.id, baseline);
			const windowNs = current.atNs - baseline.atNs;
			if (windowNs < this.minWindowNs) {
				tooShort.push(target);
				if (this.minWindowNs - windowNs > pauseNs) pauseNs = this.minWindowNs - windowNs;
			}
		}
		if (pauseNs > 0n) {
			await sleep(Number(pauseNs) / 1e6);
			for (const target of tooShort) {
				const second = await this.read(target);
				if (second === null) readings.delete(target.id);
				else readings.set(target.id, second);
			}
		}
		const nowMs = Date.now();
		const now = new Date(nowMs);
		const metrics: ContainerMetrics[] = [];
		for (const target of targets) {
			const current = readings.get(target.id);
			if (current === undefined) {
				this.previous.delete(target.id);
				continue;
			}
			metrics.push(toContainerMetrics(target, baselines.get(target.id) ?? current, current, now));
			this.previous.set(target.id, {reading: current, seenAtMs: nowMs});
		}
		this.forgetStale(nowMs);
		return metrics;
	}

	/** Drops the remembered reading of a container (call it when the container is removed). */
	forget(id: string): void {
		this.previous.delete(id);
	}

	private forgetStale(nowMs: number): void {
		for (const [id, entry] of this.previous) {
			if (nowMs - entry.seenAtMs > FORGET_AFTER_MS) this.previous.delete(id);
		}
	}
}

// ---- Host ----

export interface ProcStatCpu {
	cpuCount: number;
	/** Jiffies spent doing anything but idling or waiting for I/O, summed over CPUs. */
	busyTicks: number;
	totalTicks: number;
}

/** The aggregate "cpu" line of /proc/stat and the number of per-CPU lines. */
export function parseProcStat(text: string): ProcStatCpu {
	let cpuCount = 0;
	let busyTicks = 0;
	let totalTicks = 0;
	for (const line of text.split('\n')) {
		if (/^cpu\d/.test(line)) cpuCount++;
		else if (line.startsWith('cpu ')) {
			// user nice system idle iowait irq softirq steal guest guest_nice; guest time is
			// already inside user and nice, so it is not added again.
			const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
				.trim()
				.split(/\s+/)
				.slice(1)
				.map(Number);
			totalTicks = user + nice + system + idle + iowait + irq + softirq + steal;
			busyTicks = totalTicks - idle - iowait;
		}
	}
	return {cpuCount, busyTicks, totalTicks};
}

/** MemTotal and MemAvailable (estimated from free + caches on kernels before 3.14), in kB. */
export function parseMeminfo(text: string): {totalKb: number; availableKb: number} {
	const values = parseKeyedValues(text.replaceAll(':', '').replaceAll(' kB', ''));
	const totalKb = values.get('MemTotal') ?? 0;
	const availableKb =
		values.get('MemAvailable') ?? (values.get('MemFree') ?? 0) + (values.get('Buffers') ?? 0) + (values.get('Cached') ?? 0);
	return {totalKb, availableKb};
}

/** Host CPU % between two /proc/stat readings, 100 = one core (up to cpuCount * 100). */
export function hostCpuPercent(previous: ProcStatCpu, current: ProcStatCpu): number {
	const total = current.totalTicks - previous.totalTicks;
	if (total <= 0) return 0;
	const busy = Math.max(0, current.busyTicks - previous.busyTicks);
	return (busy / total) * current.cpuCount * 100;
}

export interface HostStatsSamplerOptions {
	/** CPU % is measured over at least this long (default 100 ms); the first call pauses for it. */
	minWindowMs?: number;
	readProcStat?: () => string;
	readMeminfo?: () => string;
	loadAverage?: () => number[];
}

export class HostStatsSampler {
	private previous: {stat: ProcStatCpu; atMs: number} | undefined;
	private readonly minWindowMs: number;
	private readonly readProcStat: () => string;
	private readonly readMeminfo: () => string;
	private readonly loadAverage: () => number[];

	constructor(options: HostStatsSamplerOptions = {}) {
		this.minWindowMs = options.minWindowMs ?? DEFAULT_MIN_WINDOW_MS;
		this.readProcStat = options.readProcStat ?? (() => readFileSync('/proc/stat', 'utf8'));
		this.readMeminfo = options.readMeminfo ?? (() => readFileSync('/proc/meminfo', 'utf8'));
		this.loadAverage = options.loadAverage ?? os.loadavg;
	}

	/** Host stats; CPU % is since the previous call (the first call measures over a short pause). */
	async sample(): Promise<HostStats> {
		const previous = this.previous ?? {stat: parseProcStat(this.readProcStat()), atMs: performance.now()};
		const remainingMs = this.minWindowMs - (performance.now() - previous.atMs);
		if (remainingMs > 0) await sleep(remainingMs);
		const current = parseProcStat(this.readProcStat());
		this.previous = {stat: current, atMs: performance.now()};
		const memory = parseMeminfo(this.readMeminfo());
		const [one = 0, five = 0, fifteen = 0] = this.loadAverage();
		return {
			cpuCount: current.cpuCount,
			cpuPercent: round2(hostCpuPercent(previous.stat, current)),
			memoryTotalMb: Math.round(memory.totalKb / 1024),
			memoryUsedMb: Math.round((memory.totalKb - memory.availableKb) / 1024),
			loadAverage: [one, five, fifteen],
		};
	}
}
