// The key reducer on its own, input splitting, and preferences kept with conf.
import assert from 'node:assert/strict';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, describe, test} from 'node:test';
import {COLUMNS} from '../../components/model/columns.js';
import {HELP} from '../../components/model/help.js';
import {LogBuffer} from '../../components/model/log-buffer.js';
import {FOLLOWING} from '../../components/model/log-view.js';
import {handleKey, initialUiState, type KeyContext, splitInput, type UiState} from '../../components/model/ui-state.js';
import {clampInterval, configDir, DEFAULT_PREFS, openPrefs, sanitizePrefs, stepInterval} from '../../components/prefs.js';
import type {ContainerMetadata, LogEntry} from '../../engine/index.js';

function container(name: string, state: ContainerMetadata['state'] = 'running'): ContainerMetadata {
	return {
		id: `${name}-id`,
		name,
		state,
		pid: null,
		exitCode: null,
		oomKilled: false,
		errorMessage: null,
		image: null,
		isolationLevel: 'standard',
		runtime: 'runc',
		createdAt: '2026-01-01T00:00:00Z',
		startedAt: null,
		finishedAt: null,
		restartCount: 0,
		nextRestartAt: null,
		stopRequested: false,
		labels: {},
	};
}

function context(rows: ContainerMetadata[], lines = 0): KeyContext {
	const logBuffer = new LogBuffer(100);
	logBuffer.append(
		Array.from(
			{length: lines},
			(_, i): LogEntry => ({timestamp: '2026-01-01T00:00:00Z', stream: 'stdout', line: i % 5 === 0 ? `match ${i}` : `line ${i}`}),
		),
	);
	return {rows, tableRows: 5, logRows: 4, logBuffer, logsVisible: true};
}

const start = (): UiState =>
	initialUiState({sort: {column: 'cpu', descending: true}, showGraphs: true, showDetails: false, intervalMs: 1000});

function keys(
	state: UiState,
	ctx: KeyContext,
	...inputs: (string | [string, Record<string, boolean>])[]
): {state: UiState; effects: unknown[]} {
	const effects: unknown[] = [];
	for (const input of inputs) {
		const [text, key] = typeof input === 'string' ? [input, {}] : input;
		const result = handleKey(state, text, key, ctx);
		state = result.state;
		effects.push(...result.effects);
	}
	return {state, effects};
}

