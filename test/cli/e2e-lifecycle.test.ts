// start, stop, restart, pause, resume, kill, wait, rm (and their aliases) end to end.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {needsRuntime} from '../helpers/engine.js';
import {suiteSandbox} from './binary.js';

interface Row {
	name: string;
	state: string;
	exitCode: number | null;
	pid: number | null;
	restartCount: number;
	startedAt: string | null;
}

describe('container lifecycle commands', () => {
	const box = suiteSandbox();
	const state = async (name: string): Promise<Row> => {
		const rows = JSON.parse((await box.run(['ps', '-a', '--json'])).stdout) as Row[];
		const row = rows.find((r) => r.name === name);
		assert.ok(row, `no container ${name}`);
		return row;
	};
	const LOOP = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done'];

	it('starts a created container and stops it with its stop signal', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['create', '--name', 'cycle', '--', ...LOOP]);
		const started = await box.run(['start', 'cycle']);
		assert.deepEqual([started.code, started.stdout], [0, 'cycle\n'], started.stderr);
		assert.equal((await state('cycle')).state, 'running');
		const stopped = await box.run(['stop', 'cycle']);
		assert.deepEqual([stopped.code, stopped.stdout], [0, 'cycle\n'], stopped.stderr);
		const row = await state('cycle');
		assert.equal(row.state, 'stopped');
		assert.equal(row.exitCode, 7);
	});

	it('stop -t 0 kills at once', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'stubborn', '--', 'sh', '-c', 'trap "" TERM; while :; do sleep 0.1; done']);
		const began = Date.now();
		const stopped = await box.run(['stop', '-t', '0', 'stubborn']);
		assert.equal(stopped.code, 0, stopped.stderr);
		assert.ok(Date.now() - began < 8000, 'stop -t 0 waited for the default timeout');
		assert.equal((await state('stubborn')).exitCode, 137);
	});

	it('pauses and resumes (and unpauses)', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'freezer', '--', ...LOOP]);
		assert.equal((await box.run(['pause', 'freezer'])).code, 0);
		assert.equal((await state('freezer')).state, 'paused');
		const ps = await box.run(['ps']);
		assert.match(ps.stdout, /freezer .*Up .*\(Paused\)/);
		assert.equal((await box.run(['resume', 'freezer'])).code, 0);
		assert.equal((await state('freezer')).state, 'running');
		await box.run(['pause', 'freezer']);
		assert.equal((await box.run(['unpause', 'freezer'])).code, 0);
		assert.equal((await state('freezer')).state, 'running');
	});

	it('refuses to pause a stopped container with exit code 1 and a one-line error', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['pause', 'cycle']);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^c32: error: [^\n]+\n$/);
	});

	it('restarts a running container with a new process', async (t) => {
		if (!needsRuntime(t)) return;
		const before = await state('freezer');
		const result = await box.run(['restart', '-t', '2', 'freezer']);
		assert.deepEqual([result.code, result.stdout], [0, 'freezer\n'], result.stderr);
		const afterRestart = await state('freezer');
		assert.equal(afterRestart.state, 'running');
		assert.notEqual(afterRestart.pid, before.pid);
	});

	it('kills with SIGKILL by default and with -s SIGNAL when given', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'victim', '--', ...LOOP]);
		const term = await box.run(['kill', '-s', 'TERM', 'victim']);
		assert.equal(term.code, 0, term.stderr);
		assert.equal(await box.run(['wait', 'victim']).then((r) => r.stdout), '7\n');
		await box.run(['start', 'victim']);
		assert.equal((await box.run(['kill', 'victim'])).code, 0);
		assert.equal(await box.run(['wait', 'victim']).then((r) => r.stdout), '137\n');
	});

	it('waits for several containers and prints each exit code in order', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'slow', '--', 'sh', '-c', 'sleep 1; exit 4']);
		await box.run(['run', '-d', '--name', 'fast', '--', 'sh', '-c', 'exit 5']);
		const result = await box.run(['wait', 'slow', 'fast']);
		assert.deepEqual([result.code, result.stdout], [0, '4\n5\n'], result.stderr);
	});

	it('acts on every ref it can, reports the others, and exits 1', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'one', '--', ...LOOP]);
		await box.run(['run', '-d', '--name', 'two', '--', ...LOOP]);
		const result = await box.run(['stop', '-t', '1', 'one', 'missing-container', 'two']);
		assert.equal(result.code, 1);
		assert.equal(result.stdout, 'one\ntwo\n');
		assert.match(result.stderr, /^c32: error: .*missing-container.*\n$/);
		assert.equal((await state('one')).state, 'stopped');
		assert.equal((await state('two')).state, 'stopped');
	});

	it('accepts a unique id prefix as a ref', async (t) => {
		if (!needsRuntime(t)) return;
		const [id] = (await box.run(['ps', '-aq'])).stdout.split('\n');
		const result = await box.run(['inspect', id!.slice(0, 8)]);
		assert.equal(result.code, 0, result.stderr);
		assert.ok(JSON.parse(result.stdout)[0].id.startsWith(id));
	});

	it('refuses to remove a running container without -f, and removes it with -f (and remove)', async (t) => {
		if (!needsRuntime(t)) return;
		const refused = await box.run(['rm', 'freezer']);
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /^c32: error: /);
		const removed = await box.run(['rm', '-f', 'freezer']);
		assert.deepEqual([removed.code, removed.stdout], [0, 'freezer\n'], removed.stderr);
		const alias = await box.run(['remove', 'cycle', 'stubborn']);
		assert.deepEqual([alias.code, alias.stdout], [0, 'cycle\nstubborn\n'], alias.stderr);
		const names = JSON.parse((await box.run(['ps', '-a', '--json'])).stdout).map((r: Row) => r.name);
		for (const gone of ['freezer', 'cycle', 'stubborn']) assert.ok(!names.includes(gone), gone);
	});

	it('needs at least one container', async () => {
		for (const command of ['start', 'stop', 'restart', 'pause', 'resume', 'kill', 'wait', 'rm']) {
			const result = await box.run([command]);
			assert.equal(result.code, 2, command);
			assert.match(result.stderr, new RegExp(`^c32: error: "c32 ${command}" needs a container\\nSee 'c32 ${command} --help'`));
		}
	});
});

