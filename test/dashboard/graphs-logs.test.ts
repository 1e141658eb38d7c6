// Braille plots, the sample ring, the log buffer, scrolling and searching.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {brailleGraph, graphScale, niceCeil} from '../../components/model/braille.js';
import {GUTTER, graphPanel} from '../../components/model/graphs.js';
import {LogBuffer, MAX_LINE_LENGTH, sanitizeLine} from '../../components/model/log-buffer.js';
import {logLineSegments} from '../../components/model/log-lines.js';
import {
	FOLLOWING,
	findMatches,
	isCaseSensitive,
	logWindow,
	matchRanges,
	nextMatch,
	revealLine,
	scrollLog,
	scrollToTop,
	toggleFollow,
} from '../../components/model/log-view.js';
import {plain} from '../../components/model/segments.js';
import {Series} from '../../components/model/series.js';
import type {LogEntry} from '../../engine/index.js';

const BLANK = 0x2800;

function dots(char: string): number {
	const code = char.codePointAt(0)!;
	return char === ' ' ? 0 : code - BLANK;
}

describe('braille graph', () => {
	test('a full-scale sample fills its column; zero leaves it empty', () => {
		const rows = brailleGraph({values: [0, 10], width: 1, height: 2, max: 10, limit: null}).map(plain);
		// Left dot column empty, right dot column full in both rows.
		assert.equal(dots(rows[0]!), 0x08 | 0x10 | 0x20 | 0x80);
		assert.equal(dots(rows[1]!), 0x08 | 0x10 | 0x20 | 0x80);
	});

	test('levels count dots from the bottom, four per row', () => {
		const [top, bottom] = brailleGraph({values: [2.5, 5], width: 1, height: 2, max: 10, limit: null}).map(plain);
		// 2.5 of 10 over 8 dot rows = 2 dots in the left column; 5 = 4 dots in the right one.
		assert.equal(dots(top!), 0);
		assert.equal(dots(bottom!), 0x04 | 0x40 | 0x08 | 0x10 | 0x20 | 0x80);
	});

	test('any sample above zero shows at least one dot', () => {
		const [row] = brailleGraph({values: [0.001, 0], width: 1, height: 1, max: 100, limit: null}).map(plain);
		assert.equal(dots(row!), 0x40);
	});

	test('the newest samples are on the right; gaps stay empty', () => {
		const rows = brailleGraph({values: [5, Number.NaN, 5], width: 4, height: 1, max: 5, limit: null}).map(plain);
		assert.equal(rows[0]!.length, 4);
		assert.equal(rows[0]![0], ' ');
		assert.equal(rows[0]![1], ' ');
		assert.equal(dots(rows[0]![2]!), 0x08 | 0x10 | 0x20 | 0x80, 'sample 1 in the right column of cell 2');
		assert.equal(dots(rows[0]![3]!), 0x08 | 0x10 | 0x20 | 0x80, 'a gap in the left column, sample 3 in the right');
	});

	test('only the last 2×width samples are drawn', () => {
		const values = [...Array(100).fill(10), 0, 0];
		const rows = brailleGraph({values, width: 1, height: 1, max: 10, limit: null}).map(plain);
		assert.equal(rows[0], ' ');
	});

	test('the limit is a dotted line in its own tone; data over it is marked', () => {
		const rows = brailleGraph({values: [0, 0, 0, 0], width: 2, height: 2, max: 100, limit: 50});
		// 50 of 100 over 8 dot rows: the line sits on dot row 4 = top of the lower cell row.
		assert.equal(plain(rows[0]!), '  ');
		assert.deepEqual(rows[1], [{text: '⠁⠁', tone: 'limit'}]);
		const over = brailleGraph({values: [100, 100], width: 1, height: 2, max: 100, limit: 50});
		assert.equal(over[0]![0]!.tone, 'bad');
		assert.equal(
			brailleGraph({values: [10], width: 3, height: 2, max: 100, limit: 500})
				.flat()
				.some((segment) => segment.tone === 'limit'),
			false,
			'a limit above the scale is not drawn',
		);
	});

	test('every row is exactly the width', () => {
		const values = Array.from({length: 300}, (_, i) => (i * 7) % 130);
		for (const width of [1, 7, 80]) {
			for (const row of brailleGraph({values, width, height: 3, max: 130, limit: 100})) assert.equal(Array.from(plain(row)).length, width);
		}
		assert.deepEqual(brailleGraph({values, width: 0, height: 3, max: 1, limit: null}), []);
	});

	test('the scale is a round number above the peak and the limit', () => {
		assert.equal(niceCeil(7), 8);
		assert.equal(niceCeil(13), 15);
		assert.equal(niceCeil(21), 25);
		assert.equal(niceCeil(256), 300);
		assert.equal(niceCeil(100), 100);
		assert.equal(niceCeil(0), 1);
		assert.equal(graphScale([3, Number.NaN, 4], null, 10), 10);
		assert.equal(graphScale([3, 140], 100, 10), 150);
		assert.equal(graphScale([3], 180, 10), 200);
	});

	test('a panel has a titled line with now, peak, limit and time span, and a y axis', () => {
		const samples = [10, 20, 80, 40];
		const lines = graphPanel({kind: 'cpu', samples, limit: 50, width: 40, rows: 3, intervalMs: 1000}).map(plain);
		assert.equal(lines.length, 4);
		assert.match(lines[0]!, /^CPU 40% {2}peak 80% {2}limit 50% {2}\(100% = one core\) {2}last 4s$/);
		assert.match(lines[1]!, /^ {2}80%┤/);
		assert.match(lines[3]!, /^ {4}0┤/);
		for (const line of lines.slice(1)) assert.equal(Array.from(line).length, 40);
		const stopped = graphPanel({kind: 'mem', samples: [64, Number.NaN], limit: null, width: 40, rows: 2, intervalMs: 1000}).map(plain);
		assert.match(stopped[0]!, /^MEM not running {2}peak 64M {2}limit none/);
		assert.equal(GUTTER, 6);
	});
});

