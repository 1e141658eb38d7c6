// --init end to end, in real containers: the init is PID 1 with the command as its child, a
// shell loop stops on SIGTERM at once, orphans are reaped, exit codes and signals pass
// through, a missing command still fails the start, script images get the init by default,
// and doctor names the init.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {isStaticExecutable} from '../../engine/elf.js';
import {suiteSandbox} from '../cli/binary.js';
import {
	engineFor,
	expectCode,
	get,
	keyValues,
	needsRuntime,
	readLogs,
	runToExit,
	settledTracesOf,
	shell,
	stillRegistered,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

const WHO = 'echo "pid1=$(tr "\\0" " " < /proc/1/cmdline)"; echo "self=$$"; echo "parent=$PPID"';

/** The host pids of every descendant of `pid` (the container's PID 1), with their state letter. */
function descendants(pid: number): {pid: number; state: string}[] {
	const children = new Map<number, {pid: number; state: string}[]>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const list = children.get(Number(ppid)) ?? [];
		list.push({pid: Number(entry), state: state!});
		children.set(Number(ppid), list);
	}
	const found: {pid: number; state: string}[] = [];
	const pending = [pid];
	while (pending.length > 0) {
		for (const child of children.get(pending.pop()!) ?? []) {
			found.push(child);
			pending.push(child.pid);
		}
	}
	return found;
}

describe('--init: a small init as PID 1', () => {
	test('PID 1 is the init, the command is its child; without it the command is PID 1', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const withInit = await runToExit(engine, shell(WHO, {init: true}));
		assert.equal(withInit.exitCode, 0, withInit.stderr);
		const kv = keyValues(withInit.stdout);
		assert.match(get(kv, 'pid1'), /^\/run\/c32-init -g -- sh -c /);
		assert.notEqual(get(kv, 'self'), '1');
		assert.equal(get(kv, 'parent'), '1', 'the command is the init child');
		assert.equal((await engine.inspectContainer(withInit.meta.id)).config.init, true);

		const without = keyValues((await runToExit(engine, shell(WHO))).stdout);
		assert.match(get(without, 'pid1'), /^sh -c /);
		assert.equal(get(without, 'self'), '1');
	});

	test('a shell loop stops on SIGTERM at once (143); without the init stop waits for the timeout', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const loop = 'echo ready=1; while :; do sleep 1; done';
		const created = await engine.createContainer(shell(loop, {init: true, stopTimeout: 10}));
		await engine.startContainer(created.id);
		await waitFor(async () => (await readLogs(engine, created.id)).stdout.includes('ready=1'), 10_000, 'the loop to run');
		let started = Date.now();
		const stopped = await engine.stopContainer(created.id);
		const withInitMs = Date.now() - started;
		assert.equal(stopped.exitCode, 143, 'SIGTERM ended the shell: 128 + 15');
		assert.equal(stopped.state, 'stopped');
		assert.ok(withInitMs < 3000, `stop took ${withInitMs} ms of a 10 s timeout`);

		// The same loop as PID 1: the kernel drops SIGTERM, SIGKILL ends it after the timeout.
		const plain = await engine.createContainer(shell(loop, {stopTimeout: 2}));
		await engine.startContainer(plain.id);
		await waitFor(async () => (await readLogs(engine, plain.id)).stdout.includes('ready=1'), 10_000, 'the plain loop to run');
		started = Date.now();
		assert.equal((await engine.stopContainer(plain.id)).exitCode, 137);
		assert.ok(Date.now() - started >= 1900, 'without an init the loop ignored SIGTERM');
	});

	test('orphaned children are reaped: no zombies pile up (they do when PID 1 never waits)', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		// 30 grandchildren orphaned at once; they end after the command has become `sleep`,
		// which as PID 1 would never wait for them.
		const orphans = 'for i in $(seq 30); do (sleep 0.3 &); done; echo spawned=1; exec sleep 600';
		const zombiesOf = async (init: boolean) => {
			const created = await engine.createContainer(shell(orphans, {init}));
			const running = await engine.startContainer(created.id);
			await waitFor(async () => (await readLogs(engine, created.id)).stdout.includes('spawned=1'), 10_000, 'the orphans');
			// Every orphan has ended once the living processes are down to the command (and the init).
			const living = init ? 2 : 1;
			await waitFor(() => descendants(running.pid!).filter((p) => p.state !== 'Z').length + 1 <= living, 10_000, 'the orphans to end');
			await new Promise((resolve) => setTimeout(resolve, 300));
			const zombies = descendants(running.pid!).filter((p) => p.state === 'Z').length;
			await engine.removeContainer(created.id, {force: true});
			return zombies;
		};
		assert.ok((await zombiesOf(false)) >= 25, 'without an init the orphans stay zombies');
		assert.equal(await zombiesOf(true), 0, 'the init reaped every orphan');
	});

	test("the command's exit code passes through: n, and 128 + n when a signal ends it", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		for (const [script, code] of [
			['exit 42', 42],
			['exit 0', 0],
			['kill -KILL $$', 137],
			['kill -TERM $$', 143],
		] as const) {
			const run = await runToExit(engine, shell(script, {init: true}));
			assert.equal(run.exitCode, code, script);
			assert.equal(run.meta.exitCode, code, `${script}: recorded`);
		}
	});

	test('a missing command under the init fails the start (127, 126), as without it, and leaves nothing behind', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		for (const [entrypoint, code, message] of [
			['nosuch-c32-cmd', 127, /^nosuch-c32-cmd: executable file not found in \$PATH$/],
			['./nope', 127, /^\.\/nope: no such file or directory$/],
			['/etc/hostname', 126, /^\/etc\/hostname: permission denied$/],
		] as const) {
			const created = await engine.createContainer({entrypoint, init: true});
			const error = await expectCode(engine.startContainer(created.id), 'START_FAILED');
			assert.match(error.message, message);
			const meta = await engine.getContainer(created.id);
			assert.equal(meta.state, 'failed');
			assert.equal(meta.exitCode, code, entrypoint);
			assert.deepEqual(await settledTracesOf(dir, created.id, undefined, stillRegistered(created.id)), [], entrypoint);
		}
	});

	test('script images run under the init by default; init: false turns it off', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const script = path.join(dir, 'who.sh');
		fs.writeFileSync(script, `${WHO}\n`);
		const byDefault = await runToExit(engine, {image: script});
		assert.match(get(keyValues(byDefault.stdout), 'pid1'), /^\/run\/c32-init -g -- sh \.\/who\.sh/);
		assert.equal((await engine.inspectContainer(byDefault.meta.id)).config.init, true);
		const off = await runToExit(engine, {image: script, init: false});
		assert.match(get(keyValues(off.stdout), 'pid1'), /^sh \.\/who\.sh/);
		// Strict isolation (a user namespace, a read-only root) too.
		const strict = await runToExit(engine, {image: script, isolationLevel: 'strict'});
		assert.equal(strict.exitCode, 0, strict.stderr);
		assert.equal(get(keyValues(strict.stdout), 'parent'), '1');
	});

	test('minimal isolation refuses --init with one line', async (t) => {
		const {engine} = engineFor(t);
		const error = await expectCode(engine.createContainer(shell('true', {isolationLevel: 'minimal', init: true})), 'INVALID_CONFIG');
		assert.match(error.message, /minimal isolation runs no init.*drop --init or use standard isolation/);
		assert.equal((await engine.listContainers()).length, 0);
	});
});

