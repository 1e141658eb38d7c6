import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {CgroupDirs} from '../../engine/cgroups/paths.js';
import {readCgroupSample} from '../../engine/cgroups/sample.js';
import {fixtureDir} from './fixtures.js';

/** A v1 cgroup whose controllers all live in one fixture directory. */
function v1Fixture(name: string): CgroupDirs {
	const dir = fixtureDir(`v1/${name}`);
	return {version: 1, controllers: {cpu: dir, cpuacct: dir, memory: dir, pids: dir, blkio: dir, freezer: dir}, unified: null};
}

describe('readCgroupSample on v1 (files from a real host)', () => {
	it('reads a limited cgroup: usage minus inactive file cache, the hierarchical limit, OOM kills', () => {
		assert.deepEqual(readCgroupSample(v1Fixture('limited')), {
			cpuUsageNs: 472075696,
			memoryUsageBytes: 67039232 - 46223360,
			memoryLimitBytes: 67108864,
			pids: 10,
			blockReadBytes: 134549504,
			blockWriteBytes: 29360128,
			oomKills: 1,
		});
	});

	it('reads an unlimited cgroup as memoryLimitBytes null', () => {
		assert.deepEqual(readCgroupSample(v1Fixture('unlimited')), {
			cpuUsageNs: 72747937,
			memoryUsageBytes: 1069056 - 20480,
			memoryLimitBytes: null,
			pids: 3,
			blockReadBytes: 2719744,
			blockWriteBytes: 2621440,
			oomKills: 0,
		});
	});

	it('reports zero for controllers that are not mounted', () => {
		const dir = fixtureDir('v1/unlimited');
		const sample = readCgroupSample({version: 1, controllers: {cpuacct: dir, pids: dir}, unified: null});
		assert.deepEqual(sample, {
			cpuUsageNs: 72747937,
			memoryUsageBytes: 0,
			memoryLimitBytes: null,
			pids: 3,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			oomKills: 0,
		});
	});
});

describe('readCgroupSample on v2 (fixture files)', () => {
	it('reads a limited cgroup', () => {
		assert.deepEqual(readCgroupSample({version: 2, unified: fixtureDir('v2/limited')}), {
			cpuUsageNs: 2145301 * 1000,
			memoryUsageBytes: 52690944 - 12582912,
			memoryLimitBytes: 268435456,
			pids: 7,
			blockReadBytes: 1052672 + 24576,
			blockWriteBytes: 4194304,
			oomKills: 2,
		});
	});

	it('reads "max" limits as null and an empty io.stat as no I/O', () => {
		assert.deepEqual(readCgroupSample({version: 2, unified: fixtureDir('v2/unlimited')}), {
			cpuUsageNs: 13620000,
			memoryUsageBytes: 2330624,
			memoryLimitBytes: null,
			pids: 1,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			oomKills: 0,
		});
	});

	it('falls back to counting cgroup.procs when no controller is enabled', () => {
		assert.deepEqual(readCgroupSample({version: 2, unified: fixtureDir('v2/cpu-only')}), {
			cpuUsageNs: 13620000,
			memoryUsageBytes: 0,
			memoryLimitBytes: null,
			pids: 2,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			oomKills: 0,
		});
	});
});

describe('readCgroupSample of a cgroup that is gone', () => {
	it('returns null', () => {
		assert.equal(readCgroupSample({version: 2, unified: fixtureDir('v2/no-such-cgroup')}), null);
		assert.equal(readCgroupSample(v1Fixture('no-such-cgroup')), null);
	});
});