describe('series', () => {
	test('keeps the newest samples in order', () => {
		const series = new Series(3);
		assert.deepEqual(series.last(), []);
		assert.equal(series.latest(), null);
		for (const value of [1, 2, 3, 4, 5]) series.push(value);
		assert.deepEqual(series.last(), [3, 4, 5]);
		assert.deepEqual(series.last(2), [4, 5]);
		assert.deepEqual(series.last(10), [3, 4, 5]);
		assert.equal(series.latest(), 5);
		assert.equal(series.length, 3);
	});
});

function entries(count: number, from = 0, stream: 'stdout' | 'stderr' = 'stdout'): LogEntry[] {
	return Array.from({length: count}, (_, i) => ({timestamp: '2026-01-01T12:00:00.000Z', stream, line: `line ${from + i}`}));
}

describe('log buffer', () => {
	test('sanitises container output: no escapes, controls shown escaped, tabs expanded, long lines cut', () => {
		assert.equal(sanitizeLine('\x1b[31mred\x1b[0m plain'), 'red plain');
		assert.equal(sanitizeLine('title\x1b]0;evil\x07 after'), 'title after');
		assert.equal(sanitizeLine('a\x1b(Bb\x1bc'), 'ab');
		assert.equal(sanitizeLine('x\x1bPq#0;2;0;0;0\x1b\\y'), 'xy', 'a DCS (sixel) string goes whole');
		assert.equal(sanitizeLine('bell\x07 null\x00 del\x7f c1\x9b'), 'bell\\x07 null\\x00 del\\x7f c1\\x9b');
		assert.equal(sanitizeLine('abc\u202eevil'), 'abc\\u202eevil', 'a bidi override cannot reorder the pane');
		assert.equal(sanitizeLine('10%\r50%\r100%'), '100%');
		assert.equal(sanitizeLine('windows line\r'), 'windows line');
		assert.equal(sanitizeLine('a\tb'), 'a       b');
		assert.equal(sanitizeLine('x'.repeat(MAX_LINE_LENGTH + 50)).length, MAX_LINE_LENGTH);
	});

	test('keeps the newest lines up to its capacity, with stable sequence numbers', () => {
		const buffer = new LogBuffer(5);
		buffer.append(entries(3));
		assert.equal(buffer.length, 3);
		assert.equal(buffer.firstSeq, 0);
		buffer.append(entries(4, 3));
		assert.equal(buffer.length, 5);
		assert.equal(buffer.firstSeq, 2);
		assert.equal(buffer.nextSeq, 7);
		assert.equal(buffer.get(2)?.text, 'line 2');
		assert.equal(buffer.get(1), undefined);
		assert.deepEqual(
			buffer.range(0, 100).map((line) => line.text),
			['line 2', 'line 3', 'line 4', 'line 5', 'line 6'],
		);
		const version = buffer.version;
		buffer.append([]);
		assert.equal(buffer.version, version, 'an empty batch changes nothing');
	});

	test('a batch larger than the capacity keeps only its tail', () => {
		const buffer = new LogBuffer(10);
		buffer.append(entries(1000));
		assert.equal(buffer.length, 10);
		assert.equal(buffer.nextSeq, 1000);
		assert.equal(buffer.get(990)?.text, 'line 990');
	});

	test('clear keeps counting sequence numbers', () => {
		const buffer = new LogBuffer(4);
		buffer.append(entries(3));
		buffer.clear();
		assert.equal(buffer.length, 0);
		buffer.append(entries(1, 9));
		assert.equal(buffer.get(3)?.text, 'line 9');
	});
});

