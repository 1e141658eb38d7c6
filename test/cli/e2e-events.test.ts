// c32 events, hooks and webhooks end to end, with real containers: the events of a
// lifecycle in order, the window and filters, following, a die recorded by the exit command
// alone, per-container and global hooks, a webhook on 127.0.0.1, a hook that hangs, bad input.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {describe, it} from 'node:test';
import type {C32Event} from '../../engine/index.js';
import {needsRuntime, waitFor} from '../helpers/engine.js';
import {suiteSandbox} from './binary.js';

const LOOP = ['sh', '-c', 'trap "exit 7" TERM; while :; do sleep 0.1; done'];
const NO_NET = ['--network', 'none'];

describe('c32 events', () => {
	const box = suiteSandbox();
	const events = async (...args: string[]): Promise<C32Event[]> => {
		const result = await box.run(['events', '--json', ...args]);
		assert.equal(result.code, 0, result.stderr);
		return result.stdout
			.split('\n')
			.filter(Boolean)
			.map((line) => JSON.parse(line) as C32Event);
	};
	const ok = async (...args: string[]) => {
		const result = await box.run(args);
		assert.equal(result.code, 0, `c32 ${args.join(' ')}: ${result.stderr}`);
		return result;
	};
	const eventsLog = () => path.join(box.dir, 'events', 'events.log');

	it('records a lifecycle in order, each change once', async (t) => {
		if (!needsRuntime(t)) return;
		await ok('run', '-d', ...NO_NET, '--name', 'cycle', '--label', 'team=ops', '--', ...LOOP);
		await ok('exec', 'cycle', 'true');
		await ok('pause', 'cycle');
		await ok('resume', 'cycle');
		// PID 1 without a handler ignores SIGUSR1: a kill that ends nothing.
		await ok('kill', '-s', 'SIGUSR1', 'cycle');
		await ok('restart', '-t', '2', 'cycle');
		// Reading commands reconcile: they must not record anything again.
		await ok('ps', '-a');
		await ok('inspect', 'cycle');
		await ok('stop', 'cycle');
		await ok('ps', '-a');
		await ok('rename', 'cycle', 'cycled');
		await ok('rm', 'cycled');
		const recorded = await events('--filter', 'container=cycle', '--filter', 'container=cycled');
		assert.deepEqual(
			recorded.map((e) => e.event),
			[
				'create',
				'start',
				'exec',
				'exec_died',
				'pause',
				'unpause',
				'kill',
				'die',
				'stop',
				'start',
				'restart',
				'die',
				'stop',
				'rename',
				'remove',
			],
		);
		const id = recorded[0]!.id;
		assert.ok(recorded.every((e) => e.id === id && e.subject === 'container' && e.labels['team'] === 'ops'));
		const [firstDie] = recorded.filter((e) => e.event === 'die');
		assert.equal(firstDie!.attributes['exitCode'], 7);
		assert.equal(recorded.find((e) => e.event === 'kill')!.attributes['signal'], 'SIGUSR1');
		assert.equal(recorded.find((e) => e.event === 'exec_died')!.attributes['exitCode'], 0);
		assert.equal(recorded.find((e) => e.event === 'restart')!.attributes['reason'], 'user');
		const times = recorded.map((e) => Date.parse(e.time));
		assert.deepEqual(
			times,
			[...times].sort((a, b) => a - b),
		);

		// The window and the filters.
		assert.deepEqual(
			(await events('--filter', `container=${id.slice(0, 12)}`, '--filter', 'event=die')).map((e) => e.attributes['exitCode']),
			[7, 7],
		);
		assert.equal((await events('--filter', 'label=team=ops', '--filter', 'event=stop')).length, 2);
		assert.equal((await events('--filter', 'label=team=dev')).length, 0);
		assert.equal((await events('--filter', 'type=network')).length, 0);
		assert.equal((await events('--since', recorded.at(-1)!.time, '--filter', `container=${id}`)).length, 1);
		assert.equal((await events('--until', String(Math.floor(times[0]! / 1000) - 1))).length, 0);
		assert.ok((await events('--since', '1h')).length >= recorded.length);
		assert.equal((await events('--since', '2099-01-01T00:00:00Z')).length, 0);

		// The human form: one line each, with the name and the short id.
		const human = await ok('events', '--filter', 'container=cycle', '--filter', 'event=kill');
		assert.match(human.stdout, new RegExp(`^\\S+Z container kill cycle ${id.slice(0, 12)} signal=SIGUSR1\\n$`));
	});

	it('-f prints an event recorded after it started, and Ctrl-C ends it with 0', async (t) => {
		if (!needsRuntime(t)) return;
		await ok('run', '-d', ...NO_NET, '--name', 'followed', '--', ...LOOP);
		const child = box.spawn(['events', '-f', '--json', '--filter', 'container=followed']);
		child.stdin!.end();
		let out = '';
		child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
		const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
		// What was recorded before it started comes first.
		await waitFor(() => out.includes('"event":"start"'), 20_000, 'the recorded events');
		await ok('stop', 'followed');
		await waitFor(() => out.includes('"event":"stop"'), 20_000, 'the stop while following');
		child.kill('SIGINT');
		assert.equal(await closed, 0);
		const names = out
			.split('\n')
			.filter(Boolean)
			.map((line) => (JSON.parse(line) as C32Event).event);
		assert.deepEqual(names, ['create', 'start', 'die', 'stop']);
	});

	it('a container that ends on its own: its die is recorded by the exit command, with no c32 command running', async (t) => {
		if (!needsRuntime(t)) return;
		await ok('run', '-d', ...NO_NET, '--name', 'alone', '--', 'sh', '-c', 'sleep 1; exit 3');
		// Only the log is read (c32 events reconciles nothing): who recorded the die is the exit command.
		const die = (await waitFor(
			() =>
				fs
					.readFileSync(eventsLog(), 'utf8')
					.split('\n')
					.filter(Boolean)
					.map((line) => JSON.parse(line) as C32Event)
					.find((e) => e.name === 'alone' && e.event === 'die'),
			30_000,
			'the die of a container that exited by itself',
			100,
		))!;
		assert.equal(die.attributes['exitCode'], 3);
		assert.equal(die.attributes['state'], 'exited');
		await ok('ps', '-a');
		assert.equal((await events('--filter', 'container=alone', '--filter', 'event=die')).length, 1, 'recorded once');
	});

	it('a container hook and a global hook receive the die event, on stdin and in C32_* variables', async (t) => {
		if (!needsRuntime(t)) return;
		const own = path.join(box.dir, 'own-hook.json');
		const global = path.join(box.dir, 'global-hook.txt');
		fs.mkdirSync(path.join(box.dir, 'config'), {recursive: true, mode: 0o700});
		fs.writeFileSync(
			path.join(box.dir, 'config', 'hooks.json'),
			JSON.stringify([
				{
					event: 'die',
					command: ['sh', '-c', `echo "$C32_EVENT $C32_CONTAINER_NAME $C32_EXIT_CODE $(cat | wc -l)" >> '${global}'`],
				},
			]),
		);
		t.after(() => fs.rmSync(path.join(box.dir, 'config', 'hooks.json'), {force: true}));
		await ok('run', '-d', ...NO_NET, '--name', 'hooked', '--hook', `die=sh -c 'cat > ${own}'`, '--', 'sh', '-c', 'exit 5');
		const received = (await waitFor(
			() => fs.existsSync(own) && fs.readFileSync(own, 'utf8').endsWith('\n') && (JSON.parse(fs.readFileSync(own, 'utf8')) as C32Event),
			30_000,
			'the container hook to write the event',
			100,
		)) as C32Event;
		assert.equal(received.event, 'die');
		assert.equal(received.name, 'hooked');
		assert.equal(received.attributes['exitCode'], 5);
		const line = await waitFor(
			() => fs.existsSync(global) && fs.readFileSync(global, 'utf8').trim(),
			30_000,
			'the global hook to write its line',
			100,
		);
		assert.equal(line, 'die hooked 5 1');
		const inspect = JSON.parse((await ok('inspect', 'hooked')).stdout) as [{config: {hooks: unknown}}];
		assert.deepEqual(inspect[0].config.hooks, [{event: 'die', command: ['sh', '-c', `cat > ${own}`]}]);
	});

	it('a webhook on 127.0.0.1 is POSTed the die event as JSON', async (t) => {
		if (!needsRuntime(t)) return;
		const received: {type: string | undefined; body: string}[] = [];
		const server = http.createServer((request, response) => {
			let body = '';
			request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
			request.on('end', () => {
				received.push({type: request.headers['content-type'], body});
				response.writeHead(204).end();
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		t.after(() => new Promise((resolve) => server.close(resolve)));
		const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/c32`;
		const added = await ok('notify', 'add', url, '--events', 'die,restart-loop', '--timeout', '2s');
		const id = added.stdout.trim();
		assert.match(id, /^[0-9a-f]{8}$/);
		t.after(() => box.run(['notify', 'rm', id]));
		const listed = JSON.parse((await ok('notify', 'ls', '--json')).stdout) as {id: string; events: string[]; timeoutMs: number}[];
		assert.deepEqual(
			listed.map((w) => [w.id, w.events, w.timeoutMs]),
			[[id, ['die', 'restart_loop'], 2000]],
		);
		assert.match((await ok('notify', 'test')).stdout, /delivered/);
		await ok('run', '-d', ...NO_NET, '--name', 'noticed', '--', 'sh', '-c', 'exit 9');
		const post = (await waitFor(
			() => received.find((r) => (JSON.parse(r.body) as C32Event).event === 'die'),
			30_000,
			'the webhook POST of the die',
			100,
		))!;
		assert.equal(post.type, 'application/json');
		const event = JSON.parse(post.body) as C32Event;
		assert.deepEqual([event.name, event.attributes['exitCode']], ['noticed', 9]);
		assert.ok(!received.some((r) => (JSON.parse(r.body) as C32Event).event === 'start'), 'only the events asked for');
	});

	it('a hook that hangs is killed at its timeout, and the stop it follows returns promptly', async (t) => {
		if (!needsRuntime(t)) return;
		const pidFile = path.join(box.dir, 'hang.pid');
		await ok('run', '-d', ...NO_NET, '--name', 'hang', '--hook', `stop=sh -c 'echo $$ > ${pidFile}; exec sleep 600'`, '--', ...LOOP);
		const began = Date.now();
		await ok('stop', 'hang');
		const took = Date.now() - began;
		assert.ok(took < 8000, `stop took ${took} ms`);
		const pid = Number(await waitFor(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8').trim(), 20_000, 'the hook to start'));
		const alive = () => {
			try {
				process.kill(pid, 0);
				return true;
			} catch {
				return false;
			}
		};
		assert.ok(alive(), 'the hook runs after the stop returned');
		// The default timeout is 10 s.
		await waitFor(() => !alive(), 40_000, 'the hook to be killed at its timeout', 200);
		const log = (await waitFor(
			() => fs.existsSync(path.join(box.dir, 'events', 'hooks.log')) && fs.readFileSync(path.join(box.dir, 'events', 'hooks.log'), 'utf8'),
			10_000,
			'the hooks log',
		)) as string;
		assert.match(log, /container hook .*sleep 600.* for stop of hang: timed out after 10 s/);
	});

	it('network events: create, connect, disconnect, remove', async (t) => {
		if (!needsRuntime(t)) return;
		await ok('network', 'create', 'evnet');
		t.after(() => box.run(['network', 'rm', 'evnet']));
		await ok('create', '--name', 'netc', '--', 'true');
		await ok('network', 'connect', 'evnet', 'netc');
		await ok('network', 'disconnect', 'evnet', 'netc');
		await ok('rm', 'netc');
		await ok('network', 'rm', 'evnet');
		const recorded = await events('--filter', 'type=network');
		assert.deepEqual(
			recorded.map((e) => [e.event, e.name, e.attributes['containerName'] ?? null]),
			[
				['create', 'evnet', null],
				['connect', 'evnet', 'netc'],
				['disconnect', 'evnet', 'netc'],
				['remove', 'evnet', null],
			],
		);
	});

	it('refuses bad input with one line, leaving nothing behind', async (t) => {
		if (!needsRuntime(t)) return;
		const before = (await ok('ps', '-aq')).stdout;
		for (const [args, message] of [
			[['events', '--since', 'yesterday'], /invalid --since "yesterday"/],
			[['events', '--until', '10x'], /invalid --until "10x"/],
			[['events', '--filter', 'status=running'], /unknown filter "status"/],
			[['events', '--filter', 'type=volume'], /unknown event type "volume"/],
			[['events', 'extra'], /.+/],
			[['notify', 'add', 'ftp://example.com/'], /only http:\/\/ and https:\/\//],
			[['notify', 'add', 'http://127.0.0.1:1/', '--events', 'died'], /unknown webhook event "died"/],
			[['notify', 'add', 'http://127.0.0.1:1/', '--timeout', 'soon'], /invalid --timeout/],
			[['run', '-d', '--hook', 'dies=/bin/true', '--', 'true'], /unknown hook event "dies"/],
			[['run', '-d', '--hook', 'die=', '--', 'true'], /command after "=" is empty/],
			[['create', '--hook', 'die', '--', 'true'], /write EVENT=COMMAND/],
		] as const) {
			const result = await box.run([...args]);
			assert.equal(result.code, 2, `c32 ${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
			// The error's one line, then the usage errors' pointer to the help.
			const lines = result.stderr.trim().split('\n');
			assert.ok(
				lines[0]!.startsWith('c32: error: ') &&
					lines.length <= 2 &&
					/^See 'c32 \w+( \w+)? --help'\.$/.test(lines[1] ?? "See 'c32 x --help'."),
				result.stderr,
			);
			assert.ok(!result.stderr.includes('    at '), 'no stack trace');
		}
		const missing = await box.run(['notify', 'rm', 'nope']);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /no webhook "nope"/);
		assert.equal((await ok('ps', '-aq')).stdout, before);
		assert.equal((await ok('notify', 'ls', '--json')).stdout.trim(), '[]');
	});
});
