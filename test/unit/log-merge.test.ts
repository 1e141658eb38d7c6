// Merging the logs of several containers: by time for what is recorded (ties, each
// container's own order, tail per container, since/until on real log files), and in
// arrival order for what a follow brings.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {type LogSource, mergeArrivals, mergeByTime, mergeLogs} from '../../engine/log-merge.js';
import {openFollow, readLogEntries} from '../../engine/logs.js';
import type {ContainerLogEntry, LogEntry} from '../../engine/types.js';

const at = (second: number, fraction = 0) => `2026-01-02T03:04:${String(second).padStart(2, '0')}.${String(fraction).padStart(9, '0')}Z`;
const entry = (second: number, line: string, stream: 'stdout' | 'stderr' = 'stdout', fraction = 0): LogEntry => ({
	timestamp: at(second, fraction),
	stream,
	line,
});
const source = (name: string, existing: LogEntry[], updates?: AsyncIterable<LogEntry>): LogSource => ({
	id: `${name}-id`,
	name,
	existing,
	...(updates ? {updates} : {}),
});
const shown = (entries: readonly ContainerLogEntry[]) => entries.map((e) => `${e.name}:${e.line}`);

describe('mergeByTime', () => {
	test('interleaves by timestamp and says which container wrote each line', () => {
		const merged = mergeByTime([
			source('a', [entry(1, 'a1'), entry(3, 'a3'), entry(5, 'a5')]),
			source('b', [entry(2, 'b2'), entry(4, 'b4', 'stderr')]),
			source('c', [entry(0, 'c0'), entry(6, 'c6')]),
		]);
		assert.deepEqual(shown(merged), ['c:c0', 'a:a1', 'b:b2', 'a:a3', 'b:b4', 'a:a5', 'c:c6']);
		assert.deepEqual(merged[4], {timestamp: at(4), stream: 'stderr', line: 'b4', id: 'b-id', name: 'b'});
	});

	test('nanoseconds order lines of the same second', () => {
		const merged = mergeByTime([
			source('a', [entry(1, 'a-late', 'stdout', 900_000_001)]),
			source('b', [entry(1, 'b-early', 'stdout', 900_000_000)]),
		]);
		assert.deepEqual(shown(merged), ['b:b-early', 'a:a-late']);
	});

	test('on equal timestamps the container given first goes first, and each keeps its own order', () => {
		const merged = mergeByTime([
			source('a', [entry(1, 'a-first'), entry(1, 'a-second')]),
			source('b', [entry(1, 'b-first'), entry(1, 'b-second')]),
		]);
		assert.deepEqual(shown(merged), ['a:a-first', 'a:a-second', 'b:b-first', 'b:b-second']);
	});

	test("a clock that stepped back never reorders one container's lines", () => {
		const merged = mergeByTime([source('a', [entry(5, 'a5'), entry(1, 'a1-after-step')]), source('b', [entry(3, 'b3')])]);
		assert.deepEqual(shown(merged), ['b:b3', 'a:a5', 'a:a1-after-step']);
	});

	test('empty sources and no sources', () => {
		assert.deepEqual(mergeByTime([]), []);
		assert.deepEqual(shown(mergeByTime([source('a', []), source('b', [entry(1, 'b1')]), source('c', [])])), ['b:b1']);
	});

	test('many sources: every line once, in time order', () => {
		const sources = Array.from({length: 9}, (_, s) =>
			source(
				`s${s}`,
				Array.from({length: 50}, (_, i) => entry(Math.floor((i * 9 + s) / 10) % 60, `${s}-${i}`, 'stdout', i * 9 + s)),
			),
		);
		const merged = mergeByTime(sources);
		assert.equal(merged.length, 450);
		for (let i = 1; i < merged.length; i++) assert.ok(merged[i - 1]!.timestamp <= merged[i]!.timestamp, `order at ${i}`);
		for (const s of sources) {
			assert.deepEqual(
				merged.filter((e) => e.name === s.name).map((e) => e.line),
				s.existing.map((e) => e.line),
			);
		}
	});
});

/** An iterable a test feeds by hand. */
function feed(): {iterable: AsyncIterable<LogEntry>; push(e: LogEntry): void; end(): void} {
	const queue: (LogEntry | null)[] = [];
	let wake: (() => void) | null = null;
	return {
		iterable: {
			async *[Symbol.asyncIterator]() {
				for (;;) {
					while (queue.length > 0) {
						const next = queue.shift()!;
						if (next === null) return;
						yield next;
					}
					await new Promise<void>((resolve) => {
						wake = resolve;
					});
				}
			},
		},
		push(e) {
			queue.push(e);
			wake?.();
		},
		end() {
			queue.push(null);
			wake?.();
		},
	};
}

