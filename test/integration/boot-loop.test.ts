// Crash loops, a simulated reboot and `c32 system boot`, and the memory threshold, with real
// containers (runc + conmon). The boot id comes from a file (C32_BOOT_ID_FILE) this test
// changes, as a reboot would change the kernel's; the monitors and exit commands it starts
// inherit the variable.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {readEvents} from '../../engine/events/log.js';
import {resolveStorage} from '../../engine/paths.js';
import {runCliSync} from '../cli/binary.js';
import {engineFor, hostPidsWith, isAlive, makeTempDir, needsRuntime, shell, waitFor} from '../helpers/engine.js';

const bootDir = makeTempDir('c32-bootid-');
const BOOT_ID_FILE = path.join(bootDir, 'boot_id');
fs.writeFileSync(BOOT_ID_FILE, 'boot-one\n');
process.env['C32_BOOT_ID_FILE'] = BOOT_ID_FILE;
test.after(() => fs.rmSync(bootDir, {recursive: true, force: true}));

const NO_NET = {network: 'none'} as const;
const SLEEPER = `trap 'exit 0' TERM; while :; do sleep 0.1; done`;

test('a container that exits at once with --restart always enters the crash loop: ps says so, one restart_loop event, the cap holds', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const layout = resolveStorage({storageDir: dir});
	const c = await engine.createContainer(shell('exit 3', {...NO_NET, name: 'looper', restartPolicy: 'always', restartMaxDelayMs: 1000}));
	await engine.startContainer(c.id);
	await waitFor(async () => (await engine.getContainer(c.id)).crashLoop === true, 90_000, 'the crash loop');
	const ps = runCliSync(dir, ['ps', '-a']);
	assert.equal(ps.code, 0, ps.stderr);
	assert.match(ps.stdout, /looper\s.*Restarting \(crash loop, next in \d+s\)/);
	// Two more restarts inside the loop: still one event.
	const count = (await engine.getContainer(c.id)).restartCount;
	await waitFor(async () => (await engine.getContainer(c.id)).restartCount >= count + 2, 60_000, 'more restarts');
	const meta = await waitFor(
		async () => {
			const m = await engine.getContainer(c.id);
			return m.state === 'restarting' && m.crashLoop ? m : null;
		},
		30_000,
		'a pending restart in the loop',
	);
	const wait = Date.parse(meta!.nextRestartAt!) - Date.parse(meta!.finishedAt!);
	// Uncapped, the seventh restart and later would wait 6.4 s or more; the schedule is written a little after the exit.
	assert.ok(wait <= 1000 + 1000, `the backoff is capped at 1 s (was ${wait} ms)`);
	const loops = readEvents(layout).filter((e) => e.event === 'restart_loop' && e.id === c.id);
	assert.equal(loops.length, 1, JSON.stringify(loops));
	assert.equal(loops[0]!.name, 'looper');
	assert.equal(typeof loops[0]!.attributes['restartCount'], 'number');
	assert.equal(typeof loops[0]!.attributes['nextRestartInMs'], 'number');
	await engine.removeContainer(c.id, {force: true});
});

test('after a simulated reboot, system boot starts exactly the always and unless-stopped ones, once', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const make = async (name: string, restartPolicy: 'always' | 'unless-stopped' | 'on-failure' | 'no') => {
		const c = await engine.createContainer(shell(SLEEPER, {...NO_NET, name, restartPolicy}));
		return (await engine.startContainer(c.id)).id;
	};
	const ids = {
		always: await make('always', 'always'),
		unless: await make('unless', 'unless-stopped'),
		userStopped: await make('user-stopped', 'unless-stopped'),
		onFailure: await make('on-failure', 'on-failure'),
		no: await make('no', 'no'),
	};
	await engine.stopContainer(ids.userStopped, {timeout: 5});
	// The reboot: a new boot id, then every monitor and container killed hard.
	fs.writeFileSync(BOOT_ID_FILE, 'boot-two\n');
	const victims: number[] = [];
	for (const id of Object.values(ids)) {
		const {pid} = await engine.inspectContainer(id);
		// A process may end between the two reads (the stopped one's exit command): only a live conmon counts.
		victims.push(...hostPidsWith(id).filter((p) => readCmdline(p).includes('conmon')));
		if (pid !== null) victims.push(pid);
	}
	for (const pid of victims) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}
	await waitFor(() => victims.every((pid) => !isAlive(pid)), 10_000, 'the killed processes to go');

	const first = runCliSync(dir, ['system', 'boot']);
	assert.equal(first.code, 0, first.stderr);
	const started = first.stdout.trim().split('\n').sort();
	assert.equal(started.length, 2, first.stdout);
	assert.match(started[0]!, /^started always \([0-9a-f]{12}\)$/);
	assert.match(started[1]!, /^started unless \([0-9a-f]{12}\)$/);
	for (const id of [ids.always, ids.unless]) assert.equal((await engine.getContainer(id)).state, 'running');
	for (const id of [ids.userStopped, ids.onFailure, ids.no]) {
		const meta = await engine.getContainer(id);
		assert.notEqual(meta.state, 'running', meta.name);
		assert.notEqual(meta.state, 'restarting', meta.name);
	}
	assert.match((await engine.getContainer(ids.onFailure)).errorMessage ?? '', /rebooted/);

	const second = runCliSync(dir, ['system', 'boot']);
	assert.deepEqual([second.code, second.stdout, second.stderr], [0, '', '']);
	for (const id of Object.values(ids)) await engine.removeContainer(id, {force: true});
});

