// ps, list, inspect, logs, stats end to end.
import assert from 'node:assert/strict';
import {before, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {needsRuntime, runtimeProblem} from '../helpers/engine.js';
import {finished, suiteSandbox, waitForOutput} from './binary.js';

const PS_FIELDS = [
	'id',
	'name',
	'state',
	'pid',
	'exitCode',
	'oomKilled',
	'image',
	'isolationLevel',
	'createdAt',
	'startedAt',
	'finishedAt',
	'restartCount',
];
const STATS_FIELDS = ['name', 'id', 'cpuPercent', 'memoryMb', 'memoryLimitMb', 'pids', 'blockReadBytes', 'blockWriteBytes', 'timestamp'];

describe('ps, list and inspect', () => {
	const box = suiteSandbox();
	before(async () => {
		if (runtimeProblem() === null) {
			await box.run(['run', '-d', '--name', 'alive', '--', 'sleep', '60']);
			await box.run(['run', '--name', 'done', '--', 'sh', '-c', 'exit 3']);
			await box.run(['create', '--name', 'fresh', '--', 'true']);
		}
	});

	it('lists running containers in an aligned table, and all with -a', async (t) => {
		if (!needsRuntime(t)) return;
		const running = await box.run(['ps']);
		const lines = running.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+IMAGE\s+ISOLATION\s+CREATED\s+STATUS\s+PORTS$/);
		assert.equal(lines.length, 2);
		assert.match(lines[1]!, /^[0-9a-f]{12}\s+alive\s+-\s+standard\s+.* ago\s+Up /);
		assert.equal(lines[1]!.indexOf('alive'), lines[0]!.indexOf('NAME'));
		const all = await box.run(['ps', '-a']);
		assert.match(all.stdout, /done .*Exited \(3\) .* ago/);
		assert.match(all.stdout, /fresh .*Created/);
		assert.equal((await box.run(['list'])).stdout.split('\n').length, all.stdout.split('\n').length);
	});

	it('prints no colour when piped', async (t) => {
		if (!needsRuntime(t)) return;
		assert.doesNotMatch((await box.run(['ps', '-a'])).stdout, /\x1b\[/);
		assert.doesNotMatch((await box.run(['ps', '-a'], {env: {FORCE_COLOR: '1', NO_COLOR: '1'}})).stdout, /\x1b\[/);
		assert.match((await box.run(['ps', '-a'], {env: {FORCE_COLOR: '1'}})).stdout, /\x1b\[32mUp /);
	});

	it('prints short ids with -q and full ones with --no-trunc', async (t) => {
		if (!needsRuntime(t)) return;
		const short = (await box.run(['ps', '-aq'])).stdout.trim().split('\n');
		assert.equal(short.length, 3);
		for (const id of short) assert.match(id, /^[0-9a-f]{12}$/);
		const full = (await box.run(['ps', '-aq', '--no-trunc'])).stdout.trim().split('\n');
		assert.deepEqual(
			full.map((id) => id.slice(0, 12)),
			short,
		);
	});

	it('filters by status (implying -a), name and label', async (t) => {
		if (!needsRuntime(t)) return;
		const names = async (args: string[]) =>
			JSON.parse((await box.run(['ps', '--json', ...args])).stdout).map((r: {name: string}) => r.name);
		assert.deepEqual(await names(['--filter', 'status=exited']), ['done']);
		assert.deepEqual(await names(['-f', 'status=exited', '-f', 'status=created']), ['fresh', 'done']);
		assert.deepEqual(await names(['-a', '-f', 'name=li']), ['alive']);
		const quiet = await box.run(['ps', '-q', '-f', 'status=created']);
		assert.equal(quiet.stdout.trim().split('\n').length, 1);
		const bad = await box.run(['ps', '-f', 'colour=red']);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /^c32: error: invalid filter "colour=red"/);
	});

	it('prints the documented JSON, newest first', async (t) => {
		if (!needsRuntime(t)) return;
		const rows = JSON.parse((await box.run(['ps', '-a', '--json'])).stdout) as Record<string, unknown>[];
		assert.deepEqual(
			rows.map((r) => r['name']),
			['fresh', 'done', 'alive'],
		);
		for (const row of rows) for (const field of PS_FIELDS) assert.ok(field in row, `${field} missing`);
		const done = rows.find((r) => r['name'] === 'done')!;
		assert.deepEqual([done['state'], done['exitCode'], done['oomKilled'], done['pid']], ['exited', 3, false, null]);
		const alive = rows.find((r) => r['name'] === 'alive')!;
		assert.equal(typeof alive['pid'], 'number');
		assert.deepEqual(
			JSON.parse((await box.run(['ps', '--json'])).stdout).map((r: {name: string}) => r.name),
			['alive'],
		);
	});

	it('inspects several containers with their full config, and fails for a missing one', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['inspect', 'alive', 'done']);
		assert.equal(result.code, 0, result.stderr);
		const infos = JSON.parse(result.stdout);
		assert.deepEqual(
			infos.map((i: {name: string}) => i.name),
			['alive', 'done'],
		);
		for (const field of [...PS_FIELDS, 'config']) assert.ok(field in infos[0], field);
		assert.equal(infos[0].config.entrypoint, 'sleep');
		assert.deepEqual(infos[0].config.args, ['60']);
		const partial = await box.run(['inspect', 'alive', 'nobody']);
		assert.equal(partial.code, 1);
		assert.equal(JSON.parse(partial.stdout).length, 1);
		assert.match(partial.stderr, /^c32: error: .*nobody/);
	});
});

