// Logs of real containers through conmon's k8s-file log: streams, tail, since, follow, long
// lines, and the size cap (a flood stays bounded on disk and the latest line is readable).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ContainerEngine, LogEntry, LogOptions} from '../../engine/index.js';
import {engineFor, expectCode, makeTempDir, needsRuntime, runToExit, shell, waitFor, withTimeout} from '../helpers/engine.js';

async function collect(engine: ContainerEngine, ref: string, options: LogOptions & {signal?: AbortSignal} = {}): Promise<LogEntry[]> {
	const entries: LogEntry[] = [];
	for await (const entry of engine.getLogs(ref, options)) entries.push(entry);
	return entries;
}
const lines = (entries: LogEntry[]) => entries.map((e) => e.line);

test('stdout and stderr are kept apart, in order, with timestamps', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const before = Date.now();
	// conmon reads the two pipes independently: lines written at the same instant on different
	// streams have no defined order, so they are written a moment apart.
	const run = await runToExit(
		engine,
		shell('echo out1; sleep 0.05; echo err1 >&2; sleep 0.05; echo out2; sleep 0.05; echo err2 >&2', {name: 'streams'}),
	);
	assert.equal(run.exitCode, 0);
	const all = await collect(engine, 'streams');
	assert.deepEqual(
		all.map((e) => [e.stream, e.line]),
		[
			['stdout', 'out1'],
			['stderr', 'err1'],
			['stdout', 'out2'],
			['stderr', 'err2'],
		],
	);
	assert.deepEqual(lines(await collect(engine, 'streams', {stream: 'stdout'})), ['out1', 'out2']);
	assert.deepEqual(lines(await collect(engine, 'streams', {stream: 'stderr'})), ['err1', 'err2']);
	assert.deepEqual(lines(await collect(engine, 'streams', {stream: 'both'})), ['out1', 'err1', 'out2', 'err2']);
	for (const e of all) {
		const at = Date.parse(e.timestamp);
		assert.ok(at >= before - 2000 && at <= Date.now() + 1000, `odd timestamp ${e.timestamp}`);
	}
	const times = all.map((e) => Date.parse(e.timestamp));
	assert.deepEqual(
		times,
		[...times].sort((a, b) => a - b),
	);
});

test('tail returns the last N lines', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await runToExit(engine, shell('for i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i"; done', {name: 'tail'}));
	assert.deepEqual(lines(await collect(engine, 'tail', {tail: 3})), ['line 8', 'line 9', 'line 10']);
	assert.deepEqual(lines(await collect(engine, 'tail', {tail: 0})), []);
	assert.equal((await collect(engine, 'tail', {tail: 100})).length, 10);
	assert.equal((await collect(engine, 'tail')).length, 10);
});

test('since keeps only the entries written after a time (ISO or duration)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = makeTempDir('c32-logs-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const script = 'echo early-1; echo early-2; while [ ! -e /data/go ]; do sleep 0.02; done; echo late-1; echo late-2';
	await engine.createContainer(shell(script, {name: 'since', volumes: [{source: dir, destination: '/data'}]}));
	await engine.startContainer('since');
	await waitFor(async () => (await collect(engine, 'since')).length === 2, 5000, 'the early lines');
	await sleep(50);
	const cut = new Date().toISOString();
	await sleep(50);
	fs.writeFileSync(path.join(dir, 'go'), '');
	await engine.waitContainer('since');
	assert.deepEqual(lines(await collect(engine, 'since', {since: cut})), ['late-1', 'late-2']);
	assert.deepEqual(lines(await collect(engine, 'since', {since: '1h'})), ['early-1', 'early-2', 'late-1', 'late-2']);
	assert.deepEqual(lines(await collect(engine, 'since', {since: '1h', tail: 1})), ['late-2']);
	await expectCode(collect(engine, 'since', {since: 'banana'}), 'INVALID_CONFIG');
});

