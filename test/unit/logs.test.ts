// The k8s-file log reader: parsing, partial lines, timestamps, since, tail, rotated
// generations and following, on log files written by the test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {
	followLog,
	LineAssembler,
	normalizeTimestamp,
	parseLogLine,
	parseSince,
	preserveLogGeneration,
	readLogEntries,
} from '../../engine/logs.js';
import type {LogEntry} from '../../engine/types.js';

function tempLog(t: {after(fn: () => void): void}): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-logs-unit-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return path.join(dir, 'ctr.log');
}

const rec = (ts: string, stream: 'stdout' | 'stderr', tag: 'F' | 'P', text: string) => `${ts} ${stream} ${tag} ${text}\n`;
const T = (second: number) => `2026-01-02T03:04:${String(second).padStart(2, '0')}.123456789+00:00`;

describe('parseLogLine', () => {
	test('full and partial records', () => {
		assert.deepEqual(parseLogLine('2026-01-02T03:04:05.000000001+01:00 stdout F hello world'), {
			timestamp: '2026-01-02T03:04:05.000000001+01:00',
			stream: 'stdout',
			partial: false,
			text: 'hello world',
		});
		assert.equal(parseLogLine(`${T(1)} stderr P part`)?.partial, true);
		assert.equal(parseLogLine(`${T(1)} stderr P part`)?.stream, 'stderr');
	});

	test('text keeps its own spaces; an empty line has empty text', () => {
		assert.equal(parseLogLine(`${T(1)} stdout F   spaced  out `)?.text, '  spaced  out ');
		assert.equal(parseLogLine(`${T(1)} stdout F`)?.text, '');
		assert.equal(parseLogLine(`${T(1)} stdout F `)?.text, '');
	});

	test('garbage is null', () => {
		for (const line of ['', 'nonsense', `${T(1)} stdin F x`, `${T(1)}`]) assert.equal(parseLogLine(line), null, line);
	});
});

describe('LineAssembler', () => {
	test("joins partial records per stream, with the first record's timestamp", () => {
		const a = new LineAssembler();
		const out: (LogEntry | null)[] = [];
		for (const line of [
			rec(T(1), 'stdout', 'P', 'hel'),
			rec(T(2), 'stderr', 'F', 'err'),
			rec(T(3), 'stdout', 'P', 'lo '),
			rec(T(4), 'stdout', 'F', 'world'),
		]) {
			out.push(a.push(parseLogLine(line.slice(0, -1))!));
		}
		assert.equal(out[0], null);
		assert.equal(out[1]?.line, 'err');
		assert.equal(out[2], null);
		assert.deepEqual(out[3], {timestamp: '2026-01-02T03:04:01.123456789Z', stream: 'stdout', line: 'hello world'});
	});

	test('flush returns output that ended without a newline', () => {
		const a = new LineAssembler();
		a.push(parseLogLine(`${T(1)} stdout P no newline`)!);
		assert.deepEqual(
			a.flush().map((e) => e.line),
			['no newline'],
		);
		assert.deepEqual(a.flush(), []);
	});
});

test('normalizeTimestamp: to UTC, nanoseconds kept', () => {
	assert.equal(normalizeTimestamp('2026-01-02T03:04:05.123456789+02:00'), '2026-01-02T01:04:05.123456789Z');
	assert.equal(normalizeTimestamp('2026-01-02T03:04:05Z'), '2026-01-02T03:04:05.000000000Z');
	assert.equal(normalizeTimestamp('2026-01-02T03:04:05.5-01:30'), '2026-01-02T04:34:05.500000000Z');
	assert.equal(normalizeTimestamp('not a time'), 'not a time');
});