describe('logs', () => {
	const box = suiteSandbox();

	it('prints stdout and stderr to their streams, with --tail, --stdout, --stderr and -t', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '--name', 'talker', '--', 'sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done']);
		const all = await box.run(['logs', 'talker']);
		assert.equal(all.stdout, 'out1\nout2\nout3\nout4\nout5\n');
		assert.equal(all.stderr, 'err1\nerr2\nerr3\nerr4\nerr5\n');
		const tail = await box.run(['logs', '--tail', '2', '--stdout', 'talker']);
		assert.deepEqual([tail.stdout, tail.stderr], ['out4\nout5\n', '']);
		const onlyErr = await box.run(['logs', '--stderr', '-n', '1', 'talker']);
		assert.deepEqual([onlyErr.stdout, onlyErr.stderr], ['', 'err5\n']);
		const stamped = await box.run(['logs', '-t', '--stdout', '--tail', '1', 'talker']);
		assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z out5\n$/);
	});

	it('filters by --since and rejects a bad one', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal((await box.run(['logs', '--since', '1h', '--stdout', 'talker'])).stdout.split('\n').length, 6);
		const future = new Date(Date.now() + 60_000).toISOString();
		assert.equal((await box.run(['logs', '--since', future, 'talker'])).stdout, '');
		const bad = await box.run(['logs', '--since', 'last tuesday', 'talker']);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /invalid --since/);
	});

	it('follows until the container exits', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'ticker', '--', 'sh', '-c', 'for i in 1 2 3; do echo tick$i; sleep 0.5; done']);
		const result = await box.run(['logs', '-f', 'ticker'], {timeoutMs: 20_000});
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, 'tick1\ntick2\ntick3\n');
	});

	it('follows across log rotation, and Ctrl-C ends it with 0', async (t) => {
		if (!needsRuntime(t)) return;
		// A 4 KiB cap holds about 60 of these lines: 300 of them, at a pace a follower can keep
		// up with, cycle the log five times while it is followed.
		await box.run([
			'run',
			'-d',
			'--name',
			'flood',
			'--log-max-size',
			'4k',
			'--',
			'sh',
			'-c',
			'sleep 1; i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "line $i ................................................"; sleep 0.02; done; echo last; sleep 60',
		]);
		const child = box.spawn(['logs', '-f', 'flood']);
		child.stdin!.end();
		const done = finished(child, 30_000);
		await waitForOutput(child, /last\n/);
		child.kill('SIGINT');
		const result = await done;
		assert.equal(result.code, 0, result.stderr);
		const numbers = [...result.stdout.matchAll(/^line (\d+) /gm)].map((m) => Number(m[1]));
		assert.deepEqual(
			numbers,
			Array.from({length: 300}, (_, i) => i + 1),
		);
		await box.run(['rm', '-f', 'flood']);
	});

	it('fails with exit 1 for an unknown container', async () => {
		const result = await box.run(['logs', 'nobody']);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^c32: error: .*nobody/);
	});
});

describe('stats', () => {
	const box = suiteSandbox();

	it('prints one sample with --no-stream, as a table and as documented JSON', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'busy', '-m', '64m', '--', 'sh', '-c', 'while :; do :; done']);
		await box.run(['run', '-d', '--name', 'idle', '--', 'sleep', '60']);
		const table = await box.run(['stats', '--no-stream']);
		assert.equal(table.code, 0, table.stderr);
		const lines = table.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+PIDS\s+BLOCK I\/O$/);
		assert.equal(lines.length, 3);
		assert.match(table.stdout, /busy\s+\d+\.\d\d%\s+[\d.]+[KMG]?i?B \/ 64MiB/);
		const json = JSON.parse((await box.run(['stats', '--no-stream', '--json', 'busy'])).stdout);
		assert.equal(json.length, 1);
		for (const field of STATS_FIELDS) assert.ok(field in json[0], field);
		assert.equal(json[0].name, 'busy');
		assert.equal(json[0].memoryLimitMb, 64);
		assert.ok(json[0].cpuPercent > 20, `a busy loop used only ${json[0].cpuPercent}%`);
		assert.ok(json[0].pids >= 1);
	});

	it('keeps sampling until Ctrl-C; one JSON array per line when piped', async (t) => {
		if (!needsRuntime(t)) return;
		const child = box.spawn(['stats', '--json', 'idle']);
		child.stdin!.end();
		const done = finished(child, 20_000);
		await sleep(2500);
		child.kill('SIGINT');
		const result = await done;
		assert.equal(result.code, 0, result.stderr);
		const frames = result.stdout
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line));
		assert.ok(frames.length >= 2, `only ${frames.length} samples`);
		for (const frame of frames) assert.equal(frame[0].name, 'idle');
	});

	it('fails for an unknown container', async () => {
		const result = await box.run(['stats', '--no-stream', 'nobody']);
		assert.equal(result.code, 1);
	});
});