test('follow yields lines as they are written and ends when the container exits', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('for i in 1 2 3 4 5 6; do echo "tick $i"; sleep 0.15; done', {name: 'follow'}));
	await engine.startContainer('follow');
	const arrivals: number[] = [];
	const got: string[] = [];
	await withTimeout(
		(async () => {
			for await (const entry of engine.getLogs('follow', {follow: true})) {
				got.push(entry.line);
				arrivals.push(Date.now());
			}
		})(),
		15_000,
		'follow to end after the container exits',
	);
	assert.deepEqual(got, ['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5', 'tick 6']);
	// They arrived over time, not all at once at the end.
	assert.ok(arrivals.at(-1)! - arrivals[0]! >= 400, `all lines arrived within ${arrivals.at(-1)! - arrivals[0]!} ms`);
	assert.equal((await engine.getContainer('follow')).state, 'exited');
});

test('follow with tail 0 shows only new lines; aborting ends it', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(
		shell('echo old; sleep 0.5; i=0; while :; do i=$((i+1)); echo "new $i"; sleep 0.05; done', {name: 'endless'}),
	);
	await engine.startContainer('endless');
	await waitFor(async () => (await collect(engine, 'endless')).length >= 1, 5000, 'the first line');
	const controller = new AbortController();
	const got: string[] = [];
	await withTimeout(
		(async () => {
			for await (const entry of engine.getLogs('endless', {follow: true, tail: 0, signal: controller.signal})) {
				got.push(entry.line);
				if (got.length === 3) controller.abort();
			}
		})(),
		10_000,
		'follow to end after abort',
	);
	assert.equal(got.length, 3);
	assert.ok(!got.includes('old'), `tail 0 replayed old lines: ${got.join(', ')}`);
	assert.ok(got.every((l) => l.startsWith('new ')));
	assert.equal((await engine.getContainer('endless')).state, 'running');
});

test('a very long line comes back whole; a last line without newline is kept', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const run = await runToExit(
		engine,
		shell(`head -c 100000 /dev/zero | tr '\\0' x; echo; echo after; printf tail-without-newline`, {name: 'long'}),
	);
	assert.equal(run.exitCode, 0);
	const got = lines(await collect(engine, 'long'));
	assert.equal(got.length, 3, `lines: ${got.map((l) => l.length).join(', ')}`);
	assert.equal(got[0], 'x'.repeat(100000));
	assert.equal(got[1], 'after');
	assert.equal(got[2], 'tail-without-newline');
});

/** Bytes on disk of the files in a directory, each inode counted once. */
function diskBytes(dir: string): number {
	const seen = new Set<number>();
	let total = 0;
	for (const name of fs.readdirSync(dir)) {
		try {
			const stat = fs.statSync(path.join(dir, name));
			if (!stat.isFile() || seen.has(stat.ino)) continue;
			seen.add(stat.ino);
			total += Math.max(stat.size, stat.blocks * 512);
		} catch {
			// replaced meanwhile
		}
	}
	return total;
}

test('a flood of output stays under about twice the log cap on disk, and the latest line is readable', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const cap = 64 * 1024;
	// ~4 MB of log records, then a marker, then more time for the engine to look at it.
	const script = `yes 'flood flood flood flood flood flood flood flood' | head -n 60000; echo LAST-LINE; sleep 0.5`;
	await engine.createContainer(shell(script, {name: 'flood', logSizeMax: cap}));
	const started = await engine.startContainer('flood');
	const userdata = path.dirname((await engine.inspectContainer('flood')).paths.log);
	let peak = 0;
	while ((await engine.getContainer('flood')).state === 'running') {
		peak = Math.max(peak, diskBytes(userdata));
		await sleep(20);
	}
	peak = Math.max(peak, diskBytes(userdata));
	const entries = await collect(engine, 'flood');
	peak = Math.max(peak, diskBytes(userdata));
	assert.ok(started.pid !== null);
	assert.ok(peak <= 2 * cap + 16 * 1024, `the log used ${peak} bytes on disk with a cap of ${cap}`);
	assert.equal(entries.at(-1)?.line, 'LAST-LINE', `the last entries: ${JSON.stringify(entries.slice(-2))}`);
	assert.ok(entries.length > 100, `only ${entries.length} entries survived: the previous generation is not kept`);
	assert.ok(entries.length < 60000, 'nothing was truncated');
	assert.ok(
		entries.slice(0, -1).every((e) => e.line === 'flood flood flood flood flood flood flood flood'),
		'a line came back mangled',
	);
});