describe('--all (podman -a) on the commands that act on containers', () => {
	const box = suiteSandbox();
	const states = async (): Promise<Record<string, string>> =>
		Object.fromEntries((JSON.parse((await box.run(['ps', '-a', '--json'])).stdout) as Row[]).map((row) => [row.name, row.state]));
	const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];

	it('pause, resume, kill, stop, restart and rm -f act on every container of their state', async (t) => {
		if (!needsRuntime(t)) return;
		for (const name of ['all-a', 'all-b']) await box.run(['run', '-d', '--name', name, '--', ...LOOP]);
		await box.run(['create', '--name', 'all-created', '--', ...LOOP]);
		const paused = await box.run(['pause', '-a']);
		assert.equal(paused.code, 0, paused.stderr);
		assert.deepEqual(await states(), {'all-a': 'paused', 'all-b': 'paused', 'all-created': 'created'});
		assert.equal((await box.run(['resume', '--all'])).code, 0);
		assert.deepEqual(await states(), {'all-a': 'running', 'all-b': 'running', 'all-created': 'created'});
		const stopped = await box.run(['stop', '-a', '-t', '5']);
		assert.equal(stopped.code, 0, stopped.stderr);
		assert.equal(stopped.stdout.split('\n').filter(Boolean).length, 2, 'one line per running container');
		assert.deepEqual(await states(), {'all-a': 'stopped', 'all-b': 'stopped', 'all-created': 'created'});
		// Nothing left running: no error, nothing printed.
		assert.deepEqual(await box.run(['kill', '-a']), {code: 0, signal: null, stdout: '', stderr: ''});
		const restarted = await box.run(['restart', '-a']);
		assert.equal(restarted.code, 0, restarted.stderr);
		assert.deepEqual(await states(), {'all-a': 'running', 'all-b': 'running', 'all-created': 'running'});
		assert.equal((await box.run(['kill', '-a', '-s', 'TERM'])).code, 0);
		await box.run(['restart', '-a']);
		const removed = await box.run(['rm', '-af']);
		assert.equal(removed.code, 0, removed.stderr);
		assert.deepEqual(await states(), {});
	});

	it('refuses refs or --cidfile beside --all, in one line, acting on nothing', async () => {
		await box.run(['create', '--name', 'all-kept', '--', 'true']);
		for (const args of [
			['rm', '-a', 'all-kept'],
			['stop', '--all', '--cidfile', 'x'],
		]) {
			const run = await box.run(args);
			assert.equal(run.code, 2, args.join(' '));
			assert.match(run.stderr, /^c32: error: "c32 \w+ --all" acts on every container: give no container and no --cidfile with it\n/);
		}
		assert.deepEqual(await states(), {'all-kept': 'created'});
	});
});
