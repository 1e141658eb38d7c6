// Pure translation of ResourceLimits into the cgroup file writes that enforce them.
import path from 'node:path';
import {C32Error} from '../errors.js';
import type {ResourceLimits} from '../types.js';
import type {CgroupDirs} from './paths.js';

export interface CgroupWrite {
	/** Absolute path of the control file. */
	file: string;
	value: string;
}

export interface LimitOptions {
	/** "major:minor" of the whole disk to throttle; required when diskIoLimitMbps is set. */
	blockDevice?: string | null;
	/** v1: the memory controller has memory.memsw.* (swap accounting). */
	memsw?: boolean;
	/** v2: the cgroup has memory.swap.max (swap accounting). */
	swapMax?: boolean;
}

const MIB = 1024 * 1024;
export const CPU_PERIOD_US = 100_000;
// The kernel refuses CFS quotas under 1 ms.
const MIN_CPU_QUOTA_US = 1000;

export function cpuQuotaUs(cpuLimitPercent: number): number {
	return Math.max(MIN_CPU_QUOTA_US, Math.round((cpuLimitPercent / 100) * CPU_PERIOD_US));
}

/** memoryLimitMb is read as MiB. */
export function memoryLimitBytes(memoryLimitMb: number): number {
	return Math.round(memoryLimitMb * MIB);
}

/** diskIoLimitMbps is read as MiB per second, as docker's --device-read-bps "1mb" is. */
export function diskBytesPerSecond(diskIoLimitMbps: number): number {
	return Math.round(diskIoLimitMbps * MIB);
}

function requireDevice(options: LimitOptions): string {
	if (!options.blockDevice) {
		throw new C32Error(
			'UNSUPPORTED',
			'diskIoLimitMbps needs the storage directory on a block device (it is on tmpfs, overlay or similar): drop the limit or move C32_STORAGE_DIR',
		);
	}
	return options.blockDevice;
}

function v1Writes(
	controllers: Extract<CgroupDirs, {version: 1}>['controllers'],
	limits: ResourceLimits,
	options: LimitOptions,
): CgroupWrite[] {
	const writes: CgroupWrite[] = [];
	const at = (dir: string | undefined, controller: string, file: string, value: string) => {
		if (dir === undefined)
			throw new C32Error('UNSUPPORTED', `The ${controller} cgroup controller is not mounted on this host, so the limit cannot be enforced`);
		writes.push({file: path.join(dir, file), value});
	};
	if (limits.memoryLimitMb !== undefined) {
		const bytes = String(memoryLimitBytes(limits.memoryLimitMb));
		// memory first: in a fresh cgroup memsw is unlimited, and memsw may never be below memory.
		at(controllers.memory, 'memory', 'memory.limit_in_bytes', bytes);
		// memory+swap equal to memory: the container gets no swap beyond its limit.
		if (options.memsw) at(controllers.memory, 'memory', 'memory.memsw.limit_in_bytes', bytes);
	}
	if (limits.cpuLimitPercent !== undefined) {
		at(controllers.cpu, 'cpu', 'cpu.cfs_period_us', String(CPU_PERIOD_US));
		at(controllers.cpu, 'cpu', 'cpu.cfs_quota_us', String(cpuQuotaUs(limits.cpuLimitPercent)));
	}
	if (limits.maxProcesses !== undefined) at(controllers.pids, 'pids', 'pids.max', String(limits.maxProcesses));
	if (limits.diskIoLimitMbps !== undefined) {
		const rule = `${requireDevice(options)} ${diskBytesPerSecond(limits.diskIoLimitMbps)}`;
		at(controllers.blkio, 'blkio', 'blkio.throttle.read_bps_device', rule);
		at(controllers.blkio, 'blkio', 'blkio.throttle.write_bps_device', rule);
	}
	return writes;
}

function v2Writes(dir: string, limits: ResourceLimits, options: LimitOptions): CgroupWrite[] {
	const writes: CgroupWrite[] = [];
	const at = (file: string, value: string) => writes.push({file: path.join(dir, file), value});
	if (limits.memoryLimitMb !== undefined) {
		at('memory.max', String(memoryLimitBytes(limits.memoryLimitMb)));
		if (options.swapMax) at('memory.swap.max', '0');
	}
	if (limits.cpuLimitPercent !== undefined) at('cpu.max', `${cpuQuotaUs(limits.cpuLimitPercent)} ${CPU_PERIOD_US}`);
	if (limits.maxProcesses !== undefined) at('pids.max', String(limits.maxProcesses));
	if (limits.diskIoLimitMbps !== undefined) {
		const bytes = diskBytesPerSecond(limits.diskIoLimitMbps);
		at('io.max', `${requireDevice(options)} rbps=${bytes} wbps=${bytes}`);
	}
	return writes;
}

/** The writes, in order, that put `limits` on a freshly created cgroup. */
export function limitWrites(dirs: CgroupDirs, limits: ResourceLimits, options: LimitOptions = {}): CgroupWrite[] {
	return dirs.version === 2 ? v2Writes(dirs.unified, limits, options) : v1Writes(dirs.controllers, limits, options);
}

/** v2 controllers c32 turns on for a container: io and pids for metrics even without limits. */
export const V2_CONTROLLERS = ['cpu', 'memory', 'pids', 'io'] as const;

/** The v2 controllers without which `limits` cannot be enforced. */
export function v2ControllersRequiredBy(limits: ResourceLimits): string[] {
	const required: string[] = [];
	if (limits.cpuLimitPercent !== undefined) required.push('cpu');
	if (limits.memoryLimitMb !== undefined) required.push('memory');
	if (limits.maxProcesses !== undefined) required.push('pids');
	if (limits.diskIoLimitMbps !== undefined) required.push('io');
	return required;
}
