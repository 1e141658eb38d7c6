// Pure formatting, sorting, filtering, selection, columns, layout and header functions.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type CellContext, cellSegments, cpuFraction, headerSegments, rowSegments, uptimeText} from '../../components/model/cells.js';
import {COLUMNS, columnForKey, fitColumns, MARKER_WIDTH} from '../../components/model/columns.js';
import {detailsLines, exitText, limitsText, restartText} from '../../components/model/details.js';
import {
	bar,
	clockTime,
	fit,
	formatAge,
	formatBytes,
	formatDuration,
	formatInterval,
	formatMb,
	formatPercent,
	shortId,
} from '../../components/model/format.js';
import {countStates, headerLines} from '../../components/model/header.js';
import {computeLayout, DETAILS_LINES} from '../../components/model/layout.js';
import {type ContainerRow, stateLabel} from '../../components/model/row.js';
import {clipSegments, plain} from '../../components/model/segments.js';
import {moveSelection, resolveSelection, scrollOffset} from '../../components/model/selection.js';
import {matchesFilter, sortRows, visibleRows} from '../../components/model/sort.js';
import type {ContainerMetadata, ContainerMetrics} from '../../engine/index.js';
import {FakeEngine} from './fake-engine.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');

function meta(name: string, changes: Partial<ContainerMetadata> = {}): ContainerMetadata {
	return {
		id: `${name}-0123456789abcdef`,
		name,
		state: 'running',
		pid: 1,
		exitCode: null,
		oomKilled: false,
		errorMessage: null,
		image: `/srv/${name}`,
		isolationLevel: 'standard',
		runtime: 'runc',
		createdAt: new Date(NOW - 3_600_000).toISOString(),
		startedAt: new Date(NOW - 65_000).toISOString(),
		finishedAt: null,
		restartCount: 0,
		nextRestartAt: null,
		stopRequested: false,
		labels: {},
		...changes,
	};
}

function metrics(name: string, changes: Partial<ContainerMetrics> = {}): ContainerMetrics {
	return {
		id: `${name}-0123456789abcdef`,
		name,
		cpuPercent: 10,
		memoryMb: 64,
		memoryLimitMb: null,
		pids: 3,
		blockReadBytes: 0,
		blockWriteBytes: 0,
		timestamp: new Date(NOW).toISOString(),
		...changes,
	};
}

function row(
	name: string,
	metaChanges: Partial<ContainerMetadata> = {},
	sample: Partial<ContainerMetrics> | null = {},
	cpuLimitPercent: number | null = null,
): ContainerRow {
	return {meta: meta(name, metaChanges), metrics: sample ? metrics(name, sample) : null, cpuLimitPercent, address: null, pending: null};
}

const CTX: CellContext = {now: NOW, hostCpuCount: 4, hostMemoryMb: 16_384};

