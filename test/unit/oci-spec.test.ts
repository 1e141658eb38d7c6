// buildSpec: the OCI runtime spec of a container, a pure function of its resolved config
// and the host facts.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {STANDARD_CAPABILITIES} from '../../engine/capabilities.js';
import {type HostFacts, resolveConfig} from '../../engine/config.js';
import {C32Error} from '../../engine/errors.js';
import {buildSpec, CPU_PERIOD_US, MASKED_HOST_SECRETS, type OciSpec, type SpecInput} from '../../engine/oci/spec.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const host: HostFacts = fakeHost({
	maxOpenFilesHard: 4096,
	defaults: {pidsLimit: null, openFiles: null},
	pathKind: (p) => (p === '/srv/vol' || p === '/srv/ro' ? 'directory' : p === '/srv/bot.py' ? 'file' : null),
	isExecutable: () => false,
	lookupUser: () => null,
});

function spec(config: ContainerConfig, overrides: Partial<SpecInput> = {}): OciSpec {
	return buildSpec({
		id: 'f'.repeat(64),
		config: resolveConfig(config, 'spec-test', host),
		rootfs: '/store/containers/x/bundle/rootfs',
		app: {kind: 'overlay', lower: '/store/images/abc', upper: '/store/containers/x/app/upper', work: '/store/containers/x/app/work'},
		hostDirs: [{path: '/usr'}, {path: '/etc'}, {path: '/bin', symlinkTarget: 'usr/bin'}],
		etcFiles: [],
		recursiveReadOnly: true,
		cgroupsPath: '/c32/x',
		blockDevice: null,
		swapLimitSupported: true,
		userNamespace: null,
		netnsPath: '/run/c32-test/netns/x',
		arch: 'x64',
		...overrides,
	});
}

const mount = (s: OciSpec, destination: string) => s.mounts.find((m) => m.destination === destination);
const nsTypes = (s: OciSpec) => s.linux.namespaces.map((n) => n.type).sort();

