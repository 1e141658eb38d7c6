// Real cgroups on this host: limits written by createCgroup are enforced on real processes,
// the sample reader sees what they do, freeze/thaw/kill act on them, and remove leaves nothing.
// Needs root and a cgroup filesystem; in CI (CI=true) their absence fails the suite.
import assert from 'node:assert/strict';
import {type ChildProcess, spawn, spawnSync} from 'node:child_process';
import {once} from 'node:events';
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import path from 'node:path';
import {after, before, describe, it, type TestContext} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {
	addProcess,
	allDirs,
	blockDeviceOf,
	type CgroupDirs,
	cgroupDirs,
	cgroupProcesses,
	createCgroup,
	detectCgroupHost,
	enableBlockIoAccounting,
	formatDeviceNumber,
	freezeCgroup,
	isCgroupFrozen,
	killCgroup,
	readCgroupSample,
	removeCgroup,
	thawCgroup,
} from '../../engine/cgroups/index.js';
import {isC32Error} from '../../engine/errors.js';
import {MetricsSampler} from '../../engine/metrics.js';

const IN_CI = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');
const PREFIX = `c32-test-${process.pid}-${Date.now().toString(36)}`;
/** A directory on a real disk (not tmpfs) for the block I/O tests. */
const DISK_DIR = process.env['C32_TEST_DIR'] ?? '/var/tmp';

function unavailable(): string | null {
	if (process.getuid?.() !== 0) return 'needs root';
	const host = detectCgroupHost();
	if (host.version === null) return 'no cgroup filesystem is mounted';
	return null;
}

/** Every c32-test* cgroup directory left on the host by this run. */
function leftovers(): string[] {
	const host = detectCgroupHost();
	const mounts = new Set([...Object.values(host.mounts.v1), ...(host.mounts.unified ? [host.mounts.unified] : [])]);
	return [...mounts].flatMap((mount) =>
		existsSync(mount)
			? readdirSync(mount)
					.filter((name) => name.startsWith(PREFIX))
					.map((name) => path.join(mount, name))
			: [],
	);
}

const children: ChildProcess[] = [];

/**
 * Starts `script` under sh, already inside the cgroup: the shell waits on stdin until it has
 * been moved in, so nothing it runs is ever outside.
 */