describe('format', () => {
	test('bytes are compact and binary', () => {
		assert.equal(formatBytes(0), '0B');
		assert.equal(formatBytes(512), '512B');
		assert.equal(formatBytes(1536), '1.5K');
		assert.equal(formatBytes(34 * 1024 * 1024), '34M');
		assert.equal(formatBytes(1023.9 * 1024), '1.0M', 'no "1024K"');
		assert.equal(formatBytes(1.1 * 1024 ** 3), '1.1G');
		assert.equal(formatBytes(-1), '-');
		assert.equal(formatMb(256), '256M');
	});

	test('percentages keep one decimal only when small', () => {
		assert.equal(formatPercent(0), '0%');
		assert.equal(formatPercent(3.46), '3.5%');
		assert.equal(formatPercent(37.4), '37%');
		assert.equal(formatPercent(240), '240%');
		assert.equal(formatPercent(Number.NaN), '-');
	});

	test('durations use two units at most, ages one', () => {
		assert.equal(formatDuration(45_000), '45s');
		assert.equal(formatDuration(192_000), '3m12s');
		assert.equal(formatDuration(2 * 3_600_000 + 5 * 60_000), '2h05m');
		assert.equal(formatDuration(3 * 86_400_000 + 4 * 3_600_000), '3d04h');
		assert.equal(formatDuration(-5), '0s');
		assert.equal(formatAge(59_000), '59s');
		assert.equal(formatAge(5 * 60_000 + 30_000), '5m');
		assert.equal(formatAge(3 * 3_600_000), '3h');
		assert.equal(formatAge(2 * 86_400_000), '2d');
	});

	test('intervals, ids, clock and fit', () => {
		assert.equal(formatInterval(1000), '1s');
		assert.equal(formatInterval(500), '0.5s');
		assert.equal(formatInterval(250), '0.25s');
		assert.equal(shortId('0123456789abcdef0123'), '0123456789ab');
		assert.match(clockTime(new Date(NOW).toISOString()), /^\d\d:\d\d:\d\d$/);
		assert.equal(clockTime('not a date'), '--:--:--');
		assert.equal(fit('abc', 5), 'abc  ');
		assert.equal(fit('abc', 5, 'right'), '  abc');
		assert.equal(fit('abcdef', 4), 'abc…');
		assert.equal(fit('abc', 0), '');
	});

	test('bars fill by eighths and flag values past the end', () => {
		assert.deepEqual(bar(0, 4), {filled: '', empty: '····', over: false});
		assert.deepEqual(bar(0.5, 4), {filled: '██', empty: '··', over: false});
		assert.deepEqual(bar(1 / 16, 2), {filled: '▏', empty: '·', over: false});
		assert.deepEqual(bar(1.5, 3), {filled: '███', empty: '', over: true});
		for (let i = 0; i <= 40; i++) {
			const b = bar(i / 40, 7);
			assert.equal(Array.from(b.filled).length + b.empty.length, 7, 'always exactly the width');
		}
	});
});

describe('rows and cells', () => {
	test('state labels: paused and OOM stand out, pending actions show progress', () => {
		assert.deepEqual(stateLabel({meta: meta('a'), pending: null}), {text: 'running', tone: 'ok', loud: false});
		assert.deepEqual(stateLabel({meta: meta('a', {state: 'paused'}), pending: null}), {text: 'paused', tone: 'warn', loud: true});
		assert.deepEqual(stateLabel({meta: meta('a', {state: 'exited', exitCode: 137, oomKilled: true}), pending: null}), {
			text: 'OOM',
			tone: 'bad',
			loud: true,
		});
		assert.equal(stateLabel({meta: meta('a', {state: 'exited', exitCode: 2}), pending: null}).tone, 'bad');
		assert.equal(stateLabel({meta: meta('a', {state: 'exited', exitCode: 0}), pending: null}).tone, 'muted');
		assert.deepEqual(stateLabel({meta: meta('a'), pending: 'stopping'}), {text: 'stopping…', tone: 'busy', loud: false});
	});

	test('uptime for running containers, exit code and age for ended ones', () => {
		assert.equal(uptimeText(row('a'), NOW), '1m05s');
		assert.equal(
			uptimeText(row('a', {state: 'exited', exitCode: 137, finishedAt: new Date(NOW - 300_000).toISOString()}), NOW),
			'(137) 5m ago',
		);
		assert.equal(uptimeText(row('a', {state: 'created', startedAt: null}), NOW), '-');
	});

	test('a restarting container says when it starts again; the state column says restarting', () => {
		const pending = {
			state: 'restarting' as const,
			exitCode: 1,
			finishedAt: new Date(NOW - 1000).toISOString(),
			nextRestartAt: new Date(NOW + 12_000).toISOString(),
		};
		assert.equal(uptimeText(row('a', pending), NOW), 'again in 12s');
		assert.equal(uptimeText(row('a', {...pending, nextRestartAt: new Date(NOW - 10).toISOString()}), NOW), 'again now');
		assert.deepEqual(stateLabel({meta: meta('a', pending), pending: null}), {text: 'restarting', tone: 'warn', loud: false});
		assert.deepEqual(stateLabel({meta: meta('a', {state: 'damaged'}), pending: null}), {text: 'damaged', tone: 'bad', loud: true});
	});

	test('the CPU bar measures against the limit, or all host cores without one', () => {
		assert.deepEqual(cpuFraction(row('a', {}, {cpuPercent: 25}, 50), CTX), {fraction: 0.5, limited: true});
		assert.deepEqual(cpuFraction(row('a', {}, {cpuPercent: 100}), CTX), {fraction: 0.25, limited: false});
	});

	test('cells have exactly their column width', () => {
		const layout = fitColumns(140);
		const samples = [
			row('a', {}, {cpuPercent: 250, memoryMb: 300, memoryLimitMb: 256, blockReadBytes: 5e9, blockWriteBytes: 12345}, 200),
			row('b', {state: 'exited', exitCode: 1, finishedAt: new Date(NOW - 99 * 86_400_000).toISOString(), restartCount: 12}, null),
			row('a-very-long-container-name-that-goes-on-and-on'),
		];
		for (const sample of samples) {
			for (const column of layout.columns) {
				const text = plain(cellSegments(column.id, column.width, sample, layout, CTX));
				assert.equal(Array.from(text).length, column.width, `${column.id} of ${sample.meta.name}: "${text}"`);
			}
			assert.equal(Array.from(plain(rowSegments(sample, layout, CTX, false))).length, layout.width);
		}
	});

	test('over the limit turns the bar red', () => {
		const layout = fitColumns(140);
		const segments = cellSegments('mem', 20, row('a', {}, {memoryMb: 300, memoryLimitMb: 256}), layout, CTX);
		assert.ok(segments.some((segment) => segment.tone === 'bad' && segment.text.includes('█')));
	});

	test('above a threshold the value is marked "!" and loud; a crash loop says so in the state and uptime', () => {
		const layout = fitColumns(140);
		const above = row('a', {}, {memoryMb: 600, aboveThresholds: [{metric: 'memory', value: 600, threshold: 500}]});
		const mem = cellSegments('mem', 20, above, layout, CTX)[0]!;
		assert.match(mem.text, /!600M/);
		assert.equal(mem.tone, 'bad');
		assert.doesNotMatch(plain(cellSegments('cpu', 20, above, layout, CTX)), /!/);
		const looping = row('l', {state: 'restarting', crashLoop: true, nextRestartAt: new Date(NOW + 30_000).toISOString()}, null);
		assert.deepEqual(stateLabel(looping), {text: 'crashloop', tone: 'bad', loud: true});
		assert.equal(uptimeText(looping, NOW), 'next in 30s');
	});

	test('the column titles mark the sort column and direction', () => {
		const layout = fitColumns(140);
		assert.match(plain(headerSegments(layout, {column: 'cpu', descending: true})), /CPU%▼/);
		assert.match(plain(headerSegments(layout, {column: 'name', descending: false})), /NAME▲/);
	});
});