test('parseSince: durations relative to now, ISO dates, and a clear error otherwise', () => {
	const now = Date.parse('2026-01-02T12:00:00Z');
	assert.equal(parseSince('30s', now), now - 30_000);
	assert.equal(parseSince('10m', now), now - 600_000);
	assert.equal(parseSince('2h', now), now - 7_200_000);
	assert.equal(parseSince('1d', now), now - 86_400_000);
	assert.equal(parseSince('1.5s', now), now - 1500);
	assert.equal(parseSince('250ms', now), now - 250);
	assert.equal(parseSince('2026-01-01T00:00:00Z', now), Date.parse('2026-01-01T00:00:00Z'));
	for (const bad of ['', 'banana', '10 minutes', '-5m', '5y']) {
		assert.throws(
			() => parseSince(bad, now),
			(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG',
			bad,
		);
	}
});

describe('readLogEntries', () => {
	test('stream, tail and since filters, in file order', (t) => {
		const log = tempLog(t);
		fs.writeFileSync(
			log,
			[rec(T(1), 'stdout', 'F', 'a'), rec(T(2), 'stderr', 'F', 'b'), rec(T(3), 'stdout', 'F', 'c'), rec(T(4), 'stdout', 'F', 'd')].join(''),
		);
		const lines = (o: Parameters<typeof readLogEntries>[1]) => readLogEntries(log, o).map((e) => e.line);
		assert.deepEqual(lines({}), ['a', 'b', 'c', 'd']);
		assert.deepEqual(lines({stream: 'stdout'}), ['a', 'c', 'd']);
		assert.deepEqual(lines({stream: 'stderr'}), ['b']);
		assert.deepEqual(lines({tail: 2}), ['c', 'd']);
		assert.deepEqual(lines({tail: 0}), []);
		assert.deepEqual(lines({stream: 'stdout', tail: 1}), ['d']);
		assert.deepEqual(lines({since: '2026-01-02T03:04:02.5Z'}), ['c', 'd']);
		assert.deepEqual(lines({since: '2026-01-02T03:04:02.123456789Z'}), ['b', 'c', 'd']);
	});

	test('the previous generation (.1) comes first; a missing log is empty', (t) => {
		const log = tempLog(t);
		assert.deepEqual(readLogEntries(log), []);
		fs.writeFileSync(`${log}.1`, rec(T(1), 'stdout', 'F', 'old'));
		fs.writeFileSync(log, rec(T(2), 'stdout', 'F', 'new'));
		assert.deepEqual(
			readLogEntries(log).map((e) => e.line),
			['old', 'new'],
		);
		assert.deepEqual(
			readLogEntries(log, {tail: 1}).map((e) => e.line),
			['new'],
		);
	});

	test('a truncated first record and a trailing partial line are handled', (t) => {
		const log = tempLog(t);
		fs.writeFileSync(log, `runcated junk\n${rec(T(1), 'stdout', 'F', 'whole')}${rec(T(2), 'stdout', 'P', 'tail')}`);
		assert.deepEqual(
			readLogEntries(log).map((e) => e.line),
			['whole', 'tail'],
		);
	});
});

test('preserveLogGeneration keeps the generation a truncating writer replaced as .1', (t) => {
	const log = tempLog(t);
	fs.writeFileSync(log, rec(T(1), 'stdout', 'F', 'first generation'));
	preserveLogGeneration(log);
	// The writer replaces the file (conmon 2.1: a new file renamed over the old one).
	fs.writeFileSync(`${log}.new`, rec(T(2), 'stdout', 'F', 'second generation'));
	fs.renameSync(`${log}.new`, log);
	preserveLogGeneration(log);
	assert.equal(fs.readFileSync(`${log}.1`, 'utf8'), rec(T(1), 'stdout', 'F', 'first generation'));
	assert.deepEqual(
		readLogEntries(log).map((e) => e.line),
		['first generation', 'second generation'],
	);
});

test('followLog yields existing then appended entries, and ends when not live and drained', async (t) => {
	const log = tempLog(t);
	fs.writeFileSync(log, rec(T(1), 'stdout', 'F', 'existing'));
	let live = true;
	const got: string[] = [];
	const follower = (async () => {
		for await (const e of followLog(log, {isLive: async () => live, pollMs: 10})) got.push(e.line);
	})();
	await new Promise((r) => setTimeout(r, 50));
	fs.appendFileSync(log, rec(T(2), 'stdout', 'P', 'app') + rec(T(2), 'stdout', 'F', 'ended'));
	await new Promise((r) => setTimeout(r, 50));
	fs.appendFileSync(log, rec(T(3), 'stderr', 'F', 'last'));
	live = false;
	await follower;
	assert.deepEqual(got, ['existing', 'appended', 'last']);
});

test('followLog started while the writer is halfway through a record loses nothing of it', async (t) => {
	const log = tempLog(t);
	const whole = rec(T(1), 'stdout', 'F', 'first');
	const cut = rec(T(2), 'stdout', 'F', 'second line, written in two parts');
	fs.writeFileSync(log, whole + cut.slice(0, -12));
	let live = true;
	const got: string[] = [];
	const follower = (async () => {
		for await (const e of followLog(log, {isLive: async () => live, pollMs: 10})) got.push(e.line);
	})();
	await new Promise((r) => setTimeout(r, 50));
	fs.appendFileSync(log, cut.slice(-12));
	live = false;
	await follower;
	assert.deepEqual(got, ['first', 'second line, written in two parts']);
});

test('followLog follows a log replaced by a new generation and stops on abort', async (t) => {
	const log = tempLog(t);
	fs.writeFileSync(log, rec(T(1), 'stdout', 'F', 'gen1'));
	const controller = new AbortController();
	const got: string[] = [];
	const follower = (async () => {
		for await (const e of followLog(log, {isLive: async () => true, pollMs: 10, signal: controller.signal, truncatingWriter: true}))
			got.push(e.line);
	})();
	await new Promise((r) => setTimeout(r, 40));
	fs.writeFileSync(`${log}.new`, rec(T(2), 'stdout', 'F', 'gen2'));
	fs.renameSync(`${log}.new`, log);
	await new Promise((r) => setTimeout(r, 60));
	controller.abort();
	await follower;
	assert.deepEqual(got, ['gen1', 'gen2']);
});
