import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {cpuQuotaUs, diskBytesPerSecond, limitWrites, v2ControllersRequiredBy} from '../../engine/cgroups/limits.js';
import type {CgroupDirs} from '../../engine/cgroups/paths.js';
import {isC32Error} from '../../engine/errors.js';

const v1: CgroupDirs = {
	version: 1,
	controllers: {
		cpu: '/cg/cpu/c32/x',
		cpuacct: '/cg/cpuacct/c32/x',
		memory: '/cg/memory/c32/x',
		pids: '/cg/pids/c32/x',
		blkio: '/cg/blkio/c32/x',
		freezer: '/cg/freezer/c32/x',
	},
	unified: '/cg/unified/c32/x',
};
const v2: CgroupDirs = {version: 2, unified: '/cg/c32/x'};
const all = {memoryLimitMb: 64, cpuLimitPercent: 50, maxProcesses: 20, diskIoLimitMbps: 10};

describe('limitWrites on v1', () => {
	it('writes memory (then memsw, equal, so no swap), CFS quota and period, pids.max and blkio throttles', () => {
		assert.deepEqual(limitWrites(v1, all, {memsw: true, blockDevice: '254:0'}), [
			{file: '/cg/memory/c32/x/memory.limit_in_bytes', value: '67108864'},
			{file: '/cg/memory/c32/x/memory.memsw.limit_in_bytes', value: '67108864'},
			{file: '/cg/cpu/c32/x/cpu.cfs_period_us', value: '100000'},
			{file: '/cg/cpu/c32/x/cpu.cfs_quota_us', value: '50000'},
			{file: '/cg/pids/c32/x/pids.max', value: '20'},
			{file: '/cg/blkio/c32/x/blkio.throttle.read_bps_device', value: '254:0 10485760'},
			{file: '/cg/blkio/c32/x/blkio.throttle.write_bps_device', value: '254:0 10485760'},
		]);
	});

	it('skips memsw when swap accounting is off', () => {
		assert.deepEqual(limitWrites(v1, {memoryLimitMb: 1}, {memsw: false}), [
			{file: '/cg/memory/c32/x/memory.limit_in_bytes', value: '1048576'},
		]);
	});

	it('writes nothing without limits', () => {
		assert.deepEqual(limitWrites(v1, {}), []);
	});

	it('refuses a limit whose controller is not mounted', () => {
		const noPids: CgroupDirs = {version: 1, controllers: {memory: '/cg/memory/x'}, unified: null};
		assert.throws(
			() => limitWrites(noPids, {maxProcesses: 5}),
			(error) => isC32Error(error) && error.code === 'UNSUPPORTED' && /pids/.test(error.message),
		);
	});
});

describe('limitWrites on v2', () => {
	it('writes memory.max with no swap, cpu.max, pids.max and io.max', () => {
		assert.deepEqual(limitWrites(v2, all, {swapMax: true, blockDevice: '8:0'}), [
			{file: '/cg/c32/x/memory.max', value: '67108864'},
			{file: '/cg/c32/x/memory.swap.max', value: '0'},
			{file: '/cg/c32/x/cpu.max', value: '50000 100000'},
			{file: '/cg/c32/x/pids.max', value: '20'},
			{file: '/cg/c32/x/io.max', value: '8:0 rbps=10485760 wbps=10485760'},
		]);
	});

	it('leaves memory.swap.max alone when the kernel has no swap accounting', () => {
		assert.deepEqual(limitWrites(v2, {memoryLimitMb: 2}, {swapMax: false}), [{file: '/cg/c32/x/memory.max', value: '2097152'}]);
	});

	it('names the controllers that limits need', () => {
		assert.deepEqual(v2ControllersRequiredBy(all), ['cpu', 'memory', 'pids', 'io']);
		assert.deepEqual(v2ControllersRequiredBy({maxOpenFiles: 10}), []);
	});
});

describe('disk limit without a block device', () => {
	it('is refused, never silently dropped', () => {
		for (const dirs of [v1, v2]) {
			assert.throws(
				() => limitWrites(dirs, {diskIoLimitMbps: 5}, {blockDevice: null}),
				(error) => isC32Error(error) && error.code === 'UNSUPPORTED' && /diskIoLimitMbps/.test(error.message),
			);
		}
	});
});

describe('unit conversions', () => {
	it('cpuQuotaUs: 100 = one core, 250 = two and a half, never under the 1 ms kernel minimum', () => {
		assert.equal(cpuQuotaUs(100), 100000);
		assert.equal(cpuQuotaUs(250), 250000);
		assert.equal(cpuQuotaUs(33.3), 33300);
		assert.equal(cpuQuotaUs(0.1), 1000);
	});

	it('diskBytesPerSecond reads MiB/s', () => {
		assert.equal(diskBytesPerSecond(1), 1048576);
		assert.equal(diskBytesPerSecond(0.5), 524288);
	});
});