describe('columns', () => {
	test('every width from 40 to 250 fits, and wider terminals show more', () => {
		let previous = 0;
		for (let width = 40; width <= 250; width++) {
			const layout = fitColumns(width);
			assert.ok(layout.width <= width, `${layout.width} <= ${width}`);
			assert.ok(layout.columns.length >= previous || layout.columns.length >= 7, `no columns lost at ${width}`);
			previous = layout.columns.length;
		}
	});

	test('80 columns keep name, state, cpu and memory with bars, pids and uptime', () => {
		const layout = fitColumns(80);
		assert.deepEqual(
			layout.columns.map((column) => column.id),
			['name', 'state', 'cpu', 'mem', 'pids', 'uptime'],
		);
		assert.ok(layout.barWidth >= 4);
		assert.ok(layout.columns[0]!.width >= 14);
	});

	test('wide terminals show every column (HEALTH when some container has a check)', () => {
		const layout = fitColumns(180, 'name', true);
		assert.equal(layout.columns.length, COLUMNS.length);
		assert.deepEqual(
			fitColumns(170, 'name', true).columns.map((column) => column.id),
			COLUMNS.map((column) => column.id).filter((id) => id !== 'ip'),
			'the IP column is the first to go',
		);
		assert.deepEqual(
			fitColumns(180).columns.map((column) => column.id),
			COLUMNS.map((column) => column.id).filter((id) => id !== 'health'),
			'no HEALTH column when no container has a check',
		);
		assert.equal(
			layout.width - MARKER_WIDTH - (layout.columns.length - 1),
			layout.columns.reduce((sum, column) => sum + column.width, 0),
		);
	});

	test('each column has its own sort key', () => {
		const keys = COLUMNS.map((column) => column.key);
		assert.equal(new Set(keys).size, keys.length);
		assert.equal(columnForKey('C'), 'cpu');
		assert.equal(columnForKey('T'), 'isolation');
		assert.equal(columnForKey('z'), null);
	});
});