describe('key reducer', () => {
	const rows = [container('a'), container('b', 'paused'), container('c', 'exited')];

	test('actions go to the selected container; p picks pause or resume', () => {
		const ctx = context(rows);
		assert.deepEqual(keys(start(), ctx, 's').effects, [{type: 'action', verb: 'start', id: 'a-id', name: 'a', force: false}]);
		assert.deepEqual(keys(start(), ctx, 'x').effects, [{type: 'action', verb: 'stop', id: 'a-id', name: 'a', force: false}]);
		assert.deepEqual(keys(start(), ctx, 'r').effects, [{type: 'action', verb: 'restart', id: 'a-id', name: 'a', force: false}]);
		assert.deepEqual(keys(start(), ctx, 'p').effects, [{type: 'action', verb: 'pause', id: 'a-id', name: 'a', force: false}]);
		assert.deepEqual(keys(start(), ctx, 'j', 'p').effects, [{type: 'action', verb: 'resume', id: 'b-id', name: 'b', force: false}]);
	});

	test('remove asks first; only y confirms; force only for a live container', () => {
		const ctx = context(rows);
		const asked = keys(start(), ctx, 'd');
		assert.equal(asked.state.mode, 'confirm');
		assert.deepEqual(asked.effects, []);
		assert.deepEqual(keys(asked.state, ctx, 'y').effects, [{type: 'action', verb: 'remove', id: 'a-id', name: 'a', force: true}]);
		const kept = keys(asked.state, ctx, 'x');
		assert.deepEqual(kept.effects, [], 'any other key cancels, even an action key');
		assert.equal(kept.state.mode, 'normal');
		assert.deepEqual(keys(start(), ctx, 'j', 'j', 'd', 'Y').effects, [
			{type: 'action', verb: 'remove', id: 'c-id', name: 'c', force: false},
		]);
	});

	test('with nothing selected an action says so', () => {
		const {state, effects} = keys(start(), context([]), 'x');
		assert.deepEqual(effects, []);
		assert.equal(state.status?.text, 'No container selected');
	});

	test('sort keys, reverse, < and >', () => {
		const ctx = context(rows);
		assert.deepEqual(keys(start(), ctx, 'N').state.sort, {column: 'name', descending: false});
		assert.deepEqual(keys(start(), ctx, 'C').state.sort, {column: 'cpu', descending: false}, 'the same column reverses');
		assert.deepEqual(keys(start(), ctx, '>').state.sort, {column: 'mem', descending: true});
		assert.deepEqual(keys(start(), ctx, '<', '<', '<', '<', '<').state.sort, {column: 'ip', descending: false}, 'wraps around');
		assert.deepEqual(keys(start(), ctx, 'N').effects, [{type: 'save-prefs'}]);
	});

	test('focus, full-screen logs and Escape', () => {
		const ctx = context(rows, 50);
		let state = keys(start(), ctx, ['', {tab: true}]).state;
		assert.equal(state.focus, 'logs');
		state = keys(state, ctx, 'k').state;
		assert.equal(state.logView.follow, false);
		assert.equal(keys(state, ctx, ['', {escape: true}]).state.focus, 'table');
		state = keys(start(), ctx, 'l').state;
		assert.equal(state.logFullscreen, true);
		assert.equal(state.focus, 'logs');
		assert.equal(keys(state, ctx, ['', {tab: true}]).state.focus, 'logs', 'Tab stays on the log in full-screen');
		state = keys(state, ctx, ['', {escape: true}]).state;
		assert.equal(state.logFullscreen, false);
		assert.equal(state.focus, 'table');
		const noRoom = keys(start(), {...ctx, logsVisible: false}, ['', {tab: true}]).state;
		assert.equal(noRoom.focus, 'table');
		assert.match(noRoom.status?.text ?? '', /press l/);
	});

	test('Escape clears the filter, then the search', () => {
		const ctx = context(rows, 50);
		let state = keys(start(), ctx, '/', 'a', ['', {return: true}]).state;
		assert.equal(state.filter, 'a');
		state = keys(state, ctx, ['', {tab: true}], '/', 'm', ['', {return: true}], ['', {tab: true}]).state;
		assert.equal(state.search, 'm');
		state = keys(state, ctx, ['', {escape: true}]).state;
		assert.equal(state.filter, '');
		assert.equal(state.search, 'm');
		state = keys(state, ctx, ['', {escape: true}]).state;
		assert.equal(state.search, '');
	});

	test('searching jumps to the newest match at or above the view, then n/N walk', () => {
		const ctx = context(rows, 50);
		let state = keys(start(), ctx, ['', {tab: true}], '/', 'm', 'a', 't', ['', {backspace: true}], 't', 'c', 'h', [
			'',
			{return: true},
		]).state;
		assert.equal(state.search, 'match');
		assert.equal(state.currentMatch, 45);
		state = keys(state, ctx, 'N').state;
		assert.equal(state.currentMatch, 40);
		state = keys(state, ctx, 'n', 'n').state;
		assert.equal(state.currentMatch, 0, 'wrapped past the newest');
		assert.equal(state.logView.follow, false);
		const none = keys(start(), context(rows, 0), ['', {tab: true}], 'n').state;
		assert.match(none.status?.text ?? '', /No search/);
	});

	test('+ and - ask for a new interval; q quits; Ctrl-C quits from any mode', () => {
		const ctx = context(rows);
		assert.deepEqual(keys(start(), ctx, '+').effects, [{type: 'interval', direction: 1}]);
		assert.deepEqual(keys(start(), ctx, '-').effects, [{type: 'interval', direction: -1}]);
		assert.deepEqual(keys(start(), ctx, 'q').effects, [{type: 'quit'}]);
		for (const mode of ['/', '?', 'd']) {
			assert.deepEqual(keys(start(), ctx, mode, ['c', {ctrl: true}]).effects.at(-1), {type: 'quit'}, `Ctrl-C after ${mode}`);
		}
	});

	test('typing a filter ignores control keys; arrows still move the selection', () => {
		const ctx = context(rows);
		const {state} = keys(start(), ctx, '/', 'a', ['', {upArrow: true}], ['', {downArrow: true}], ['x', {ctrl: true}]);
		assert.equal(state.filter, 'a');
		assert.equal(state.selection.id, 'b-id');
	});

	test('moving the selection resets the log view to following', () => {
		const ctx = context(rows, 50);
		let state = keys(start(), ctx, ['', {tab: true}], 'k', ['', {tab: true}]).state;
		assert.equal(state.logView.follow, false);
		state = keys(state, ctx, 'j').state;
		assert.deepEqual(state.logView, FOLLOWING);
	});

	test('pasted text and fast typing arrive as one chunk and are split into keys', () => {
		assert.deepEqual(splitInput('jk', {}), [
			['j', {}],
			['k', {}],
		]);
		assert.deepEqual(splitInput('/ab\r', {}), [
			['/', {}],
			['a', {}],
			['b', {}],
			['', {return: true}],
		]);
		assert.deepEqual(splitInput('a\x7f\t\x03', {}), [
			['a', {}],
			['', {backspace: true}],
			['', {tab: true}],
			['c', {ctrl: true}],
		]);
		assert.deepEqual(splitInput('x', {}), [['x', {}]]);
		assert.deepEqual(splitInput('[A', {meta: true}), [['[A', {meta: true}]]);
		assert.deepEqual(
			splitInput('k', {meta: true}),
			[
				['', {escape: true}],
				['k', {}],
			],
			'Escape then k, read as Alt+k',
		);
		assert.deepEqual(splitInput('', {meta: true, escape: true}), [['', {meta: true, escape: true}]]);
	});

	test('the help lists every sort key and the core bindings', () => {
		const text = HELP.flatMap((section) => section.keys.map(([key, description]) => `${key} ${description}`)).join('\n');
		for (const column of COLUMNS) assert.ok(text.includes(column.key) && text.includes(column.label), `help has ${column.id}`);
		for (const binding of ['Enter', 'Tab', '/', 'n  N', '?', 'q  Ctrl-C', '+ -', '< >']) assert.ok(text.includes(binding), binding);
	});
});

