// The built binary against real containers: output that reaches a slow pipe whole, user text
// shown escaped, --json of the commands that act on containers, prune, rename, stats refs.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {needsRuntime} from '../helpers/engine.js';
import {CLI_PATH, FULL_ID, finished, suiteSandbox} from './binary.js';

/** 16384 lines of 63 letters and a newline: exactly 1 MiB. */
const MIB_SCRIPT = 'yes aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | head -n 16384';
const MIB = 1024 * 1024;
const OSC = '\x1b]0;pwned\x07';
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f]/;

describe('output through a pipe', () => {
	const box = suiteSandbox();

	/** `c32 ...args | { sleep 1; wc -c; }`: a reader that takes nothing for a second. */
	async function bytesThroughSlowPipe(args: string[]): Promise<{bytes: number; stderr: string; code: number | null}> {
		const quoted = [process.execPath, CLI_PATH, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
		const child = spawn('sh', ['-c', `${quoted} | { sleep 1; wc -c; }`], {env: box.env(), cwd: box.dir});
		child.stdin.end();
		const result = await finished(child, 60_000);
		return {bytes: Number(result.stdout.trim()), stderr: result.stderr, code: result.code};
	}

	it('c32 logs into a slow reader: every byte of 1 MiB arrives', async (t) => {
		if (!needsRuntime(t)) return;
		const made = await box.run(['run', '--name', 'mib', '--', 'sh', '-c', MIB_SCRIPT], {timeoutMs: 60_000});
		assert.equal(made.code, 0, made.stderr);
		assert.equal(made.stdout.length, MIB);
		const piped = await bytesThroughSlowPipe(['logs', 'mib']);
		assert.equal(piped.stderr, '');
		assert.equal(piped.bytes, MIB);
		const json = await bytesThroughSlowPipe(['logs', '--json', 'mib']);
		const lines = (await box.run(['logs', '--json', 'mib'])).stdout.split('\n').filter(Boolean);
		assert.equal(lines.length, 16384);
		assert.equal(
			json.bytes,
			lines.reduce((sum, line) => sum + line.length + 1, 0),
		);
	});

	it('an attached run into a slow reader: every byte of 1 MiB arrives', async (t) => {
		if (!needsRuntime(t)) return;
		const piped = await bytesThroughSlowPipe(['run', '--rm', '--', 'sh', '-c', MIB_SCRIPT]);
		assert.equal(piped.stderr, '');
		assert.equal(piped.bytes, MIB);
	});
});

describe('user-controlled text', () => {
	const box = suiteSandbox();

	it('a label and an image directory name with an OSC and a newline show escaped in ps and inspect', async (t) => {
		if (!needsRuntime(t)) return;
		const image = path.join(box.dir, `img${OSC}\nx`);
		fs.mkdirSync(image);
		fs.writeFileSync(path.join(image, 'main.sh'), 'echo hi\n');
		const created = await box.run([
			'create',
			'--name',
			'evil',
			'-l',
			`team=a${OSC}\nb\u202e`,
			'--entrypoint',
			'sh',
			'--args',
			'main.sh',
			image,
		]);
		assert.equal(created.code, 0, created.stderr);
		const ps = await box.run(['ps', '-a', '--no-trunc']);
		assert.doesNotMatch(ps.stdout, RAW_CONTROL);
		assert.equal(ps.stdout.split('\n').filter(Boolean).length, 2, ps.stdout);
		assert.ok(ps.stdout.includes(`img\\x1b]0;pwned\\x07\\nx`), ps.stdout);
		const inspect = await box.run(['inspect', 'evil']);
		assert.doesNotMatch(inspect.stdout, RAW_CONTROL);
		assert.doesNotMatch(inspect.stdout, /\u202e/);
		assert.ok(inspect.stdout.includes('"team": "a\\u001b]0;pwned\\u0007\\nb\\u202e"'), inspect.stdout);
		const [info] = JSON.parse(inspect.stdout);
		assert.equal(info.labels.team, `a${OSC}\nb\u202e`, 'the JSON still holds the label as given');
		assert.equal(info.image, image);
	});
});

describe('--json, rename, prune and stats of real containers', () => {
	const box = suiteSandbox();

	it('run -d, stop, wait and rm with --json', async (t) => {
		if (!needsRuntime(t)) return;
		const run = await box.run(['run', '-d', '--json', '--name', 'js', '--', 'sleep', '60']);
		assert.equal(run.code, 0, run.stderr);
		const started = JSON.parse(run.stdout);
		assert.match(started.id, FULL_ID);
		assert.equal(started.state, 'running');
		assert.ok(started.pid > 0);
		const stop = await box.run(['stop', '--json', '-t', '0', 'js', 'nosuch']);
		assert.equal(stop.code, 1);
		const [stopped, missing] = JSON.parse(stop.stdout);
		assert.equal(stopped.ref, 'js');
		assert.equal(stopped.state, 'stopped');
		assert.equal(missing.error.code, 'NOT_FOUND');
		assert.deepEqual(JSON.parse((await box.run(['wait', '--json', 'js'])).stdout), [{ref: 'js', exitCode: 137}]);
		const rm = await box.run(['rm', '--json', 'js']);
		assert.deepEqual(JSON.parse(rm.stdout), [{ref: 'js', id: started.id, name: 'js'}]);
	});

	it('rename: a new name for a running container; a taken or invalid name is refused', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal((await box.run(['run', '-d', '--name', 'before', '--', 'sh', '-c', 'echo hello; sleep 60'])).code, 0);
		assert.equal((await box.run(['create', '--name', 'taken', '--', 'true'])).code, 0);
		const renamed = await box.run(['rename', 'before', 'after']);
		assert.equal(renamed.code, 0, renamed.stderr);
		const names = JSON.parse((await box.run(['ps', '-a', '--json'])).stdout).map((c: {name: string}) => c.name);
		assert.ok(names.includes('after') && !names.includes('before'), names.join(' '));
		const [info] = JSON.parse((await box.run(['inspect', 'after'])).stdout);
		assert.equal(info.config.name, 'after');
		assert.equal(info.state, 'running');
		assert.equal((await box.run(['logs', 'after'])).stdout, 'hello\n');
		const clash = await box.run(['rename', 'after', 'taken']);
		assert.equal(clash.code, 1);
		assert.match(clash.stderr, /^c32: error: the name "taken" is already in use/);
		const invalid = await box.run(['rename', 'after', 'bad name!']);
		assert.equal(invalid.code, 1);
		assert.match(invalid.stderr, /^c32: error: invalid container name/);
		assert.equal((await box.run(['stop', '-t', '0', 'after'])).code, 0, 'the renamed container is still managed');
		assert.equal((await box.run(['rename', 'after', 'before'])).code, 0);
		assert.equal((await box.run(['rm', 'before', 'taken'])).code, 0);
	});

	it('prune: refuses without --force off a terminal, then removes ended containers only', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal((await box.run(['run', '--name', 'p-exited', '-l', 'p=1', '--', 'true'])).code, 0);
		assert.equal((await box.run(['run', '-d', '--name', 'p-stopped', '-l', 'p=1', '--', 'sleep', '60'])).code, 0);
		assert.equal((await box.run(['stop', '-t', '0', 'p-stopped'])).code, 0);
		assert.equal((await box.run(['run', '-d', '--name', 'p-running', '-l', 'p=1', '--', 'sleep', '60'])).code, 0);
		assert.equal((await box.run(['create', '--name', 'p-created', '-l', 'p=1', '--', 'true'])).code, 0);
		const exited = JSON.parse((await box.run(['ps', '--json', '--filter', 'status=exited', '--filter', 'label=p'])).stdout);
		assert.deepEqual(exited.map((c: {name: string}) => c.name).sort(), ['p-exited', 'p-stopped'], 'status=exited includes stopped');
		const refused = await box.run(['prune', '--filter', 'label=p']);
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /add --force/);
		const pruned = await box.run(['prune', '-f', '--filter', 'label=p', '--json']);
		assert.equal(pruned.code, 0, pruned.stderr);
		assert.deepEqual(
			JSON.parse(pruned.stdout)
				.map((c: {name: string}) => c.name)
				.sort(),
			['p-exited', 'p-stopped'],
		);
		const left = JSON.parse((await box.run(['ps', '-a', '--json', '--filter', 'label=p'])).stdout);
		assert.deepEqual(left.map((c: {name: string}) => c.name).sort(), ['p-created', 'p-running']);
		assert.equal((await box.run(['rm', '-f', 'p-created', 'p-running'])).code, 0);
	});

	it('stats a b nosuch: shows a and b, reports nosuch, exits 1', async (t) => {
		if (!needsRuntime(t)) return;
		for (const name of ['sa', 'sb']) assert.equal((await box.run(['run', '-d', '--name', name, '--', 'sleep', '60'])).code, 0);
		const stats = await box.run(['stats', '--no-stream', '--json', 'sa', 'sb', 'nosuch']);
		assert.equal(stats.code, 1);
		assert.deepEqual(
			JSON.parse(stats.stdout)
				.map((s: {name: string}) => s.name)
				.sort(),
			['sa', 'sb'],
		);
		assert.equal(stats.stderr, 'c32: error: no such container: nosuch (see c32 ps -a)\n');
		const table = await box.run(['stats', '--no-stream', 'nosuch', 'sa']);
		assert.equal(table.code, 1);
		assert.match(table.stdout, /\bsa\b/);
		assert.equal((await box.run(['rm', '-f', 'sa', 'sb'])).code, 0);
	});
});