describe('sorting, filtering and selection', () => {
	const rows = [
		row('web', {restartCount: 2}, {cpuPercent: 30, memoryMb: 100, pids: 9, blockReadBytes: 10}),
		row('api', {isolationLevel: 'strict', startedAt: new Date(NOW - 10_000).toISOString()}, {cpuPercent: 30, memoryMb: 300, pids: 2}),
		row('job', {state: 'exited', exitCode: 0, finishedAt: new Date(NOW - 5000).toISOString(), labels: {team: 'data'}}, null),
		row(
			'cron',
			{state: 'paused', isolationLevel: 'minimal', startedAt: new Date(NOW - 900_000).toISOString()},
			{cpuPercent: 0, memoryMb: 20},
		),
	];
	const names = (list: ContainerRow[]) => list.map((r) => r.meta.name);

	test('by each column, ties broken by name', () => {
		assert.deepEqual(names(sortRows(rows, {column: 'name', descending: false})), ['api', 'cron', 'job', 'web']);
		assert.deepEqual(names(sortRows(rows, {column: 'cpu', descending: true})), ['api', 'web', 'cron', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'mem', descending: true})), ['api', 'web', 'cron', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'pids', descending: true})), ['web', 'cron', 'api', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'state', descending: false})), ['api', 'web', 'cron', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'isolation', descending: true})), ['api', 'job', 'web', 'cron']);
		assert.deepEqual(names(sortRows(rows, {column: 'restarts', descending: true})), ['web', 'api', 'cron', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'uptime', descending: true})), ['cron', 'web', 'api', 'job']);
		assert.deepEqual(names(sortRows(rows, {column: 'io', descending: true})), ['web', 'api', 'cron', 'job']);
	});

	test('sorting does not change the input', () => {
		const copy = [...rows];
		sortRows(rows, {column: 'cpu', descending: true});
		assert.deepEqual(rows, copy);
	});

	test('the filter matches name, id, image, state, isolation, labels and OOM, ignoring case', () => {
		assert.deepEqual(names(visibleRows(rows, 'WE', {column: 'name', descending: false})), ['web']);
		assert.deepEqual(names(visibleRows(rows, 'team=data', {column: 'name', descending: false})), ['job']);
		assert.deepEqual(names(visibleRows(rows, 'paused', {column: 'name', descending: false})), ['cron']);
		assert.deepEqual(names(visibleRows(rows, 'strict', {column: 'name', descending: false})), ['api']);
		assert.deepEqual(names(visibleRows(rows, '/srv/j', {column: 'name', descending: false})), ['job']);
		assert.ok(matchesFilter(row('x', {state: 'exited', oomKilled: true}), 'oom'));
		assert.equal(visibleRows(rows, '  ', {column: 'name', descending: false}).length, 4);
	});

	test('stack:NAME keeps the containers of that stack only, by its label, exactly', () => {
		const stacked = [
			row('demo-web-1', {labels: {'c32.stack': 'demo'}}),
			row('demo2-web-1', {labels: {'c32.stack': 'demo2'}}),
			row('demo-loose', {labels: {}}),
		];
		assert.deepEqual(names(visibleRows(stacked, 'stack:demo', {column: 'name', descending: false})), ['demo-web-1']);
		assert.deepEqual(names(visibleRows(stacked, 'Stack: DEMO2', {column: 'name', descending: false})), ['demo2-web-1']);
		assert.deepEqual(names(visibleRows(stacked, 'stack:nope', {column: 'name', descending: false})), []);
	});

	test('the selection follows its id, else stays at its index', () => {
		assert.deepEqual(resolveSelection(['a', 'b', 'c'], 'c', 0), {id: 'c', index: 2});
		assert.deepEqual(resolveSelection(['a', 'c'], 'b', 1), {id: 'c', index: 1});
		assert.deepEqual(resolveSelection(['a'], 'b', 5), {id: 'a', index: 0});
		assert.deepEqual(resolveSelection([], 'b', 1), {id: null, index: 0});
		assert.deepEqual(resolveSelection(['a', 'b'], null, 0), {id: 'a', index: 0});
		assert.deepEqual(moveSelection(['a', 'b', 'c'], {id: 'a', index: 0}, 5), {id: 'c', index: 2});
		assert.deepEqual(moveSelection(['a', 'b', 'c'], {id: 'b', index: 1}, -9), {id: 'a', index: 0});
	});

	test('the table scrolls only as far as needed to show the selection', () => {
		assert.equal(scrollOffset(0, 0, 5, 3), 0);
		assert.equal(scrollOffset(4, 0, 5, 50), 0);
		assert.equal(scrollOffset(5, 0, 5, 50), 1);
		assert.equal(scrollOffset(3, 10, 5, 50), 3);
		assert.equal(scrollOffset(49, 0, 5, 50), 45);
		assert.equal(scrollOffset(10, 48, 5, 20), 10, 'clamped when the list shrank');
	});
});