describe('log view', () => {
	function filled(count: number, capacity = 1000): LogBuffer {
		const buffer = new LogBuffer(capacity);
		buffer.append(entries(count));
		return buffer;
	}

	test('following shows the newest lines', () => {
		const buffer = filled(100);
		assert.deepEqual(logWindow(buffer, FOLLOWING, 10), {fromSeq: 90, toSeq: 100, newBelow: 0});
		assert.deepEqual(logWindow(filled(3), FOLLOWING, 10), {fromSeq: 0, toSeq: 3, newBelow: 0});
		assert.deepEqual(logWindow(new LogBuffer(5), FOLLOWING, 10), {fromSeq: 0, toSeq: 0, newBelow: 0});
	});

	test('scrolling back pauses following; the view stays put as lines arrive', () => {
		const buffer = filled(100);
		const view = scrollLog(buffer, FOLLOWING, 10, -5);
		assert.deepEqual(view, {follow: false, bottomSeq: 94});
		buffer.append(entries(7, 100));
		assert.deepEqual(logWindow(buffer, view, 10), {fromSeq: 85, toSeq: 95, newBelow: 12});
		assert.deepEqual(scrollLog(buffer, FOLLOWING, 10, 3), FOLLOWING, 'scrolling down while following changes nothing');
	});

	test('scrolling stops at the ends', () => {
		const buffer = filled(100);
		assert.deepEqual(scrollLog(buffer, FOLLOWING, 10, -1000), {follow: false, bottomSeq: 9});
		assert.deepEqual(scrollLog(buffer, {follow: false, bottomSeq: 50}, 10, 1000), {follow: false, bottomSeq: 99});
		assert.deepEqual(scrollToTop(buffer, 10), {follow: false, bottomSeq: 9});
	});

	test('a paused view whose lines were dropped moves to the oldest kept', () => {
		const buffer = filled(100, 50);
		assert.deepEqual(logWindow(buffer, {follow: false, bottomSeq: 10}, 10), {fromSeq: 50, toSeq: 60, newBelow: 40});
	});

	test('toggling follow freezes at the newest line and resumes', () => {
		const buffer = filled(20);
		const paused = toggleFollow(buffer, FOLLOWING);
		assert.deepEqual(paused, {follow: false, bottomSeq: 19});
		assert.deepEqual(toggleFollow(buffer, paused), FOLLOWING);
	});

	test('search is smart-case and finds every occurrence', () => {
		assert.equal(isCaseSensitive('error'), false);
		assert.equal(isCaseSensitive('Error'), true);
		assert.deepEqual(matchRanges('Error error ERROR', 'error'), [
			[0, 5],
			[6, 11],
			[12, 17],
		]);
		assert.deepEqual(matchRanges('Error error ERROR', 'Error'), [[0, 5]]);
		assert.deepEqual(matchRanges('aaaa', 'aa'), [
			[0, 2],
			[2, 4],
		]);
		assert.deepEqual(matchRanges('abc', ''), []);
		const buffer = filled(30);
		assert.deepEqual(findMatches(buffer, 'line 2'), [2, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
		assert.deepEqual(findMatches(buffer, ''), []);
	});

	test('n and N move to the next newer or older match, wrapping around', () => {
		const matches = [5, 10, 20];
		assert.equal(nextMatch(matches, null, 1), 5);
		assert.equal(nextMatch(matches, null, -1), 20);
		assert.equal(nextMatch(matches, 10, 1), 20);
		assert.equal(nextMatch(matches, 20, 1), 5);
		assert.equal(nextMatch(matches, 10, -1), 5);
		assert.equal(nextMatch(matches, 5, -1), 20);
		assert.equal(nextMatch(matches, 12, -1), 10);
		assert.equal(nextMatch([], 3, 1), null);
	});

	test('revealing a match centres it in the pane', () => {
		const buffer = filled(100);
		const view = revealLine(buffer, 50, 11);
		assert.deepEqual(logWindow(buffer, view, 11), {fromSeq: 45, toSeq: 56, newBelow: 44});
		assert.deepEqual(revealLine(buffer, 1, 11), {follow: false, bottomSeq: 10});
	});

	test('a log line marks stderr, shows the time when asked, and highlights matches', () => {
		const line = {seq: 1, timestamp: '2026-01-01T12:00:00.000Z', stream: 'stderr' as const, text: 'disk error: error 5'};
		const segments = logLineSegments(line, 'error', false, true);
		assert.equal(segments[0]!.text, '!');
		assert.match(plain(segments), /^! \d\d:\d\d:\d\d disk error: error 5$/);
		assert.deepEqual(
			segments.filter((segment) => segment.tone === 'match').map((segment) => segment.text),
			['error', 'error'],
		);
		const current = logLineSegments({...line, stream: 'stdout'}, 'disk', true, false);
		assert.equal(plain(current), '  disk error: error 5');
		assert.equal(current.find((segment) => segment.text === 'disk')?.tone, 'current-match');
		assert.equal(plain(logLineSegments({...line, text: ''}, '', false, false)), '! ');
	});
});
