// The per-tick shortcuts that keep 1000 containers cheap: each must give what the long way gives.
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {describe, test} from 'node:test';
import {LineSlots} from '../../components/line-slots.js';
import type {ContainerRow} from '../../components/model/row.js';
import type {Segment} from '../../components/model/segments.js';
import {compareRows, type SortOrder, sortRows, sortRowsFrom} from '../../components/model/sort.js';
import {keepListed, sameRun} from '../../components/store/dashboard-store.js';
import {sameSegments} from '../../components/views/Line.js';
import type {ContainerMetadata} from '../../engine/index.js';

const STARTED = '2026-01-01T12:00:00.000Z';

function meta(name: string, changes: Partial<ContainerMetadata> = {}): ContainerMetadata {
	return {
		id: `${name}-id`,
		name,
		state: 'running',
		pid: 1,
		exitCode: null,
		oomKilled: false,
		errorMessage: null,
		image: `/srv/${name}`,
		isolationLevel: 'standard',
		runtime: 'runc',
		createdAt: STARTED,
		startedAt: STARTED,
		finishedAt: null,
		restartCount: 0,
		nextRestartAt: null,
		stopRequested: false,
		labels: {},
		...changes,
	};
}

function row(name: string, cpuPercent: number): ContainerRow {
	return {
		meta: meta(name),
		metrics: {
			id: `${name}-id`,
			name,
			cpuPercent,
			memoryMb: 64,
			memoryLimitMb: null,
			pids: 1,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			timestamp: STARTED,
		},
		cpuLimitPercent: null,
		address: null,
		pending: null,
	};
}

const names = (rows: readonly ContainerRow[]) => rows.map((r) => r.meta.name);
const byCpu: SortOrder = {column: 'cpu', descending: true};
const byName: SortOrder = {column: 'name', descending: false};

describe('sorting from the previous order', () => {
	test('a tick that changed no sort key reuses the order, with the new rows', () => {
		const first = sortRowsFrom(null, [row('b', 1), row('a', 2), row('c', 3)], byName);
		assert.deepEqual(names(first.rows), ['a', 'b', 'c']);
		const fresh = [row('b', 9), row('a', 8), row('c', 7)];
		const next = sortRowsFrom(first, fresh, byName);
		assert.equal(next.permutation, first.permutation, 'not sorted again');
		assert.deepEqual(names(next.rows), ['a', 'b', 'c']);
		assert.equal(next.rows[0], fresh[1], 'the rows of this tick, not the old ones');
	});

	test('a changed key, another order or other rows sort again', () => {
		const first = sortRowsFrom(null, [row('a', 1), row('b', 2)], byCpu);
		assert.deepEqual(names(first.rows), ['b', 'a']);
		const changed = sortRowsFrom(first, [row('a', 5), row('b', 2)], byCpu);
		assert.deepEqual(names(changed.rows), ['a', 'b']);
		const reversed = sortRowsFrom(changed, [row('a', 5), row('b', 2)], {column: 'cpu', descending: false});
		assert.deepEqual(names(reversed.rows), ['b', 'a']);
		const more = sortRowsFrom(reversed, [row('a', 5), row('b', 2), row('c', 3)], {column: 'cpu', descending: false});
		assert.deepEqual(names(more.rows), ['b', 'c', 'a']);
	});

	test('over many random ticks it always gives what a full sort gives', () => {
		let seed = 7;
		const random = () => {
			seed = (seed * 1103515245 + 12345) % 2147483648;
			return seed / 2147483648;
		};
		let rows = Array.from({length: 300}, (_, i) => row(`w-${i}`, Math.floor(random() * 20)));
		let previous = null;
		for (let tick = 0; tick < 200; tick++) {
			const order: SortOrder = tick % 50 < 25 ? byCpu : byName;
			// Some ticks change nothing, some a few values (ties included), some drop a row.
			if (tick % 3 === 1) rows = rows.map((r) => (random() < 0.05 ? row(r.meta.name, Math.floor(random() * 20)) : r));
			if (tick % 17 === 0) rows = rows.filter((_, i) => i !== tick % rows.length);
			previous = sortRowsFrom(previous, rows, order);
			const expected = [...rows].sort((a, b) => compareRows(a, b, order));
			assert.deepEqual(names(previous.rows), names(expected), `tick ${tick}`);
			assert.deepEqual(names(sortRows(rows, order)), names(expected));
		}
	});
});