describe('layout', () => {
	const base = {containerCount: 10, showGraphs: true, showDetails: false, logFullscreen: false};
	const total = (layout: ReturnType<typeof computeLayout>) =>
		layout.headerLines +
		1 +
		layout.tableRows +
		layout.detailsLines +
		(layout.graphRows ? 2 * (layout.graphRows + 1) : 0) +
		(layout.logRows ? layout.logRows + 1 : 0) +
		1;

	test('the panes fill the terminal exactly, at every size from 40×10 to 250×80', () => {
		for (let rows = 10; rows <= 80; rows++) {
			for (const columns of [40, 80, 120, 250]) {
				for (const showDetails of [false, true]) {
					for (const containerCount of [0, 3, 50]) {
						const layout = computeLayout({...base, columns, rows, showDetails, containerCount});
						assert.equal(layout.tooSmall, false);
						assert.ok(total(layout) <= rows, `${columns}×${rows}: ${total(layout)} rows used`);
						if (layout.logRows > 0) assert.equal(total(layout), rows, `${columns}×${rows} fills the screen`);
						assert.ok(layout.tableRows >= Math.min(Math.max(containerCount, 1), 3), 'at least three rows of the table');
					}
				}
			}
		}
	});

	test('80×24 shows table, graphs and logs; details squeeze the graphs out', () => {
		const layout = computeLayout({...base, columns: 80, rows: 24, containerCount: 5});
		assert.equal(layout.tableRows, 5);
		assert.ok(layout.graphRows >= 2);
		assert.ok(layout.logRows >= 3);
		const details = computeLayout({...base, columns: 80, rows: 24, containerCount: 5, showDetails: true});
		assert.equal(details.detailsLines, DETAILS_LINES);
		assert.equal(details.graphRows, 0);
	});

	test('small terminals lose graphs, then logs; too small says so', () => {
		const short = computeLayout({...base, columns: 100, rows: 14});
		assert.equal(short.graphRows, 0);
		assert.equal(short.headerLines, 1);
		const narrow = computeLayout({...base, columns: 45, rows: 40});
		assert.equal(narrow.graphRows, 0, 'no graphs under 50 columns');
		assert.equal(computeLayout({...base, columns: 39, rows: 24}).tooSmall, true);
		assert.equal(computeLayout({...base, columns: 80, rows: 9}).tooSmall, true);
	});

	test('tall terminals give graphs and logs the room', () => {
		const layout = computeLayout({...base, columns: 200, rows: 60});
		assert.equal(layout.graphRows, 6);
		assert.ok(layout.logRows > 20);
	});

	test('full-screen logs take everything but the header and status lines', () => {
		const layout = computeLayout({...base, columns: 80, rows: 24, logFullscreen: true});
		assert.equal(layout.headerLines, 1);
		assert.equal(layout.logRows, 21);
		assert.equal(layout.tableRows, 0);
	});
});