describe('mergeArrivals', () => {
	test('yields lines in the order they arrive, not by their timestamps, and ends when all sources end', async () => {
		const a = feed();
		const b = feed();
		const out: string[] = [];
		const done = (async () => {
			for await (const e of mergeArrivals([source('a', [], a.iterable), source('b', [], b.iterable)])) out.push(`${e.name}:${e.line}`);
		})();
		b.push(entry(9, 'b-late-stamp'));
		await sleep(10);
		a.push(entry(1, 'a-early-stamp'));
		await sleep(10);
		a.end();
		await sleep(10);
		b.push(entry(10, 'b-after-a-ended'));
		b.end();
		await done;
		assert.deepEqual(out, ['b:b-late-stamp', 'a:a-early-stamp', 'b:b-after-a-ended']);
	});

	test('mergeLogs: the history merged by time first, then the arrivals', async () => {
		const a = feed();
		const out: string[] = [];
		const done = (async () => {
			for await (const e of mergeLogs([source('a', [entry(2, 'a2')], a.iterable), source('b', [entry(1, 'b1')])])) {
				out.push(`${e.name}:${e.line}`);
			}
		})();
		a.push(entry(0, 'a-new'));
		a.end();
		await done;
		assert.deepEqual(out, ['b:b1', 'a:a2', 'a:a-new']);
	});

	test('a consumer that stops early ends every source', async () => {
		let returned = 0;
		const endless = (name: string): AsyncIterable<LogEntry> => ({
			async *[Symbol.asyncIterator]() {
				try {
					for (let i = 0; ; i++) {
						await sleep(1);
						yield entry(i % 60, `${name}${i}`);
					}
				} finally {
					returned++;
				}
			},
		});
		let seen = 0;
		for await (const _ of mergeArrivals([source('a', [], endless('a')), source('b', [], endless('b'))])) if (++seen === 5) break;
		for (let i = 0; i < 100 && returned < 2; i++) await sleep(5);
		assert.equal(returned, 2);
	});
});

function logFile(t: {after(fn: () => void): void}, name: string, records: [number, 'stdout' | 'stderr', string][]): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-merge-unit-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, `${name}.log`);
	fs.writeFileSync(file, records.map(([second, stream, text]) => `${at(second)} ${stream} F ${text}\n`).join(''));
	return file;
}

describe('merging real log files', () => {
	test('tail counts per container, since and until bound the window', (t) => {
		const a = logFile(t, 'a', [
			[1, 'stdout', 'a1'],
			[3, 'stderr', 'a3'],
			[5, 'stdout', 'a5'],
			[7, 'stdout', 'a7'],
		]);
		const b = logFile(t, 'b', [
			[2, 'stdout', 'b2'],
			[4, 'stdout', 'b4'],
			[6, 'stderr', 'b6'],
		]);
		const merged = (options: Parameters<typeof readLogEntries>[1]) =>
			shown(mergeByTime([source('a', readLogEntries(a, options)), source('b', readLogEntries(b, options))]));
		assert.deepEqual(merged({}), ['a:a1', 'b:b2', 'a:a3', 'b:b4', 'a:a5', 'b:b6', 'a:a7']);
		assert.deepEqual(merged({tail: 1}), ['b:b6', 'a:a7']);
		assert.deepEqual(merged({tail: 2}), ['b:b4', 'a:a5', 'b:b6', 'a:a7']);
		assert.deepEqual(merged({since: at(3), until: at(5)}), ['a:a3', 'b:b4', 'a:a5']);
		assert.deepEqual(merged({until: at(2)}), ['a:a1', 'b:b2']);
		assert.deepEqual(merged({stream: 'stderr'}), ['a:a3', 'b:b6']);
		assert.deepEqual(merged({since: at(4), tail: 1}), ['b:b6', 'a:a7']);
	});

	test('an until already past ends a follow once the recorded lines are read', async (t) => {
		const a = logFile(t, 'a', [
			[1, 'stdout', 'a1'],
			[9, 'stdout', 'a9'],
		]);
		const {existing, updates} = openFollow(a, {until: at(5), isLive: async () => true, pollMs: 10});
		assert.deepEqual(
			existing.map((e) => e.line),
			['a1'],
		);
		const later: string[] = [];
		for await (const e of updates) later.push(e.line);
		assert.deepEqual(later, []);
	});

	test('an abort while the reader handles one entry ends the follow there, mid-read', async (t) => {
		const a = logFile(t, 'a', [[1, 'stdout', 'old']]);
		const controller = new AbortController();
		const {existing, updates} = openFollow(a, {tail: 0, isLive: async () => true, pollMs: 10, signal: controller.signal});
		assert.deepEqual(existing, []);
		fs.appendFileSync(a, Array.from({length: 10}, (_, i) => `${at(2)} stdout F new ${i}\n`).join(''));
		const got: string[] = [];
		for await (const e of updates) {
			got.push(e.line);
			controller.abort();
		}
		assert.deepEqual(got, ['new 0']);
	});

	test('a bad until is one clear error', () => {
		assert.throws(() => readLogEntries('/nonexistent', {until: 'soon'}), /invalid until "soon": use a duration/);
	});
});