describe('preferences', () => {
	const dir = mkdtempSync(join(tmpdir(), 'c32-prefs-'));
	after(() => rmSync(dir, {recursive: true, force: true}));

	test('C32_CONFIG_DIR chooses where they live; a new store has the defaults', () => {
		const env = {C32_CONFIG_DIR: join(dir, 'a')};
		assert.equal(configDir(env), join(dir, 'a'));
		assert.equal(configDir({C32_CONFIG_DIR: ' '}), undefined);
		const store = openPrefs(env);
		assert.equal(store.location, join(dir, 'a', 'top.json'));
		assert.deepEqual(store.load(), DEFAULT_PREFS);
	});

	test('saved choices are there for the next run', () => {
		const env = {C32_CONFIG_DIR: join(dir, 'b')};
		openPrefs(env).save({sortColumn: 'mem', sortDescending: false, intervalMs: 2000, showGraphs: false, showDetails: true});
		assert.deepEqual(openPrefs(env).load(), {
			sortColumn: 'mem',
			sortDescending: false,
			intervalMs: 2000,
			showGraphs: false,
			showDetails: true,
		});
		assert.equal(JSON.parse(readFileSync(join(dir, 'b', 'top.json'), 'utf8')).sortColumn, 'mem');
	});

	test('a damaged or hand-edited file never stops the dashboard', () => {
		const env = {C32_CONFIG_DIR: join(dir, 'c')};
		openPrefs(env).save(DEFAULT_PREFS);
		writeFileSync(join(dir, 'c', 'top.json'), '{"sortColumn": "bogus", "intervalMs": 5, "showGraphs": "yes"}');
		assert.deepEqual(openPrefs(env).load(), {...DEFAULT_PREFS, intervalMs: 100});
		writeFileSync(join(dir, 'c', 'top.json'), 'not json at all');
		assert.deepEqual(openPrefs(env).load(), DEFAULT_PREFS);
	});

	test('an unusable directory keeps choices for this run only', () => {
		const file = join(dir, 'file');
		writeFileSync(file, 'x');
		const store = openPrefs({C32_CONFIG_DIR: join(file, 'below-a-file')});
		store.save({...DEFAULT_PREFS, sortColumn: 'pids'});
		assert.equal(store.load().sortColumn, 'pids');
	});

	test('sanitising keeps what is valid', () => {
		assert.deepEqual(sanitizePrefs(null), DEFAULT_PREFS);
		assert.deepEqual(sanitizePrefs({sortColumn: 'io', intervalMs: 10 ** 9}), {...DEFAULT_PREFS, sortColumn: 'io', intervalMs: 60_000});
	});

	test('interval steps and bounds', () => {
		assert.equal(stepInterval(1000, 1), 2000);
		assert.equal(stepInterval(1000, -1), 500);
		assert.equal(stepInterval(250, -1), 250);
		assert.equal(stepInterval(10_000, 1), 10_000);
		assert.equal(stepInterval(1500, 1), 2000);
		assert.equal(stepInterval(1500, -1), 1000);
		assert.equal(clampInterval(5), 100);
		assert.equal(clampInterval(Number.NaN), 1000);
	});
});
