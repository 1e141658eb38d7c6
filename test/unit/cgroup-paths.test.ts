import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {cgroupHostFromMountInfo} from '../../engine/cgroups/detect.js';
import {allDirs, cgroupDirsFor, processListDir} from '../../engine/cgroups/paths.js';
import {isC32Error} from '../../engine/errors.js';
import {fixture} from './fixtures.js';

const host = (name: string) => cgroupHostFromMountInfo(fixture(name), () => false);

describe('cgroupDirsFor', () => {
	it('gives one directory per controller, plus the unified one, on a hybrid host', () => {
		const dirs = cgroupDirsFor(host('v1/mountinfo-hybrid'), 'c32/abc');
		assert.deepEqual(dirs, {
			version: 1,
			controllers: {
				cpu: '/sys/fs/cgroup/cpu/c32/abc',
				cpuacct: '/sys/fs/cgroup/cpuacct/c32/abc',
				memory: '/sys/fs/cgroup/memory/c32/abc',
				pids: '/sys/fs/cgroup/pids/c32/abc',
				blkio: '/sys/fs/cgroup/blkio/c32/abc',
				freezer: '/sys/fs/cgroup/freezer/c32/abc',
			},
			unified: '/sys/fs/cgroup/unified/c32/abc',
		});
	});

	it('gives the unified directory on v2 and accepts a leading slash', () => {
		assert.deepEqual(cgroupDirsFor(host('v2/mountinfo'), '/c32/abc'), {version: 2, unified: '/sys/fs/cgroup/c32/abc'});
	});

	it('leaves out controllers that are not mounted', () => {
		const dirs = cgroupDirsFor(host('v1/mountinfo-nested'), 'c32/abc');
		assert.equal(dirs.version, 1);
		if (dirs.version !== 1) return;
		assert.equal(dirs.controllers.blkio, undefined);
		assert.equal(dirs.controllers.freezer, undefined);
		assert.equal(dirs.controllers.cpu, '/sys/fs/cgroup/cpu,cpuacct/c32/abc');
		assert.equal(dirs.unified, null);
	});

	it('refuses paths that climb out of the hierarchy', () => {
		for (const bad of ['', '/', 'c32/../../etc', 'c32//x', './c32']) {
			assert.throws(() => cgroupDirsFor(host('v2/mountinfo'), bad), /invalid cgroup path/);
		}
	});

	it('fails with UNSUPPORTED when no cgroup filesystem is mounted', () => {
		assert.throws(
			() => cgroupDirsFor({version: null, mounts: {v1: {}, unified: null}, memsw: false}, 'c32/abc'),
			(error) => isC32Error(error) && error.code === 'UNSUPPORTED' && /mount -t cgroup2/.test(error.message),
		);
	});
});

describe('allDirs', () => {
	it('lists a directory shared by co-mounted controllers once', () => {
		const dirs = cgroupDirsFor(host('v1/mountinfo-legacy'), 'c32/abc');
		const list = allDirs(dirs);
		assert.equal(list.filter((dir) => dir === '/sys/fs/cgroup/cpu,cpuacct/c32/abc').length, 1);
		assert.equal(list.length, new Set(list).size);
		assert.equal(list.length, 5);
	});

	it('includes the unified directory on hybrid hosts', () => {
		assert.ok(allDirs(cgroupDirsFor(host('v1/mountinfo-hybrid'), 'c32/abc')).includes('/sys/fs/cgroup/unified/c32/abc'));
	});
});

describe('processListDir', () => {
	it('prefers the pids controller on v1 and the unified directory on v2', () => {
		assert.equal(processListDir(cgroupDirsFor(host('v1/mountinfo-hybrid'), 'c32/x')), '/sys/fs/cgroup/pids/c32/x');
		assert.equal(processListDir(cgroupDirsFor(host('v2/mountinfo'), 'c32/x')), '/sys/fs/cgroup/c32/x');
	});
});