async function runIn(
	dirs: CgroupDirs,
	script: string,
): Promise<{child: ChildProcess; output: () => string; exit: Promise<[number | null, NodeJS.Signals | null]>}> {
	const child = spawn('sh', ['-c', 'read go && exec sh -c "$0"', script], {stdio: ['pipe', 'pipe', 'pipe']});
	children.push(child);
	let output = '';
	child.stdout!.on('data', (chunk) => (output += chunk));
	child.stderr!.on('data', (chunk) => (output += chunk));
	const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
	await once(child, 'spawn');
	addProcess(dirs, child.pid!);
	child.stdin!.write('go\n');
	return {child, output: () => output, exit};
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

function controlFile(dirs: CgroupDirs, v1Controller: 'memory' | 'cpu' | 'pids' | 'blkio', file: string): string {
	const dir = dirs.version === 2 ? dirs.unified : dirs.controllers[v1Controller];
	assert.ok(dir, `${v1Controller} controller`);
	return readFileSync(path.join(dir, file), 'utf8').trim();
}

describe('cgroups on this host', {concurrency: false}, () => {
	const problem = unavailable();
	const parent = PREFIX;
	let scratch = '';

	before(() => {
		if (problem !== null && IN_CI) throw new Error(`cgroup integration tests cannot run in CI: ${problem}`);
		if (problem === null) scratch = mkdtempSync(path.join(DISK_DIR, 'c32-cgroup-test-'));
	});

	after(async () => {
		for (const child of children) child.kill('SIGKILL');
		for (const dir of leftovers()) {
			spawnSync('sh', ['-c', `find ${dir} -depth -type d -exec rmdir {} \\;`]);
		}
		if (scratch) rmSync(scratch, {recursive: true, force: true});
	});

	const test = (name: string, body: (t: TestContext) => Promise<void>) =>
		it(name, async (t) => {
			if (problem !== null) {
				t.skip(problem);
				return;
			}
			await body(t);
		});

	test('writes the limits into the cgroup files', async () => {
		const dirs = createCgroup(`${parent}/limits`, {memoryLimitMb: 48, cpuLimitPercent: 150, maxProcesses: 33});
		if (dirs.version === 2) {
			assert.equal(controlFile(dirs, 'memory', 'memory.max'), String(48 * 1048576));
			assert.equal(controlFile(dirs, 'cpu', 'cpu.max'), '150000 100000');
		} else {
			assert.equal(controlFile(dirs, 'memory', 'memory.limit_in_bytes'), String(48 * 1048576));
			if (detectCgroupHost().memsw) assert.equal(controlFile(dirs, 'memory', 'memory.memsw.limit_in_bytes'), String(48 * 1048576));
			assert.equal(controlFile(dirs, 'cpu', 'cpu.cfs_quota_us'), '150000');
			assert.equal(controlFile(dirs, 'cpu', 'cpu.cfs_period_us'), '100000');
		}
		assert.equal(controlFile(dirs, 'pids', 'pids.max'), '33');
		assert.equal(readCgroupSample(dirs)?.memoryLimitBytes, 48 * 1048576);
		await removeCgroup(dirs);
		for (const dir of allDirs(dirs)) assert.ok(!existsSync(dir), `${dir} removed`);
	});

	test('a limit the kernel refuses fails cleanly and leaves no directory', async () => {
		assert.throws(
			() => createCgroup(`${parent}/refused`, {memoryLimitMb: 16, maxProcesses: -1}),
			(error) => isC32Error(error) && error.code === 'LIMIT_EXCEEDS_HOST' && /pids\.max/.test(error.message),
		);
		for (const dir of allDirs(cgroupDirs(`${parent}/refused`))) assert.ok(!existsSync(dir), `${dir} not left behind`);
	});

	test('holds a busy loop to its CPU quota, and freeze stops it until thaw', async () => {
		const dirs = createCgroup(`${parent}/cpu`, {cpuLimitPercent: 30});
		await runIn(dirs, 'while :; do :; done');
		// A window of many 100 ms CFS periods, so one period more or less (a loaded host) moves the share little.
		const sampler = new MetricsSampler({minWindowMs: 1500});
		const target = {id: 'cpu', name: 'cpu', source: {kind: 'cgroup' as const, dirs}};
		const [busy] = await sampler.sample([target]);
		assert.ok(busy!.cpuPercent > 3 && busy!.cpuPercent <= 38, `quota 30%: measured ${busy!.cpuPercent}`);
		const throttled = Number(/nr_throttled (\d+)/.exec(controlFile(dirs, 'cpu', 'cpu.stat'))?.[1]);
		assert.ok(throttled > 0, 'the scheduler throttled it');

		await freezeCgroup(dirs);
		assert.equal(isCgroupFrozen(dirs), true);
		const frozenAt = readCgroupSample(dirs)!.cpuUsageNs;
		await sleep(300);
		assert.equal(readCgroupSample(dirs)!.cpuUsageNs, frozenAt, 'no CPU used while frozen');

		await thawCgroup(dirs);
		assert.equal(isCgroupFrozen(dirs), false);
		await sleep(300);
		assert.ok(readCgroupSample(dirs)!.cpuUsageNs > frozenAt, 'runs again after thaw');
	});

	test('stops forks at maxProcesses', async () => {
		const dirs = createCgroup(`${parent}/pids`, {maxProcesses: 12});
		const {output, exit} = await runIn(dirs, 'i=0; while [ $i -lt 40 ]; do sleep 60 & i=$((i+1)); done; echo spawned all; wait');
		const [code] = await exit;
		// The shell gives up at the first refused fork, leaving the 11 sleeps it had started.
		assert.notEqual(code, 0);
		assert.match(output(), /fork/i, 'the shell was refused a fork');
		assert.doesNotMatch(output(), /spawned all/);
		assert.equal(readCgroupSample(dirs)!.pids, 11);
		assert.equal(cgroupProcesses(dirs).length, 11);
		assert.ok(Number(/^max (\d+)/m.exec(controlFile(dirs, 'pids', 'pids.events'))?.[1]) >= 1, 'pids.events counts the refusal');
	});

	test('OOM-kills a process that allocates past the memory limit, with no swap to escape to', async () => {
		const dirs = createCgroup(`${parent}/memory`, {memoryLimitMb: 24});
		// The shell keeps 64 MiB of command output in memory.
		// biome-ignore lint/suspicious/noTemplateCurlyInString: ${#x} is the shell's, not a template
		const {exit, output} = await runIn(dirs, 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived ${#x}');
		const [code, signal] = await exit;
		assert.equal(signal, 'SIGKILL', `killed, not exited (code ${code}, output ${output()})`);
		const sample = readCgroupSample(dirs)!;
		assert.ok(sample.oomKills >= 1, `oom kills: ${sample.oomKills}`);
		assert.ok(sample.memoryUsageBytes <= 24 * 1048576);
	});

	test('throttles direct writes to the disk and counts them', async (t) => {
		const device = blockDeviceOf(DISK_DIR);
		if (device === null) {
			t.skip(`${DISK_DIR} is not on a block device`);
			return;
		}
		const dirs = createCgroup(`${parent}/io`, {diskIoLimitMbps: 8}, {blockDevice: device});
		const file = path.join(scratch, 'throttled');
		const started = Date.now();
		const {exit, output} = await runIn(dirs, `dd if=/dev/zero of=${file} bs=1M count=6 oflag=direct`);
		const [code] = await exit;
		const seconds = (Date.now() - started) / 1000;
		assert.equal(code, 0, output());
		// 6 MiB at 8 MiB/s; the throttle lets a first slice through at once.
		assert.ok(seconds > 0.4, `6 MiB at 8 MiB/s took only ${seconds} s`);
		const sample = readCgroupSample(dirs)!;
		assert.ok(sample.blockWriteBytes >= 6 * 1048576, `write bytes ${sample.blockWriteBytes}`);
	});

	test('counts block I/O without a disk limit once accounting is switched on (fresh loop device)', async (t) => {
		if (spawnSync('losetup', ['--version']).status !== 0) {
			t.skip('losetup is not installed');
			return;
		}
		const image = path.join(scratch, 'loop.img');
		spawnSync('truncate', ['-s', '16M', image]);
		const attached = spawnSync('losetup', ['--find', '--show', image], {encoding: 'utf8'});
		if (attached.status !== 0) {
			if (IN_CI) assert.fail(`losetup failed: ${attached.stderr}`);
			t.skip(`no loop device: ${attached.stderr.trim()}`);
			return;
		}
		const loop = attached.stdout.trim();
		try {
			const rdev = formatDeviceNumber(statSync(loop, {bigint: true}).rdev);
			enableBlockIoAccounting(parent, rdev);
			const dirs = createCgroup(`${parent}/io-accounting`, {});
			const {exit, output} = await runIn(dirs, `dd if=/dev/zero of=${loop} bs=64k count=32 oflag=direct`);
			assert.equal((await exit)[0], 0, output());
			assert.ok(readCgroupSample(dirs)!.blockWriteBytes >= 32 * 65536);
		} finally {
			spawnSync('losetup', ['--detach', loop]);
		}
	});

	test('kills every process of every cgroup, then removes them all', async () => {
		const dirs = ['limits', 'cpu', 'pids', 'memory', 'io', 'io-accounting'].map((name) => cgroupDirs(`${parent}/${name}`));
		const forking = createCgroup(`${parent}/forking`, {maxProcesses: 64});
		dirs.push(forking);
		// A shell that keeps forking while it is being killed.
		await runIn(forking, 'while :; do sleep 5 & done');
		await waitFor(() => cgroupProcesses(forking).length > 10, 'the forking shell');
		// On v1 and hybrid hosts, leave cgroup.kill out for the forking shell so the
		// freeze-signal-thaw path is what has to catch it.
		await killCgroup(forking.version === 1 ? {...forking, unified: null} : forking);
		await waitFor(() => cgroupProcesses(forking).length === 0, 'the forking shell and its children to die', 5000);
		for (const cgroup of dirs) await killCgroup(cgroup);
		await waitFor(() => dirs.every((cgroup) => cgroupProcesses(cgroup).length === 0), 'every process to die', 5000);
		for (const cgroup of dirs) await removeCgroup(cgroup);
		await removeCgroup(cgroupDirs(parent));
		assert.deepEqual(leftovers(), []);
	});
});