test('with nobody reading, the newest output up to the cap survives as one unbroken tail (docs/architecture.md, Logs)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const cap = 64 * 1024;
	// 20,000 numbered lines (~110 KB of records per 1,000) while no c32 process touches the log.
	await engine.createContainer(shell('seq 1 20000', {name: 'unwatched', logSizeMax: cap}));
	await engine.startContainer('unwatched');
	assert.equal(await withTimeout(engine.waitContainer('unwatched'), 30_000, 'the flood to end'), 0);
	const numbers = (await collect(engine, 'unwatched')).map((e) => Number(e.line));
	assert.equal(numbers.at(-1), 20000, 'the newest line is kept');
	assert.ok(numbers.length > 500, `only ${numbers.length} lines survived`);
	assert.ok(
		numbers.every((n, i) => i === 0 || n === numbers[i - 1]! + 1),
		'the kept lines have a gap',
	);
	const userdata = path.dirname((await engine.inspectContainer('unwatched')).paths.log);
	assert.ok(diskBytes(userdata) <= 2 * cap + 16 * 1024, `the log used ${diskBytes(userdata)} bytes with a cap of ${cap}`);
});

test('follow keeps going across restarts and ends after the last run', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('echo "run at $(date +%s%N)"; sleep 0.2; exit 1', {name: 'phoenix', restartPolicy: 'on-failure:2'}));
	await engine.startContainer('phoenix');
	const got = await withTimeout(
		(async () => lines(await collect(engine, 'phoenix', {follow: true})))(),
		20_000,
		'follow across restarts to end',
	);
	const meta = await engine.getContainer('phoenix');
	assert.equal(meta.restartCount, 2);
	assert.equal(meta.state, 'exited');
	assert.equal(got.length, 3, `follow saw: ${JSON.stringify(got)}`);
	assert.ok(got.every((l) => l.startsWith('run at ')));
});

test('a merged follow interleaves two containers and goes on through the restarts of one', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('echo "phoenix run"; sleep 0.3; exit 1', {name: 'phoenix', restartPolicy: 'on-failure:2'}));
	await engine.createContainer(shell('i=0; while :; do i=$((i+1)); echo "steady $i"; sleep 0.2; done', {name: 'steady'}));
	await engine.startContainer('steady');
	await engine.startContainer('phoenix');
	const abort = new AbortController();
	const seen: {name: string; line: string; timestamp: string}[] = [];
	const reading = (async () => {
		for await (const entry of engine.getMergedLogs(['steady', 'phoenix'], {follow: true, signal: abort.signal})) seen.push(entry);
	})();
	await waitFor(async () => seen.filter((e) => e.line === 'phoenix run').length === 3, 20_000, 'three runs of phoenix');
	const meta = await engine.getContainer('phoenix');
	assert.equal(meta.restartCount, 2);
	// The ended one stays in; the other's lines keep coming after it.
	const count = seen.length;
	await waitFor(async () => seen.slice(count).some((e) => e.name === 'steady'), 10_000, 'steady after phoenix ended');
	abort.abort();
	await withTimeout(reading, 5000, 'the merged follow to end on abort');
	const steady = seen.filter((e) => e.name === 'steady').map((e) => Number(e.line.split(' ')[1]));
	assert.deepEqual(
		steady,
		Array.from({length: steady.length}, (_, i) => steady[0]! + i),
		'no steady line lost or reordered',
	);
	assert.ok(seen.every((e) => e.name === 'steady' || e.name === 'phoenix'));
	await engine.removeContainer('steady', {force: true});
});
