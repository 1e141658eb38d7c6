import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {cgroupHostFromMountInfo, classifyCgroupVersion} from '../../engine/cgroups/detect.js';
import {findCgroupMounts, parseMountInfo} from '../../engine/cgroups/mountinfo.js';
import {fixture} from './fixtures.js';

describe('parseMountInfo', () => {
	it('reads device, root, mount point, type, source and super options', () => {
		const entries = parseMountInfo(fixture('v1/mountinfo-hybrid'));
		const root = entries.find((entry) => entry.mountPoint === '/');
		assert.deepEqual(root, {
			device: '254:0',
			root: '/',
			mountPoint: '/',
			fsType: 'ext4',
			source: '/dev/vda',
			superOptions: ['rw', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'],
		});
	});

	it('skips optional fields such as shared:N and master:N', () => {
		const entries = parseMountInfo(fixture('v2/mountinfo'));
		const cgroup = entries.find((entry) => entry.fsType === 'cgroup2');
		assert.equal(cgroup?.mountPoint, '/sys/fs/cgroup');
		assert.deepEqual(cgroup?.superOptions, ['rw', 'nsdelegate', 'memory_recursiveprot']);
	});

	it('unescapes octal escapes in paths', () => {
		const entries = parseMountInfo(fixture('v1/mountinfo-legacy'));
		assert.ok(entries.some((entry) => entry.mountPoint === '/mnt/with space'));
	});

	it('ignores blank and malformed lines', () => {
		assert.deepEqual(parseMountInfo('\n\ngarbage line\n'), []);
	});
});

describe('findCgroupMounts', () => {
	it('finds every v1 controller and the unified mount on a hybrid host', () => {
		const mounts = findCgroupMounts(parseMountInfo(fixture('v1/mountinfo-hybrid')));
		assert.equal(mounts.unified, '/sys/fs/cgroup/unified');
		assert.equal(mounts.v1['cpu'], '/sys/fs/cgroup/cpu');
		assert.equal(mounts.v1['cpuacct'], '/sys/fs/cgroup/cpuacct');
		assert.equal(mounts.v1['memory'], '/sys/fs/cgroup/memory');
		assert.equal(mounts.v1['name=systemd'], '/sys/fs/cgroup/systemd');
	});

	it('maps co-mounted controllers to one mount point and ignores mount options', () => {
		const mounts = findCgroupMounts(parseMountInfo(fixture('v1/mountinfo-legacy')));
		assert.equal(mounts.v1['cpu'], '/sys/fs/cgroup/cpu,cpuacct');
		assert.equal(mounts.v1['cpuacct'], '/sys/fs/cgroup/cpu,cpuacct');
		assert.equal(mounts.v1['net_cls'], '/sys/fs/cgroup/net_cls,net_prio');
		assert.equal(mounts.v1['xattr'], undefined);
		assert.equal(mounts.v1['rw'], undefined);
		assert.ok(!Object.keys(mounts.v1).some((key) => key.startsWith('release_agent')));
		assert.equal(mounts.unified, null);
	});
});

describe('classifyCgroupVersion', () => {
	it('tells hybrid, legacy v1, v2 and none apart', () => {
		const classify = (name: string) => classifyCgroupVersion(findCgroupMounts(parseMountInfo(fixture(name))));
		assert.equal(classify('v1/mountinfo-hybrid'), 'hybrid');
		assert.equal(classify('v1/mountinfo-legacy'), 1);
		assert.equal(classify('v1/mountinfo-nested'), 1);
		assert.equal(classify('v2/mountinfo'), 2);
		assert.equal(classifyCgroupVersion({v1: {}, unified: null}), null);
	});

	it('does not count a controller-less name=systemd hierarchy as v1', () => {
		assert.equal(classifyCgroupVersion({v1: {'name=systemd': '/sys/fs/cgroup/systemd'}, unified: '/sys/fs/cgroup'}), 2);
	});
});

describe('cgroupHostFromMountInfo', () => {
	it('reports memsw from the memory controller mount on v1', () => {
		const checked: string[] = [];
		const host = cgroupHostFromMountInfo(fixture('v1/mountinfo-hybrid'), (file) => {
			checked.push(file);
			return true;
		});
		assert.equal(host.memsw, true);
		assert.deepEqual(checked, ['/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes']);
		assert.equal(cgroupHostFromMountInfo(fixture('v1/mountinfo-hybrid'), () => false).memsw, false);
	});

	it('never reports memsw on v2', () => {
		assert.equal(cgroupHostFromMountInfo(fixture('v2/mountinfo'), () => true).memsw, false);
	});
});
