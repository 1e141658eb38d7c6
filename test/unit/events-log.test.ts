// The events log on disk: bounded by rotation, lines that stay whole (one write under
// PIPE_BUF, long ones cut), concurrent writers from several processes, following across a
// rotation, and the cheap "nothing to dispatch" check.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {dispatchPlan} from '../../engine/events/dispatch.js';
import {addWebhook, globalHooksFile, readWebhooks, removeWebhook} from '../../engine/events/hook-config.js';
import {appendEvent, eventsFile, MAX_LINE_BYTES, MAX_LOG_BYTES, readEvents, rotatedEventsFile} from '../../engine/events/log.js';
import {queryEvents} from '../../engine/events/query.js';
import type {C32Event, NewEvent} from '../../engine/events/types.js';
import type {StorageLayout} from '../../engine/paths.js';
import {makeTempDir, withTimeout} from '../helpers/engine.js';

const ID = 'a'.repeat(64);

function tempLayout(t: {after: (fn: () => void) => void}): StorageLayout {
	const dir = makeTempDir('c32-events-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return {storageDir: dir, runtimeDir: path.join(dir, 'run')};
}

const event = (name: string, attributes: NewEvent['attributes'] = {}): NewEvent => ({
	subject: 'container',
	event: name,
	id: ID,
	name: 'w',
	attributes,
});

test('appends one line per event, 0600 in a 0700 directory, oldest first', (t) => {
	const layout = tempLayout(t);
	appendEvent(layout, event('create'));
	appendEvent(layout, event('start', {pid: 1}));
	assert.deepEqual(
		readEvents(layout).map((e) => e.event),
		['create', 'start'],
	);
	assert.equal(fs.statSync(eventsFile(layout)).mode & 0o777, 0o600);
	assert.equal(fs.statSync(path.dirname(eventsFile(layout))).mode & 0o777, 0o700);
});

test('a line longer than PIPE_BUF is cut to fit, and still parses', (t) => {
	const layout = tempLayout(t);
	const written = appendEvent(layout, event('exec', {command: 'x'.repeat(10_000)}));
	assert.ok(written);
	const text = fs.readFileSync(eventsFile(layout), 'utf8');
	assert.ok(Buffer.byteLength(text) <= MAX_LINE_BYTES, `${Buffer.byteLength(text)} bytes`);
	const [read] = readEvents(layout);
	assert.equal(read!.event, 'exec');
	assert.equal(String(read!.attributes['command']).length, 256);
	// Labels that alone pass the limit are dropped, attributes kept short.
	appendEvent(layout, {...event('die'), labels: {big: 'y'.repeat(8000)}});
	assert.equal(readEvents(layout).at(-1)!.event, 'die');
});

test('past its cap the log rotates to one older generation: bounded, nothing lost in between', (t) => {
	const layout = tempLayout(t);
	const padding = 'p'.repeat(3000);
	const count = Math.ceil((MAX_LOG_BYTES * 1.5) / 3100);
	for (let i = 0; i < count; i++) appendEvent(layout, event('exec', {i, padding}));
	assert.ok(fs.existsSync(rotatedEventsFile(layout)));
	assert.ok(fs.statSync(eventsFile(layout)).size < MAX_LOG_BYTES);
	assert.ok(fs.statSync(rotatedEventsFile(layout)).size <= MAX_LOG_BYTES + MAX_LINE_BYTES);
	const numbers = readEvents(layout).map((e) => e.attributes['i'] as number);
	assert.deepEqual(
		numbers,
		Array.from({length: count}, (_, i) => i),
	);
	// A third generation: the oldest is dropped, the total stays bounded.
	for (let i = count; i < count * 2; i++) appendEvent(layout, event('exec', {i, padding}));
	const kept = readEvents(layout).map((e) => e.attributes['i'] as number);
	assert.ok(kept[0]! > 0 && kept.at(-1) === count * 2 - 1);
	assert.deepEqual(
		kept,
		Array.from({length: kept.length}, (_, i) => kept[0]! + i),
	);
});

test('several processes appending at once never interleave inside a line', async (t) => {
	const layout = tempLayout(t);
	const logModule = fileURLToPath(new URL('../../engine/events/log.js', import.meta.url));
	const script = `
		const {appendEvent} = await import(${JSON.stringify(logModule)});
		const layout = {storageDir: process.argv[1], runtimeDir: process.argv[1] + '/run'};
		for (let i = 0; i < 150; i++) appendEvent(layout, {subject: 'container', event: 'exec', id: '${ID}', name: 'w' + process.pid, attributes: {i, padding: 'q'.repeat(2500 + (i % 7) * 200)}});
	`;
	const writers = Array.from({length: 4}, () =>
		spawn(process.execPath, ['--input-type=module', '-e', script, layout.storageDir], {stdio: 'inherit'}),
	);
	await Promise.all(writers.map((child) => new Promise((resolve) => child.on('close', resolve))));
	const lines = fs.readFileSync(eventsFile(layout), 'utf8').split('\n').filter(Boolean);
	const rotated = fs.existsSync(rotatedEventsFile(layout))
		? fs.readFileSync(rotatedEventsFile(layout), 'utf8').split('\n').filter(Boolean)
		: [];
	const all = [...rotated, ...lines];
	assert.equal(all.length, 600);
	for (const line of all) JSON.parse(line);
	const perWriter = new Map<string, number[]>();
	for (const e of readEvents(layout)) perWriter.set(e.name!, [...(perWriter.get(e.name!) ?? []), e.attributes['i'] as number]);
	assert.equal(perWriter.size, 4);
	for (const numbers of perWriter.values())
		assert.deepEqual(
			numbers,
			Array.from({length: 150}, (_, i) => i),
		);
});

test('follow yields what is appended after it began, across a rotation, and ends on abort', async (t) => {
	const layout = tempLayout(t);
	appendEvent(layout, event('create'));
	const abort = new AbortController();
	const seen: C32Event[] = [];
	const done = (async () => {
		for await (const e of queryEvents(layout, {follow: true, signal: abort.signal, pollMs: 20})) {
			seen.push(e);
			if (e.event === 'stop') abort.abort();
		}
	})();
	const padding = 'p'.repeat(3000);
	const count = Math.ceil(MAX_LOG_BYTES / 3100) + 20;
	for (let i = 0; i < count; i++) {
		appendEvent(layout, event('exec', {i, padding}));
		if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
	}
	appendEvent(layout, event('stop'));
	await withTimeout(done, 20_000, 'the follow to end');
	assert.ok(fs.existsSync(rotatedEventsFile(layout)), 'the log rotated while followed');
	assert.deepEqual(
		seen.map((e) => (e.event === 'exec' ? e.attributes['i'] : e.event)),
		['create', ...Array.from({length: count}, (_, i) => i), 'stop'],
	);
});

test('since, until and filters pick from what is recorded', async (t) => {
	const layout = tempLayout(t);
	appendEvent(layout, {...event('create'), time: '2030-01-01T00:00:00.000Z'});
	appendEvent(layout, {...event('start'), time: '2030-01-01T00:01:00.000Z'});
	appendEvent(layout, {...event('die'), time: '2030-01-01T00:02:00.000Z'});
	const pick = async (options: Parameters<typeof queryEvents>[1]) => {
		const names: string[] = [];
		for await (const e of queryEvents(layout, options)) names.push(e.event);
		return names;
	};
	assert.deepEqual(await pick({since: '2030-01-01T00:01:00.000Z'}), ['start', 'die']);
	assert.deepEqual(await pick({until: new Date('2030-01-01T00:01:00.000Z')}), ['create', 'start']);
	assert.deepEqual(await pick({filters: {event: ['die', 'create']}}), ['create', 'die']);
	await assert.rejects(pick({since: 'soon'}), /invalid since time "soon"/);
});

test('no hooks and no webhooks: nothing to start; webhooks are kept 0600 and removed by id or URL', async (t) => {
	const layout = tempLayout(t);
	const written = appendEvent(layout, event('die'))!;
	assert.equal(dispatchPlan(layout, written, []), null);
	const hook = await addWebhook(layout, {url: 'http://127.0.0.1:1/x', events: ['die', 'restart-loop']});
	assert.deepEqual(hook.events, ['die', 'restart_loop']);
	assert.equal(dispatchPlan(layout, written, [])!.webhooks.length, 1);
	assert.equal(dispatchPlan(layout, {...written, event: 'start'}, []), null);
	const file = path.join(layout.storageDir, 'config', 'webhooks.json');
	assert.equal(fs.statSync(file).mode & 0o777, 0o600);
	const second = await addWebhook(layout, {url: 'https://example.com/h'});
	assert.deepEqual(second.events, ['die', 'oom', 'unhealthy', 'restart_loop']);
	assert.deepEqual(
		(await removeWebhook(layout, hook.id)).map((h) => h.id),
		[hook.id],
	);
	assert.deepEqual(
		(await removeWebhook(layout, 'https://example.com/h')).map((h) => h.id),
		[second.id],
	);
	assert.deepEqual(readWebhooks(layout), []);
	await assert.rejects(removeWebhook(layout, 'nope'), /no webhook "nope"/);
	await assert.rejects(addWebhook(layout, {url: 'ftp://x/'}), /only http/);
	await assert.rejects(addWebhook(layout, {url: 'http://x/', events: ['died']}), /unknown webhook event "died"/);
	await assert.rejects(addWebhook(layout, {url: 'http://x/', timeoutMs: 10}), /100ms to 60s/);
	// A global hook file is read again once it changes (the per-process cache is by inode, size and mtime).
	fs.writeFileSync(globalHooksFile(layout), JSON.stringify([{event: 'die', command: ['/bin/true']}]));
	assert.equal(dispatchPlan(layout, written, [])!.hooks.length, 1);
	fs.writeFileSync(globalHooksFile(layout), JSON.stringify([{event: 'oom', command: ['/bin/true', 'x']}]));
	assert.equal(dispatchPlan(layout, written, []), null);
	// A broken global file is reported and skipped; a webhook still gets the event.
	fs.writeFileSync(globalHooksFile(layout), '[{"event": "die"');
	await addWebhook(layout, {url: 'http://127.0.0.1:1/y'});
	const reported: string[] = [];
	const plan = dispatchPlan(layout, written, [{event: 'die', command: ['/bin/true']}], (what, error) =>
		reported.push(`${what}: ${String(error)}`),
	);
	assert.deepEqual([plan!.hooks.length, plan!.webhooks.length], [1, 1]);
	assert.match(reported.join(), /global hooks: .*hooks.json is not valid JSON/);
});