describe('--init through the CLI', () => {
	const box = suiteSandbox();

	test('c32 kill -s USR1 reaches the command under the init, which keeps running', async (t) => {
		if (!needsRuntime(t)) return;
		const trap = 'trap "echo got=USR1" USR1; echo ready=1; while :; do sleep 0.2; done';
		const run = await box.run(['run', '-d', '--init', '--name', 'usr1', '--', 'sh', '-c', trap]);
		assert.equal(run.code, 0, run.stderr);
		const logs = async () => (await box.run(['logs', 'usr1'])).stdout;
		await waitFor(async () => (await logs()).includes('ready=1'), 10_000, 'the trap');
		assert.equal((await box.run(['kill', '-s', 'USR1', 'usr1'])).code, 0);
		await waitFor(async () => (await logs()).includes('got=USR1'), 10_000, 'USR1 to reach the shell');
		const list = JSON.parse((await box.run(['ps', '--json'])).stdout) as {name: string; state: string}[];
		assert.equal(list.find((c) => c.name === 'usr1')?.state, 'running');
		const stop = await withTimeout(box.run(['stop', 'usr1']), 5000, 'stop of the trapping loop');
		assert.equal(stop.code, 0, stop.stderr);
	});

	test('--init, --no-init on a script image, and the flag shown in the config', async (t) => {
		if (!needsRuntime(t)) return;
		const script = path.join(box.dir, 'pid1.sh');
		fs.writeFileSync(script, 'tr "\\0" " " < /proc/1/cmdline\n');
		const withInit = await box.run(['run', '--init', '--', 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']);
		assert.match(withInit.stdout, /^\/run\/c32-init -g -- sh -c/);
		assert.match((await box.run(['run', script])).stdout, /^\/run\/c32-init -g -- sh \.\/pid1\.sh/);
		assert.match((await box.run(['run', '--no-init', script])).stdout, /^sh \.\/pid1\.sh/);
		assert.match((await box.run(['run', '--init=false', script])).stdout, /^sh \.\/pid1\.sh/);
		const bad = await box.run(['run', '--init=maybe', script]);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /^c32: error: invalid --init value "maybe"/);
	});

	test('doctor names the init it found, a static binary', async () => {
		const text = await box.run(['doctor']);
		assert.match(text.stdout, /^init +(catatonit|tini-static|tini) \S+ \(\/\S+\)$/m);
		const report = JSON.parse((await box.run(['doctor', '--json'])).stdout) as {init: {name: string; path: string} | null};
		assert.ok(report.init, 'an init is installed here (catatonit: apt-get install -y catatonit)');
		assert.ok(isStaticExecutable(report.init.path), `${report.init.path} is static`);
	});
});
