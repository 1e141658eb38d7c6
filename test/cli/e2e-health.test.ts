// Health checks through the binary: the schedule outlives every c32 process (no node
// process between checks, yet results keep coming), ps's (healthy), health= filter,
// `healthcheck run`'s exit codes, and a one-line refusal for every bad option.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {needsRuntime, waitFor} from '../helpers/engine.js';
import {suiteSandbox} from './binary.js';

/** Processes of this storage root that are node (the CLI, a tick, an exit command), other than this test. */
function nodeProcessesOf(dir: string): number[] {
	const found: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			const argv = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (path.basename(argv[0]!) === 'node' && argv.some((word) => word.includes(dir))) found.push(Number(entry));
		} catch {
			// gone meanwhile
		}
	}
	return found;
}

describe('health checks from the command line', () => {
	const box = suiteSandbox();
	const run = (...args: string[]) => box.run(args);
	const healthFileOf = (id: string) => path.join(box.dir, 'containers', id, 'userdata', 'health.json');
	const lastStart = (id: string): string | null => {
		try {
			return (JSON.parse(fs.readFileSync(healthFileOf(id), 'utf8')) as {log: {start: string}[]}).log.at(-1)?.start ?? null;
		} catch {
			return null;
		}
	};

	it('keeps checking after every c32 process has exited, with no node process between checks', async (t) => {
		if (!needsRuntime(t)) return;
		const started = await run(
			'run',
			'-d',
			'--name',
			'web',
			'--network',
			'none',
			'--health-cmd',
			'test -e /tmp/ok',
			'--health-interval',
			'1s',
			'--',
			'sleep',
			'3600',
		);
		assert.equal(started.code, 0, started.stderr);
		const id = started.stdout.trim();
		const starts = new Set<string>();
		let quietSamples = 0;
		const deadline = Date.now() + 30_000;
		while (starts.size < 4 && Date.now() < deadline) {
			const start = lastStart(id);
			if (start !== null) starts.add(start);
			if (nodeProcessesOf(box.dir).length === 0) quietSamples++;
			await sleep(100);
		}
		assert.ok(starts.size >= 4, `checks kept coming with no c32 command running (saw ${starts.size})`);
		assert.ok(quietSamples > 0, 'between checks no node process of c32 runs');
	});

	it('keeps checking after the attached c32 that started the container is killed', async (t) => {
		if (!needsRuntime(t)) return;
		const before = new Set(fs.readdirSync(path.join(box.dir, 'containers')));
		const cli = box.spawn([
			'run',
			'--name',
			'attached',
			'--network',
			'none',
			'--health-cmd',
			'true',
			'--health-interval',
			'1s',
			'--',
			'sleep',
			'3600',
		]);
		const id = await waitFor(
			() => {
				const dir = path.join(box.dir, 'containers');
				return fs.readdirSync(dir).find((entry) => !before.has(entry) && lastStart(entry) !== null);
			},
			30_000,
			'the first check',
		);
		assert.ok(id);
		cli.kill('SIGKILL');
		await new Promise((resolve) => cli.once('close', resolve));
		const seen = new Set([lastStart(id)]);
		await waitFor(() => seen.add(lastStart(id)).size >= 3, 30_000, 'checks after the CLI was killed');
		const removed = await run('rm', '-f', 'attached');
		assert.equal(removed.code, 0, removed.stderr);
	});

	it('shows the status in ps and filters by it; healthcheck run exits 0 or 1', async (t) => {
		if (!needsRuntime(t)) return;
		assert.match((await run('ps')).stdout, /Up .* \((starting|unhealthy)\)/);
		const failing = await run('healthcheck', 'run', 'web');
		assert.deepEqual([failing.code, failing.stderr], [1, '']);
		assert.match(failing.stdout, /^(starting|unhealthy)\n$/);
		assert.equal((await run('exec', 'web', 'touch', '/tmp/ok')).code, 0);
		const passing = await run('healthcheck', 'run', 'web');
		assert.deepEqual([passing.code, passing.stdout, passing.stderr], [0, '', '']);
		assert.match((await run('ps')).stdout, /Up .* \(healthy\)/);
		assert.equal((await run('ps', '-q', '--filter', 'health=healthy')).stdout.trim().length, 12);
		assert.equal((await run('ps', '-q', '--filter', 'health=unhealthy')).stdout, '');
		const json = JSON.parse((await run('healthcheck', 'run', '--json', 'web')).stdout) as {status: string; result: {exitCode: number}};
		assert.deepEqual([json.status, json.result.exitCode], ['healthy', 0]);
		const inspected = JSON.parse((await run('inspect', 'web')).stdout) as {health: {status: string; log: unknown[]}}[];
		assert.equal(inspected[0]!.health.status, 'healthy');
		assert.ok(inspected[0]!.health.log.length <= 5);
	});

	it('exits 125 when there is no check or the container does not run', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal((await run('run', '-d', '--name', 'plain', '--network', 'none', '--', 'sleep', '3600')).code, 0);
		const none = await run('healthcheck', 'run', 'plain');
		assert.equal(none.code, 125);
		assert.match(none.stderr, /^c32: error: container plain has no health check: create it with --health-cmd/);
		assert.equal((await run('stop', '-t', '0', 'web')).code, 0);
		const stopped = await run('healthcheck', 'run', 'web');
		assert.equal(stopped.code, 125);
		assert.match(stopped.stderr, /web is stopped, not running: start it/);
		assert.equal((await run('healthcheck', 'run', 'nosuch')).code, 125);
		assert.equal((await run('healthcheck', 'run')).code, 2);
		assert.equal((await run('ps', '--filter', 'health=poorly')).code, 2);
	});

	it('refuses every bad option in one line and creates nothing', async (t) => {
		if (!needsRuntime(t)) return;
		const before = (await run('ps', '-aq')).stdout;
		const cases: [string[], RegExp][] = [
			[['--health-cmd', ' '], /invalid --health-cmd " ": give a command/],
			[['--health-cmd', '["a",'], /give a JSON list of strings/],
			[['--health-cmd', 'true', '--health-interval', 'often'], /invalid --health-interval "often"/],
			[['--health-cmd', 'true', '--health-interval', '100ms'], /interval 0.1: give 1 to 86400 seconds/],
			[['--health-cmd', 'true', '--health-timeout', 'x'], /invalid --health-timeout "x"/],
			[['--health-cmd', 'true', '--health-timeout', '0s'], /timeout 0: give 0.1/],
			[['--health-cmd', 'true', '--health-retries', '0'], /retries 0: give a whole number from 1/],
			[['--health-cmd', 'true', '--health-retries', 'x'], /invalid --health-retries "x"/],
			[['--health-cmd', 'true', '--health-start-period', 'soon'], /invalid --health-start-period "soon"/],
			[['--health-cmd', 'true', '--health-on-failure', 'reboot'], /use none, kill, restart or stop/],
			[['--health-interval', '5s'], /need a command: give healthcheck.command/],
			[['--no-healthcheck', '--health-cmd', 'true'], /conflict/],
			[['--rm', '--health-cmd', 'true', '--health-on-failure', 'restart'], /--rm conflict/],
		];
		for (const [options, pattern] of cases) {
			const result = await run('run', '-d', '--network', 'none', ...options, '--', 'sleep', '1');
			assert.notEqual(result.code, 0, options.join(' '));
			assert.match(result.stderr, pattern, options.join(' '));
			assert.ok(!result.stderr.includes('    at '), 'no stack trace');
			assert.equal(result.stderr.split('\n').filter((line) => line.startsWith('c32: error')).length, 1, result.stderr);
		}
		assert.equal((await run('ps', '-aq')).stdout, before);
	});
});
