// `c32 logs` of several containers, end to end with real containers: interleaved by time with
// name prefixes, --filter, -t, --tail per container, --until, colour, -f through an exit and
// a restart, and bad input.
import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {needsRuntime, runtimeProblem} from '../helpers/engine.js';
import {finished, suiteSandbox} from './binary.js';

// Waits until the epoch millisecond $1, so two containers write at moments the test chose,
// however far apart they were started.
const AT = 'at() { while [ "$(date +%s%3N)" -lt "$1" ]; do sleep 0.02; done; }';

describe('logs of several containers', () => {
	const box = suiteSandbox();
	before(async () => {
		if (runtimeProblem() !== null) return;
		const base = Date.now() + 5000;
		const script = (steps: [number, string][]) => [AT, ...steps.map(([offset, command]) => `at ${base + offset}; ${command}`)].join('; ');
		const label = ['--label', 'team=x'];
		await box.run([
			'run',
			'-d',
			'--name',
			'web',
			...label,
			'--',
			'sh',
			'-c',
			script([
				[0, 'echo w1'],
				[1200, 'echo w2'],
				[2400, 'echo w3'],
			]),
		]);
		await box.run([
			'run',
			'-d',
			'--name',
			'worker',
			...label,
			'--',
			'sh',
			'-c',
			script([
				[600, 'echo k1'],
				[1800, 'echo k2 >&2'],
			]),
		]);
		await box.run(['run', '-d', '--name', 'other', '--', 'sh', '-c', script([[300, 'echo o1']])]);
		const waited = await box.run(['wait', 'web', 'worker', 'other'], {timeoutMs: 30_000});
		assert.equal(waited.code, 0, waited.stderr);
	});

	it('interleaves the lines by time, each prefixed by its padded name, stderr to stderr', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['logs', 'web', 'worker']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, 'web    | w1\nworker | k1\nweb    | w2\nweb    | w3\n');
		assert.equal(result.stderr, 'worker | k2\n');
		const all = await box.run(['logs', 'other', 'web', 'worker', '--stdout']);
		assert.equal(all.stdout, 'web    | w1\nother  | o1\nworker | k1\nweb    | w2\nweb    | w3\n');
	});

	it('selects containers with --filter label= and name=, as ps does', async (t) => {
		if (!needsRuntime(t)) return;
		const byLabel = await box.run(['logs', '--filter', 'label=team=x', '--stdout']);
		assert.equal(byLabel.code, 0, byLabel.stderr);
		assert.equal(byLabel.stdout, 'web    | w1\nworker | k1\nweb    | w2\nweb    | w3\n');
		const byName = await box.run(['logs', '--filter', 'name=o', '--stdout']);
		assert.equal(byName.stdout, 'other  | o1\nworker | k1\n');
		// One container selected by a filter still carries its name: the output says whose it is.
		const one = await box.run(['logs', '--filter', 'name=web']);
		assert.equal(one.stdout, 'web | w1\nweb | w2\nweb | w3\n');
	});

	it('-t puts the timestamp after the name; --tail counts per container; --until ends the window', async (t) => {
		if (!needsRuntime(t)) return;
		const stamped = await box.run(['logs', '-t', 'web', 'worker']);
		const lines = stamped.stdout.trimEnd().split('\n');
		assert.equal(lines.length, 4);
		for (const line of lines) assert.match(line, /^(web {3}|worker) \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z [wk]\d$/);
		const times = lines.map((line) => line.split(' ').at(-2)!);
		assert.deepEqual(times, [...times].sort());

		const tail = await box.run(['logs', '--tail', '1', 'web', 'worker']);
		assert.deepEqual([tail.stdout, tail.stderr], ['web    | w3\n', 'worker | k2\n']);

		// Up to the moment of w2: w1, k1, w2.
		const until = await box.run(['logs', '--until', lines[2]!.split(' ').at(-2)!, 'web', 'worker']);
		assert.equal(until.stdout, 'web    | w1\nworker | k1\nweb    | w2\n');
		assert.equal(until.stderr, '');
	});

	it('--json says which container wrote each line', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['logs', '--json', '--tail', '1', 'worker', 'web']);
		const objects = result.stdout
			.trimEnd()
			.split('\n')
			.map((line) => JSON.parse(line) as Record<string, string>);
		assert.deepEqual(
			objects.map((o) => [o['name'], o['stream'], o['text']]),
			[
				['worker', 'stderr', 'k2'],
				['web', 'stdout', 'w3'],
			],
		);
		for (const o of objects) assert.match(o['id']!, /^[0-9a-f]{64}$/);
	});

	it('colours each name where colour is on, and never with NO_COLOR or into a pipe', async (t) => {
		if (!needsRuntime(t)) return;
		const coloured = await box.run(['logs', '--stdout', 'web', 'worker'], {env: {FORCE_COLOR: '1'}});
		assert.match(coloured.stdout, /^\x1b\[36mweb {3}\x1b\[39m \| w1\n\x1b\[33mworker\x1b\[39m \| k1\n/);
		const plain = await box.run(['logs', '--stdout', 'web', 'worker'], {env: {FORCE_COLOR: '1', NO_COLOR: '1'}});
		assert.doesNotMatch(plain.stdout, /\x1b/);
		assert.doesNotMatch((await box.run(['logs', 'web', 'worker'])).stdout, /\x1b/);
	});

	it('rejects bad input with one line and a non-zero exit', async () => {
		const cases: [string[], number, RegExp][] = [
			[['logs', '--filter', 'colour=red'], 2, /invalid filter "colour=red": use name=, id=/],
			[['logs', '--filter', 'label=team=x', 'web'], 2, /give containers or --filter, not both/],
			[['logs'], 2, /needs a container \(or --filter K=V\)/],
			[['logs', '--until', 'someday', 'web', 'worker'], 2, /invalid --until "someday"/],
			[['logs', '--filter', 'label=team=nobody'], 1, /no container matches --filter label=team=nobody/],
			[['logs', 'web', 'nobody'], 1, /nobody/],
		];
		for (const [args, code, message] of cases) {
			const result = await box.run(args);
			assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
			assert.match(result.stderr, /^c32: error: [^\n]*\n(See [^\n]*\n)?$/);
			assert.equal(result.stdout, '');
		}
	});
});

describe('logs -f of several containers', () => {
	const box = suiteSandbox();

	it('shows new lines of each as they come, through one exiting, starting again and being removed, until Ctrl-C', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'ticker', '--', 'sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; sleep 0.3; done']);
		await box.run(['create', '--name', 'once', '--', 'sh', '-c', 'echo "once up"; sleep 1; echo "once down" >&2']);
		const child = box.spawn(['logs', '-f', '--tail', '0', 'ticker', 'once']);
		child.stdin!.end();
		const done = finished(child, 90_000);
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (chunk: Buffer | string) => (stdout += chunk.toString()));
		child.stderr!.on('data', (chunk: Buffer | string) => (stderr += chunk.toString()));
		const until = async (what: () => boolean, label: string) => {
			const deadline = Date.now() + 30_000;
			while (!what()) {
				if (Date.now() > deadline) assert.fail(`no ${label} within 30 s; stdout: ${stdout}; stderr: ${stderr}`);
				await sleep(50);
			}
		};
		const ticks = () => [...stdout.matchAll(/^ticker \| tick (\d+)$/gm)].map((m) => Number(m[1]));
		const count = (pattern: RegExp) => [...stdout.matchAll(pattern)].length;

		await until(() => ticks().length > 0, 'tick');
		assert.equal((await box.run(['start', 'once'])).code, 0);
		await until(() => count(/^once {3}\| once up$/gm) === 1, 'first "once up"');
		// `once` exits; the ticker's lines keep coming, and its next run shows up too.
		assert.equal((await box.run(['wait', 'once'], {timeoutMs: 30_000})).code, 0);
		await until(() => stderr.includes('once   | once down\n'), '"once down" on stderr');
		const last = ticks().at(-1)!;
		await until(() => ticks().at(-1)! >= last + 2, 'ticks after the exit');
		assert.equal((await box.run(['start', 'once'])).code, 0);
		await until(() => count(/^once {3}\| once up$/gm) === 2, 'second "once up"');
		// Removing one drops it; the other goes on.
		assert.equal((await box.run(['rm', '-f', 'once'])).code, 0);
		const beforeRemoval = ticks().at(-1)!;
		await until(() => ticks().at(-1)! >= beforeRemoval + 2, 'ticks after the removal');

		child.kill('SIGINT');
		const result = await done;
		assert.equal(result.code, 0, result.stderr);
		const seen = ticks();
		for (let i = 1; i < seen.length; i++) assert.equal(seen[i], seen[i - 1]! + 1, stdout);
		assert.match(stdout, /^(?:(?:ticker \| tick \d+|once {3}\| once up)\n)+$/);
	});
});
