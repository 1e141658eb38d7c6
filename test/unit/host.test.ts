import assert from 'node:assert/strict';
import {chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, afterEach, describe, it} from 'node:test';
import {detectCgroupHost} from '../../engine/cgroups/detect.js';
import {isC32Error} from '../../engine/errors.js';
import {
	clearHostCache,
	detectHost,
	filesystemListed,
	findExecutable,
	installCommand,
	parseVersionOutput,
	probeRuntime,
	requireOciTools,
	seccompSupported,
	userNamespacesAllowed,
} from '../../engine/host.js';

const IN_CI = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');
const IS_ROOT = process.getuid?.() === 0;

describe('host fact parsers', () => {
	it('parseVersionOutput reads runc, crun and conmon --version', () => {
		assert.equal(parseVersionOutput('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\n'), '1.1.5+ds1');
		assert.equal(parseVersionOutput('crun version 1.8.1\ncommit: f8a096be\nrundir: /run/crun\n'), '1.8.1');
		assert.equal(parseVersionOutput('conmon version 2.1.6\ncommit: unknown\n'), '2.1.6');
		assert.equal(parseVersionOutput('usage: foo\n'), null);
	});

	it('filesystemListed reads /proc/filesystems', () => {
		const text = 'nodev\tsysfs\nnodev\tcgroup2\n\text4\nnodev\toverlay\n';
		assert.equal(filesystemListed(text, 'overlay'), true);
		assert.equal(filesystemListed(text, 'ext4'), true);
		assert.equal(filesystemListed(text, 'btrfs'), false);
		assert.equal(filesystemListed('nodev\toverlayfs\n', 'overlay'), false);
	});

	it('seccompSupported needs the status field and filter mode', () => {
		const status = 'Name:\tnode\nSeccomp:\t0\nSeccomp_filters:\t0\n';
		assert.equal(seccompSupported(status, 'kill_process kill_thread trap errno user_notif trace log allow\n'), true);
		assert.equal(seccompSupported(status, null), false);
		assert.equal(seccompSupported('Name:\tnode\n', 'errno'), false);
	});

	it('userNamespacesAllowed follows max_user_namespaces and, for non-root, unprivileged_userns_clone', () => {
		assert.equal(userNamespacesAllowed('96365\n', null, false), true);
		assert.equal(userNamespacesAllowed('0\n', null, true), false);
		assert.equal(userNamespacesAllowed('96365\n', '0\n', false), false);
		assert.equal(userNamespacesAllowed('96365\n', '0\n', true), true);
		assert.equal(userNamespacesAllowed(null, '1\n', false), true);
	});

	it('installCommand names the packages', () => {
		assert.equal(installCommand(['runc', 'conmon']), 'apt-get install -y runc conmon');
	});
});

describe('findExecutable', () => {
	it('searches PATH and then the sbin directories', () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'c32-path-'));
		writeFileSync(path.join(dir, 'c32-fake-tool'), '#!/bin/sh\n');
		chmodSync(path.join(dir, 'c32-fake-tool'), 0o755);
		assert.equal(findExecutable('c32-fake-tool', `/nonexistent:${dir}`), path.join(dir, 'c32-fake-tool'));
		rmSync(dir, {recursive: true});
		assert.ok(findExecutable('sh', '') !== null, 'sh is found without PATH');
		assert.equal(findExecutable('c32-no-such-tool-here'), null);
	});
});

describe('requireOciTools', () => {
	const runc = {name: 'runc', path: '/usr/sbin/runc', version: '1.1.5'};
	const conmon = {path: '/usr/bin/conmon', version: '2.1.6'};

	it('returns the runtime and monitor when both are there', () => {
		assert.deepEqual(requireOciTools({runtime: runc, conmon, runtimesRejected: []}), {runtime: runc, conmon});
	});

	it('throws RUNTIME_MISSING with the install command for everything missing', () => {
		assert.throws(
			() => requireOciTools({runtime: null, conmon: null, runtimesRejected: []}),
			(error) => isC32Error(error) && error.code === 'RUNTIME_MISSING' && error.message.includes('`apt-get install -y runc conmon`'),
		);
		assert.throws(
			() => requireOciTools({runtime: null, conmon, runtimesRejected: [{name: 'crun', reason: 'cgroups in hybrid mode not supported'}]}),
			(error) =>
				isC32Error(error) &&
				error.code === 'RUNTIME_MISSING' &&
				error.message.includes('`apt-get install -y runc`') &&
				error.message.includes('crun does not work here: cgroups in hybrid mode not supported'),
		);
	});

	it('throws MONITOR_MISSING when only conmon is missing', () => {
		assert.throws(
			() => requireOciTools({runtime: runc, conmon: null, runtimesRejected: []}),
			(error) => isC32Error(error) && error.code === 'MONITOR_MISSING' && error.message.includes('`apt-get install -y conmon`'),
		);
	});
});