describe('buildSpec isolation', () => {
	test('standard: pid, mount, ipc, uts, cgroup and the prepared network namespace; no user namespace', () => {
		const s = spec({entrypoint: 'true'});
		assert.deepEqual(nsTypes(s), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
		assert.deepEqual(
			s.linux.namespaces.find((n) => n.type === 'network'),
			{type: 'network', path: '/run/c32-test/netns/x'},
			'it joins the namespace the network attachment wired',
		);
		assert.deepEqual(nsTypes(spec({entrypoint: 'true', network: 'host'})), ['cgroup', 'ipc', 'mount', 'pid', 'uts'], '--network host');
		assert.equal(s.linux.uidMappings, undefined);
		assert.equal(s.root.readonly, false);
	});

	test('standard capabilities: the default set, never SYS_ADMIN, NET_ADMIN or SYS_MODULE; nothing inheritable or ambient', () => {
		const caps = spec({entrypoint: 'true'}).process.capabilities;
		for (const set of ['bounding', 'effective', 'permitted'] as const) {
			assert.deepEqual([...caps[set]].sort(), [...STANDARD_CAPABILITIES].sort());
			for (const forbidden of [
				'CAP_SYS_ADMIN',
				'CAP_NET_ADMIN',
				'CAP_SYS_MODULE',
				'CAP_SYS_PTRACE',
				'CAP_SYS_RAWIO',
				'CAP_SYS_BOOT',
				'CAP_SYS_TIME',
				'CAP_DAC_READ_SEARCH',
			]) {
				assert.ok(!caps[set].includes(forbidden), `${set} has ${forbidden}`);
			}
		}
		assert.deepEqual(caps.inheritable, []);
		assert.deepEqual(caps.ambient, []);
	});

	test('strict: read-only root, own network, no capabilities, a user namespace when given one', () => {
		const mapping = [{containerID: 0, hostID: 100000, size: 65536}];
		const s = spec({entrypoint: 'true', isolationLevel: 'strict'}, {userNamespace: {uidMappings: mapping, gidMappings: mapping}});
		assert.equal(s.root.readonly, true);
		assert.deepEqual(nsTypes(s), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts']);
		for (const set of Object.values(s.process.capabilities)) assert.deepEqual(set, []);
		assert.deepEqual(s.linux.uidMappings, [{containerID: 0, hostID: 100000, size: 65536}]);
		assert.deepEqual(s.linux.gidMappings, s.linux.uidMappings);
		const withoutUserns = spec({entrypoint: 'true', isolationLevel: 'strict'});
		assert.ok(!nsTypes(withoutUserns).includes('user'));
	});

	test('network none gives a standard container its own network namespace', () => {
		const none = spec({entrypoint: 'true', network: 'none'});
		assert.deepEqual(
			none.linux.namespaces.find((n) => n.type === 'network'),
			{type: 'network'},
			'a new, empty one',
		);
		assert.equal(mount(none, '/sys')?.type, 'sysfs');
	});

	test('a c32 network without a prepared namespace is refused, never run on the host network', () => {
		assert.throws(
			() => spec({entrypoint: 'true', network: 'backend'}, {netnsPath: null}),
			(e: unknown) => e instanceof C32Error && e.code === 'RUNTIME_ERROR' && /network backend/.test(e.message),
		);
	});

	test('strict on a c32 network: its user namespace does not own the network namespace, so /sys is the host one bound read-only', () => {
		const mapping = [{containerID: 0, hostID: 100000, size: 65536}];
		const s = spec(
			{entrypoint: 'true', isolationLevel: 'strict', network: 'backend'},
			{userNamespace: {uidMappings: mapping, gidMappings: mapping}},
		);
		assert.deepEqual(
			s.linux.namespaces.find((n) => n.type === 'network'),
			{type: 'network', path: '/run/c32-test/netns/x'},
		);
		assert.deepEqual(mount(s, '/sys'), {
			destination: '/sys',
			type: 'bind',
			source: '/sys',
			options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro', 'rro'],
		});
		assert.equal(mount(spec({entrypoint: 'true', network: 'backend'}), '/sys')?.type, 'sysfs', 'without a user namespace sysfs is mounted');
	});

	test('no_new_privileges, a seccomp filter that denies mount/unshare/ptrace, masked secrets and kernel paths', () => {
		const s = spec({entrypoint: 'true'});
		assert.equal(s.process.noNewPrivileges, true);
		assert.equal(s.linux.seccomp.defaultAction, 'SCMP_ACT_ALLOW');
		assert.ok(s.linux.seccomp.architectures.includes('SCMP_ARCH_X86_64'));
		const denied = s.linux.seccomp.syscalls.filter((r) => r.action === 'SCMP_ACT_ERRNO').flatMap((r) => r.names);
		for (const call of ['mount', 'umount2', 'unshare', 'setns', 'ptrace', 'kexec_load', 'init_module', 'bpf', 'reboot', 'swapon']) {
			assert.ok(denied.includes(call), `${call} is allowed`);
		}
		assert.ok(!denied.includes('read') && !denied.includes('write') && !denied.includes('execve'));
		for (const secret of ['/etc/shadow', '/etc/gshadow', '/etc/sudoers', '/etc/ssh']) {
			assert.ok(s.linux.maskedPaths.includes(secret), `${secret} is not masked`);
			assert.ok(MASKED_HOST_SECRETS.includes(secret));
		}
		assert.ok(s.linux.maskedPaths.includes('/proc/kcore'));
		assert.ok(s.linux.readonlyPaths.includes('/proc/sys'));
	});
});

describe('buildSpec process', () => {
	test('argv is entrypoint then args; cwd and user from the config', () => {
		const s = spec({entrypoint: 'python3', args: ['-u', 'bot.py'], workingDir: '/work', user: '1000:1000'});
		assert.deepEqual(s.process.args, ['python3', '-u', 'bot.py']);
		assert.equal(s.process.cwd, '/work');
		assert.deepEqual(s.process.user, {uid: 1000, gid: 1000});
		assert.equal(s.process.terminal, false);
	});

	test('tty gives the process a terminal; stdinOpen alone does not', () => {
		assert.equal(spec({entrypoint: 'sh', tty: true}).process.terminal, true);
		assert.equal(spec({entrypoint: 'sh', stdinOpen: true}).process.terminal, false);
	});

	test("the environment is PATH, HOSTNAME, HOME and the configured variables, never the host's", () => {
		const leak = `C32_SPEC_LEAK_${process.pid}`;
		process.env[leak] = 'x';
		try {
			const env = spec({name: 'envy', entrypoint: 'true', environment: {A: '1', PATH: '/custom'}}).process.env;
			assert.ok(!env.some((e) => e.startsWith(`${leak}=`)));
			assert.ok(env.includes('A=1'));
			assert.ok(env.includes('PATH=/custom'), 'a configured PATH overrides the default');
			assert.ok(env.includes('HOSTNAME=envy'));
			assert.ok(env.includes('HOME=/root'));
			assert.equal(env.filter((e) => e.startsWith('PATH=')).length, 1);
			assert.ok(spec({entrypoint: 'true', user: '1000'}).process.env.includes('HOME=/tmp'));
		} finally {
			delete process.env[leak];
		}
	});

	test('maxOpenFiles becomes RLIMIT_NOFILE soft and hard; none without it', () => {
		assert.deepEqual(spec({entrypoint: 'true', resourceLimits: {maxOpenFiles: 256}}).process.rlimits, [
			{type: 'RLIMIT_NOFILE', hard: 256, soft: 256},
		]);
		assert.deepEqual(spec({entrypoint: 'true'}).process.rlimits, []);
	});

	test('the hostname and annotations', () => {
		const s = spec({name: 'svc', entrypoint: 'true'});
		assert.equal(s.hostname, 'svc');
		assert.equal(s.annotations['io.c32.name'], 'svc');
	});
});

describe('buildSpec resources', () => {
	test('memory without swap (swap = limit when the host can limit swap)', () => {
		const bytes = 256 * 1024 * 1024;
		assert.deepEqual(spec({entrypoint: 'true', resourceLimits: {memoryLimitMb: 256}}).linux.resources['memory'], {
			limit: bytes,
			swap: bytes,
		});
		assert.deepEqual(
			spec({entrypoint: 'true', resourceLimits: {memoryLimitMb: 256}}, {swapLimitSupported: false}).linux.resources['memory'],
			{limit: bytes},
		);
	});

	test('cpuLimitPercent is a quota over a 100 ms period: 100 = one core, 50 = half, 200 = two', () => {
		assert.equal(CPU_PERIOD_US, 100_000);
		for (const [percent, quota] of [
			[100, 100_000],
			[50, 50_000],
			[200, 200_000],
			[1, 1000],
		] as const) {
			assert.deepEqual(spec({entrypoint: 'true', resourceLimits: {cpuLimitPercent: percent}}).linux.resources['cpu'], {
				quota,
				period: 100_000,
			});
		}
	});

	test('maxProcesses is the pids limit; disk I/O throttles reads and writes on the storage device', () => {
		assert.deepEqual(spec({entrypoint: 'true', resourceLimits: {maxProcesses: 50}}).linux.resources['pids'], {limit: 50});
		const io = spec({entrypoint: 'true', resourceLimits: {diskIoLimitMbps: 10}}, {blockDevice: {major: 254, minor: 0}}).linux.resources[
			'blockIO'
		] as Record<string, unknown>;
		const rule = [{major: 254, minor: 0, rate: 10 * 1024 * 1024}];
		assert.deepEqual(io['throttleReadBpsDevice'], rule);
		assert.deepEqual(io['throttleWriteBpsDevice'], rule);
	});

	test('no limits, no resource sections (but devices are denied by default)', () => {
		const r = spec({entrypoint: 'true'}).linux.resources;
		assert.deepEqual(Object.keys(r), ['devices']);
		assert.deepEqual(r['devices'], [{allow: false, access: 'rwm'}]);
	});
});

describe('buildSpec mounts', () => {
	test('host system directories are bound read-only; symlinked ones are left to the rootfs', () => {
		const s = spec({entrypoint: 'true'});
		for (const dir of ['/usr', '/etc']) {
			const m = mount(s, dir);
			assert.ok(m, `${dir} is not mounted`);
			assert.equal(m.type, 'bind');
			assert.ok(m.options.includes('ro'), `${dir} is writable`);
			assert.ok(m.options.includes('nosuid'));
		}
		assert.equal(mount(s, '/bin'), undefined);
	});

	test('/tmp is a tmpfs sized by the memory limit; /proc, /dev, /sys present; /sys read-only', () => {
		const s = spec({entrypoint: 'true', resourceLimits: {memoryLimitMb: 64}});
		assert.equal(mount(s, '/tmp')?.type, 'tmpfs');
		assert.ok(mount(s, '/tmp')?.options.includes(`size=${64 * 1024}k`));
		assert.equal(mount(s, '/proc')?.type, 'proc');
		assert.equal(mount(s, '/dev')?.type, 'tmpfs');
		assert.ok(mount(s, '/sys')?.options.includes('ro'));
	});

	test('/app: an overlay over the snapshot, or a bind', () => {
		const overlay = mount(spec({entrypoint: 'true'}), '/app');
		assert.equal(overlay?.type, 'overlay');
		assert.ok(overlay?.options.includes('lowerdir=/store/images/abc'));
		const bind = mount(spec({entrypoint: 'true'}, {app: {kind: 'bind', source: '/store/images/abc', readOnly: true}}), '/app');
		assert.equal(bind?.type, 'bind');
		assert.ok(bind?.options.includes('ro'));
	});

	test('volumes are binds, read-only when asked, after the system mounts', () => {
		const s = spec({
			entrypoint: 'true',
			volumes: [
				{source: '/srv/vol', destination: '/data'},
				{source: '/srv/ro', destination: '/config', readOnly: true},
			],
		});
		const data = mount(s, '/data');
		const config = mount(s, '/config');
		assert.equal(data?.source, '/srv/vol');
		assert.ok(data?.options.includes('rw'));
		assert.ok(config?.options.includes('ro'));
		const order = s.mounts.map((m) => m.destination);
		assert.ok(order.indexOf('/data') > order.indexOf('/usr') && order.indexOf('/data') > order.indexOf('/tmp'));
	});

	test('read-only binds are read-only recursively (rro) where the kernel can; plain ro where it cannot', () => {
		const input: ContainerConfig = {
			entrypoint: 'true',
			volumes: [
				{source: '/srv/ro', destination: '/config', readOnly: true},
				{source: '/srv/vol', destination: '/data'},
			],
		};
		const rro = spec(input);
		for (const dir of ['/usr', '/etc', '/config'])
			assert.deepEqual(
				mount(rro, dir)?.options.filter((o) => /^r?ro$/.test(o)),
				['ro', 'rro'],
				dir,
			);
		assert.ok(!mount(rro, '/data')?.options.includes('rro'));
		const strictApp = mount(
			spec({entrypoint: 'true', isolationLevel: 'strict'}, {app: {kind: 'bind', source: '/store/images/abc', readOnly: true}}),
			'/app',
		);
		assert.ok(strictApp?.options.includes('rro'));
		const old = spec(input, {recursiveReadOnly: false});
		for (const m of old.mounts) assert.ok(!m.options.includes('rro'), `${m.destination} uses rro on an old kernel`);
		assert.ok(mount(old, '/config')?.options.includes('ro'));
	});

	test("the container's /etc files are bound after the host's /etc: writable in standard, read-only in strict", () => {
		const etcFiles = [
			{source: '/store/containers/x/etc/hostname', destination: '/etc/hostname'},
			{source: '/store/containers/x/etc/resolv.conf', destination: '/run/systemd/resolve/stub-resolv.conf'},
		];
		const s = spec({entrypoint: 'true'}, {etcFiles});
		const order = s.mounts.map((m) => m.destination);
		assert.ok(order.indexOf('/etc/hostname') > order.indexOf('/etc'));
		assert.equal(mount(s, '/etc/hostname')?.source, '/store/containers/x/etc/hostname');
		assert.ok(mount(s, '/etc/hostname')?.options.includes('rw'));
		assert.equal(mount(s, '/run/systemd/resolve/stub-resolv.conf')?.type, 'bind');
		const strict = spec({entrypoint: 'true', isolationLevel: 'strict'}, {etcFiles});
		assert.ok(mount(strict, '/etc/hostname')?.options.includes('ro'));
	});

	test('the root is the mount point given, outside the storage root', () => {
		assert.equal(spec({entrypoint: 'true'}, {rootfs: '/run/c32/k/x/rootfs'}).root.path, '/run/c32/k/x/rootfs');
	});
});