describe('what a tick keeps', () => {
	test('the inspected configs stay the same map while every container is listed', () => {
		const infos = new Map([
			['a', 1],
			['b', 2],
		]);
		assert.equal(keepListed(infos, [meta('x', {id: 'a'}), meta('y', {id: 'b'}), meta('z', {id: 'c'})]), infos);
		const kept = keepListed(infos, [meta('x', {id: 'b'})]);
		assert.notEqual(kept, infos);
		assert.deepEqual([...kept], [['b', 2]]);
		assert.equal(infos.size, 2, 'the old map is left as it was');
	});

	test('a run is the same until the container starts again or ends', () => {
		const running = meta('a');
		assert.equal(sameRun(running, {...running, restartCount: 3}), true);
		assert.equal(sameRun(running, {...running, startedAt: '2026-01-01T13:00:00.000Z'}), false, 'started again');
		assert.equal(sameRun(running, {...running, state: 'exited'}), false, 'ended');
		assert.equal(sameRun(running, {...running, state: 'paused'}), true, 'paused is still the run');
		assert.equal(sameRun(meta('b', {startedAt: null, state: 'created'}), meta('b', {startedAt: null, state: 'created'})), true);
	});

	test('a line is redrawn only when a segment differs', () => {
		const line: Segment[] = [{text: 'web', tone: 'ok'}, {text: ' 3%'}];
		assert.equal(
			sameSegments(line, [
				{text: 'web', tone: 'ok'},
				{text: ' 3%', bold: false},
			]),
			true,
			'no bold is no bold',
		);
		assert.equal(sameSegments(line, [{text: 'web', tone: 'bad'}, {text: ' 3%'}]), false, 'tone');
		assert.equal(sameSegments(line, [{text: 'web', tone: 'ok'}, {text: ' 4%'}]), false, 'text');
		assert.equal(sameSegments(line, [{text: 'web', tone: 'ok', selected: true}, {text: ' 3%'}]), false, 'selected');
		assert.equal(sameSegments(line, [{text: 'web', tone: 'ok'}]), false, 'length');
	});
});

describe('line slots', () => {
	test('each Line stands in the frame as one character; fill puts the lines back and starts afresh', () => {
		const slots = new LineSlots();
		const a = slots.put('\u001b[1mheader\u001b[22m');
		const b = slots.put('  web   running');
		assert.equal(a.length, 1);
		assert.notEqual(a, b);
		assert.equal(slots.fill(`${a}\n${b}\nTerminal too small`), '\u001b[1mheader\u001b[22m\n  web   running\nTerminal too small');
		// The next frame numbers its slots from the start again; rows that are no slot stay.
		assert.equal(slots.put('next'), a);
		assert.equal(slots.fill(`${a}\nab\n\n\u{E123}`), 'next\nab\n\n\u{E123}');
		assert.equal(slots.fill('plain'), 'plain', 'a frame without slots is left as it is');
	});

	test('the dashboard in a terminal writes the lines, not the slots', async () => {
		const {ScreenWriter} = await import('../../components/screen.js');
		const written: string[] = [];
		const out = Object.assign(new EventEmitter(), {columns: 40, rows: 5, write: (data: string) => written.push(data) > 0});
		const slots = new LineSlots();
		const screen = new ScreenWriter(out as unknown as NodeJS.WriteStream, {slots});
		screen.enter();
		screen.write(`${slots.put('first line')}\n${slots.put('second line')}\n`);
		const shown = written.join('');
		assert.match(shown, /first line/);
		assert.match(shown, /second line/);
		assert.doesNotMatch(shown, /[\uE000-\uF8FF]/);
		screen.leave();
	});
});