describe('header and details', () => {
	test('counts by state', () => {
		const list = [
			meta('a'),
			meta('b', {state: 'paused'}),
			meta('c', {state: 'exited'}),
			meta('d', {state: 'failed'}),
			meta('e', {state: 'created'}),
		];
		assert.deepEqual(countStates(list), {running: 1, paused: 1, exited: 2, created: 1, total: 5});
	});

	test('one line when short, two when there is room, host first', () => {
		const input = {
			host: {cpuCount: 2, cpuPercent: 50, memoryTotalMb: 1024, memoryUsedMb: 512, loadAverage: [1, 0.5, 0.25] as [number, number, number]},
			containers: [meta('a')],
			runtime: 'runc 1.1.5',
			intervalMs: 1000,
			at: NOW,
			width: 120,
		};
		const two = headerLines(input, 2).map(plain);
		assert.equal(two.length, 2);
		assert.match(two[0]!, /cpu 50%\/200% .*mem 512M\/1\.0G .*load 1\.00 0\.50 0\.25/);
		assert.match(two[1]!, /1 container: 1 running · 0 paused · 0 exited +runtime runc 1\.1\.5 +every 1s/);
		const one = headerLines({...input, width: 80}, 1).map(plain);
		assert.equal(one.length, 1);
		assert.match(one[0]!, /1 container:/);
		assert.match(plain(headerLines({...input, host: null, runtime: null}, 2)[0]!), /host …/);
		for (const width of [40, 60, 80, 100]) {
			const narrow = headerLines({...input, width, runtime: 'runc 1.1.5+ds1'}, 2).map(plain);
			for (const line of narrow) assert.ok(line.length <= width, `"${line}" fits ${width}`);
			if (width >= 60) assert.match(narrow[1]!, /every 1s/, 'the interval is the last thing to go');
		}
		const seventy = plain(headerLines({...input, width: 70}, 2)[1]!);
		assert.match(seventy, /every 1s/);
		assert.doesNotMatch(seventy, /runtime/, 'what does not fit is left out');
		assert.equal(plain(headerLines({...input, width: 40}, 2)[1]!), '1 container: 1 running · 0 exited', 'a zero paused count goes first');
	});

	test('details list image, command, limits, volumes, restart policy, exit and error', async () => {
		const engine = new FakeEngine();
		const container = engine.add({
			name: 'w',
			cpuLimitPercent: 50,
			memoryLimitMb: 128,
			state: 'exited',
			exitCode: 137,
			oomKilled: true,
			errorMessage: 'killed by the OOM killer',
		});
		container.config.args = ['--name', 'two words'];
		container.config.volumes = [{source: '/data', destination: '/data', readOnly: true}];
		container.config.restartPolicy = {name: 'on-failure', maxRetries: 3};
		container.meta.restartCount = 1;
		const info = await engine.inspectContainer('w');
		const text = detailsLines(container.meta, info, NOW, 10).map(plain).join('\n');
		assert.match(text, /image \/srv\/w\.py/);
		assert.match(text, /command python3 --name 'two words'/);
		assert.match(text, /limits cpu 50% · mem 128M/);
		assert.match(text, /volumes \/data:\/data:ro/);
		assert.match(text, /restart on-failure:3 \(1 restart\)/);
		assert.match(text, /exit 137 \(OOM-killed\)/);
		assert.match(text, /error killed by the OOM killer/);
		assert.equal(detailsLines(container.meta, info, NOW, 2).length, 2);
		assert.equal(plain(detailsLines(container.meta, null, NOW, 5)[0]!), 'loading…');
		const damaged = {
			...container.meta,
			state: 'damaged' as const,
			errorMessage: 'the state file /s/state.json is empty: remove the container with c32 rm -f abc',
		};
		assert.match(
			plain(detailsLines(damaged, null, NOW, 5)[0]!),
			/^error the state file \/s\/state.json is empty: remove the container with c32 rm -f abc/,
		);
		assert.equal(
			limitsText({...info, config: {...info.config, resourceLimits: {maxProcesses: 10}}}),
			'cpu unlimited · mem unlimited · pids 10',
		);
		assert.equal(
			restartText({...info, restartCount: 0, config: {...info.config, restartPolicy: {name: 'always', maxRetries: 0}}}),
			'always (0 restarts)',
		);
		assert.equal(exitText(meta('x')), '-');
	});

	test('segments clip to a width and pad the rest', () => {
		assert.equal(plain(clipSegments([{text: 'abc'}, {text: 'def'}], 4)), 'abcd');
		assert.equal(plain(clipSegments([{text: 'ab'}], 4)), 'ab  ');
		assert.equal(plain(clipSegments([{text: 'ab'}], 4, false)), 'ab');
	});
});