describe('probeRuntime', () => {
	const scratch = mkdtempSync(path.join(os.tmpdir(), 'c32-host-test-'));
	after(() => rmSync(scratch, {recursive: true, force: true}));

	function fakeRuntime(script: string): string {
		const file = path.join(scratch, `runtime-${Math.random().toString(36).slice(2)}`);
		writeFileSync(file, `#!/bin/sh\n${script}\n`);
		chmodSync(file, 0o755);
		return file;
	}

	it('reports the last line the runtime printed when it fails', async () => {
		const runtime = fakeRuntime(
			'[ "$3" = run ] || exit 0\necho "level=warning" >&2\necho "cgroups in hybrid mode not supported, drop all controllers from cgroupv2" >&2\nexit 1',
		);
		assert.deepEqual(await probeRuntime(runtime), {
			ok: false,
			reason: 'cgroups in hybrid mode not supported, drop all controllers from cgroupv2',
		});
	});

	it('hands the runtime a bundle whose config.json runs /bin/true, and removes it afterwards', async () => {
		const seen = path.join(scratch, 'seen.json');
		const runtime = fakeRuntime(`[ "$3" = run ] || exit 0\ncp "$5/config.json" ${seen}`);
		const probeScratch = mkdtempSync(path.join(scratch, 'probe-'));
		assert.deepEqual(await probeRuntime(runtime, {scratchDir: probeScratch}), {ok: true});
		const spec = JSON.parse(readFileSync(seen, 'utf8'));
		assert.deepEqual(spec.process.args, ['/bin/true']);
		assert.equal(spec.root.readonly, true);
		assert.match(spec.linux.cgroupsPath, /^\/c32-probe-/);
		assert.deepEqual(readdirSync(probeScratch), []);
	});

	it('starts a real container with runc (root only)', async (t) => {
		const runc = findExecutable('runc');
		if (!IS_ROOT || runc === null) {
			if (IN_CI) assert.fail(`CI must run this as root with runc installed (root: ${IS_ROOT}, runc: ${runc})`);
			t.skip('needs root and runc');
			return;
		}
		const probeScratch = mkdtempSync(path.join(scratch, 'probe-'));
		// The probe's cgroup is named after its scratch directory: record the name while it runs.
		const probe = probeRuntime(runc, {scratchDir: probeScratch});
		const [probeDir] = readdirSync(probeScratch);
		assert.deepEqual(await probe, {ok: true});
		assert.deepEqual(readdirSync(probeScratch), []);
		const leftovers = ['cpu', 'memory', 'pids', 'freezer', 'blkio', 'unified', ''].filter((hierarchy) =>
			existsSync(path.join('/sys/fs/cgroup', hierarchy, probeDir!)),
		);
		assert.deepEqual(leftovers, []);
	});
});

describe('detectHost on this host', () => {
	const paths = {storageDir: '/var/lib/c32-test', runtimeDir: '/run/c32-test'};
	const forced = process.env['C32_RUNTIME'];
	afterEach(() => {
		if (forced === undefined) delete process.env['C32_RUNTIME'];
		else process.env['C32_RUNTIME'] = forced;
		clearHostCache();
	});

	it('reports real facts and echoes the storage paths', async () => {
		delete process.env['C32_RUNTIME'];
		const report = await detectHost(paths);
		assert.equal(report.storageDir, paths.storageDir);
		assert.equal(report.runtimeDir, paths.runtimeDir);
		assert.equal(report.root, IS_ROOT);
		assert.equal(report.cgroupVersion, detectCgroupHost().version);
		assert.equal(report.overlayfs || !filesystemListed(readFileSync('/proc/filesystems', 'utf8'), 'overlay'), true);
		const runc = findExecutable('runc');
		const crun = findExecutable('crun');
		if (runc === null && crun === null) {
			assert.equal(report.runtime, null);
			assert.ok(report.problems.some((problem) => problem.includes('apt-get install -y runc')));
		} else {
			assert.ok(report.runtime !== null);
			assert.match(report.runtime.version, /^\d+\.\d+/);
		}
		if (findExecutable('conmon') !== null) assert.match(report.conmon?.version ?? '', /^\d+\.\d+/);
		if (crun !== null && IS_ROOT && report.cgroupVersion === 'hybrid') {
			// crun 1.8 refuses hybrid hosts; the probe must have caught it, not assumed it.
			assert.equal(report.runtime?.name, 'runc');
			assert.match(report.runtimesRejected.find((r) => r.name === 'crun')?.reason ?? '', /hybrid/);
		}
	});

	it('is cached per process', async () => {
		delete process.env['C32_RUNTIME'];
		await detectHost(paths);
		const started = performance.now();
		const again = await detectHost({storageDir: '/elsewhere', runtimeDir: '/elsewhere/run'});
		assert.ok(performance.now() - started < 5);
		assert.equal(again.storageDir, '/elsewhere');
	});

	it('C32_RUNTIME forces a runtime, and says so when it is not installed', async () => {
		process.env['C32_RUNTIME'] = '/nonexistent/crun';
		const missing = await detectHost(paths);
		assert.equal(missing.runtime, null);
		assert.ok(
			missing.problems.some((problem) => problem.includes('C32_RUNTIME=/nonexistent/crun') && problem.includes('apt-get install -y crun')),
		);
		assert.throws(
			() => requireOciTools(missing),
			(error) => isC32Error(error) && error.code === 'RUNTIME_MISSING',
		);

		const runc = findExecutable('runc');
		if (runc !== null) {
			process.env['C32_RUNTIME'] = 'runc';
			const forcedRunc = await detectHost(paths);
			assert.equal(forcedRunc.runtime?.name, 'runc');
			assert.equal(forcedRunc.runtime?.path, runc);
		}
	});
});