test('a memory-hungry container above MEMORY_THRESHOLD_MB is flagged in ps and emits one threshold event', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const layout = resolveStorage({storageDir: dir});
	// dd holds its 64 MiB block while sleep never reads the pipe.
	const c = await engine.createContainer(shell('dd if=/dev/zero bs=64M count=1 2>/dev/null | sleep 600', {...NO_NET, name: 'hungry'}));
	await engine.startContainer(c.id);
	const env = {MEMORY_THRESHOLD_MB: '40'};
	const ps = await waitFor(
		() => {
			const out = runCliSync(dir, ['ps'], env);
			return / ! memory \d+ MB > 40 MB/.test(out.stdout) ? out : null;
		},
		30_000,
		'ps to flag the memory',
		500,
	);
	assert.match(ps!.stdout, /hungry\s.*Up .* ! memory \d+ MB > 40 MB/);
	const json = JSON.parse(runCliSync(dir, ['ps', '--json'], env).stdout) as {aboveThresholds: {metric: string; threshold: number}[]}[];
	assert.deepEqual(
		json[0]!.aboveThresholds.map((b) => [b.metric, b.threshold]),
		[['memory', 40]],
	);
	assert.doesNotMatch(runCliSync(dir, ['ps']).stdout, /!/, 'without a threshold nothing is flagged');
	const events = readEvents(layout).filter((e) => e.event === 'threshold' && e.id === c.id);
	assert.equal(events.length, 1, JSON.stringify(events));
	assert.equal(events[0]!.attributes['metric'], 'memory');
	assert.equal(events[0]!.attributes['threshold'], 40);
	assert.ok(Number(events[0]!.attributes['value']) > 40);
	const bad = runCliSync(dir, ['ps'], {MEMORY_THRESHOLD_MB: 'lots'});
	assert.equal(bad.code, 1);
	assert.match(bad.stderr, /^c32: error: MEMORY_THRESHOLD_MB="lots" is not a number/);
	assert.equal(bad.stderr.trim().split('\n').length, 1);
	await engine.removeContainer(c.id, {force: true});
});

test('install-boot --print and --dir write a unit that systemd-analyze verify accepts', (t) => {
	const dir = makeTempDir('c32-unit-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const printed = runCliSync(dir, ['system', 'install-boot', '--print']);
	assert.equal(printed.code, 0, printed.stderr);
	assert.match(printed.stdout, new RegExp(`ExecStart=${process.execPath} \\S+/c32\\.cjs system boot\\n`));
	assert.match(printed.stdout, new RegExp(`Environment="C32_STORAGE_DIR=${dir}"`));
	const written = runCliSync(dir, ['system', 'install-boot', '--dir', dir]);
	assert.equal(written.code, 0, written.stderr);
	const unit = path.join(dir, 'c32-boot.service');
	assert.equal(fs.readFileSync(unit, 'utf8'), printed.stdout);
	assert.equal(fs.statSync(unit).mode & 0o777, 0o644);
	// systemd-analyze checks that ExecStart's program exists and the unit parses.
	execFileSync('systemd-analyze', ['verify', unit], {stdio: 'pipe'});
	const missing = runCliSync(dir, ['system', 'install-boot', '--dir', path.join(dir, 'nope')]);
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /is not a directory/);
});

function readCmdline(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		return '';
	}
}
