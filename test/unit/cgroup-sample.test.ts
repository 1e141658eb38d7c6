import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {CgroupDirs} from '../../engine/cgroups/paths.js';
import {readCgroupSample, readCgroupUsage} from '../../engine/cgroups/sample.js';
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

describe('readCgroupUsage: what the metrics show, without the oom-kill count', () => {
	/** A copy of a fixture cgroup without its oom-kill file: readCgroupUsage must not need it. */
	function withoutOomFiles(t: {after: (fn: () => void) => void}, name: string): string {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-cgroup-usage-'));
		t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
		fs.cpSync(fixtureDir(name), dir, {recursive: true});
		fs.rmSync(path.join(dir, 'memory.oom_control'), {force: true});
		fs.rmSync(path.join(dir, 'memory.events'), {force: true});
		return dir;
	}

	it('on v1 reads the same usage as readCgroupSample and never opens memory.oom_control', (t) => {
		const dir = withoutOomFiles(t, 'v1/limited');
		const dirs: CgroupDirs = {version: 1, controllers: {cpuacct: dir, memory: dir, pids: dir, blkio: dir}, unified: null};
		const {oomKills: _, ...usage} = readCgroupSample(v1Fixture('limited'))!;
		assert.deepEqual(readCgroupUsage(dirs), usage);
		// The oom-kill count is still read where it is asked for: without its file the cgroup reads as gone.
		assert.equal(readCgroupSample(dirs), null);
	});

	it('on v2 reads the same usage as readCgroupSample and never opens memory.events', (t) => {
		const dir = withoutOomFiles(t, 'v2/limited');
		const {oomKills: _, ...usage} = readCgroupSample({version: 2, unified: fixtureDir('v2/limited')})!;
		assert.deepEqual(readCgroupUsage({version: 2, unified: dir}), usage);
	});
});
