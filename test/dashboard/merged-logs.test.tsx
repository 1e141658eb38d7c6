// The merged log view (`a`), the timestamp (`t`) and wrap (`w`) toggles of the log pane: the
// pure row building, the app against the engine double, and the real screen in
// @xterm/headless at 80 columns.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import type {LogLine} from '../../components/model/log-buffer.js';
import {logRows} from '../../components/model/log-lines.js';
import {plain, wrapSegments} from '../../components/model/segments.js';
import {textWidth} from '../../components/model/width.js';
import {LogFollower, mergedKey} from '../../components/store/log-follower.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';
import {startTop} from './top-terminal.js';
import {memoryPrefs, waitFor} from './util.js';

const at = (second: number) => `2026-03-04T05:06:${String(second).padStart(2, '0')}.000000000Z`;

describe('rows of the log pane', () => {
	const line = (seq: number, text: string, extra: Partial<LogLine> = {}): LogLine => ({
		seq,
		timestamp: at(seq % 60),
		stream: 'stdout',
		text,
		...extra,
	});

	test('wrapSegments cuts at the width, keeps styles, and hangs the rest under the text', () => {
		const rows = wrapSegments([{text: '! '}, {text: 'abcdefghij', tone: 'stderr'}], 6, 2);
		assert.deepEqual(rows.map(plain), ['! abcd', '  efgh', '  ij']);
		assert.equal(rows[1]![1]!.tone, 'stderr');
		assert.deepEqual(wrapSegments([{text: 'short'}], 10, 2).map(plain), ['short']);
		assert.deepEqual(wrapSegments([{text: ''}], 10).map(plain), ['']);
		// A wide character never straddles the edge, and every row fits.
		const wide = wrapSegments([{text: 'a日本語のログ'}], 4, 0);
		assert.deepEqual(wide.map(plain), ['a日', '本語', 'のロ', 'グ']);
		for (const row of wide) assert.ok(textWidth(plain(row)) <= 4);
	});

	test('logRows: names padded in a column, time when asked; with wrap the newest line stays at the bottom', () => {
		const lines = [
			line(1, 'first', {name: 'web', source: 0}),
			line(2, 'x'.repeat(30), {name: 'worker', source: 1, stream: 'stderr'}),
			line(3, 'last', {name: 'web', source: 0}),
		];
		const cut = logRows(lines, 3, 20, {showTime: false, wrap: false, nameWidth: 6}, '', null);
		assert.deepEqual(cut.map(plain), ['  web    │ first', `! worker │ ${'x'.repeat(30)}`, '  web    │ last']);
		assert.equal(cut[0]![2]!.tone, 'name0');
		assert.equal(cut[1]![2]!.tone, 'name1');
		const timed = logRows(lines.slice(0, 1), 1, 40, {showTime: true, wrap: false, nameWidth: 6}, '', null);
		assert.match(plain(timed[0]!), /^ {2}web {4}│ \d\d:\d\d:\d\d first$/);

		const wrapped = logRows(lines, 10, 20, {showTime: false, wrap: true, nameWidth: 6}, '', null);
		assert.deepEqual(wrapped.map(plain), [
			'  web    │ first',
			`! worker │ ${'x'.repeat(9)}`,
			`           ${'x'.repeat(9)}`,
			`           ${'x'.repeat(9)}`,
			`           ${'x'.repeat(3)}`,
			'  web    │ last',
		]);
		// Three rows: the bottom of the long line and the newest line.
		assert.deepEqual(logRows(lines, 3, 20, {showTime: false, wrap: true, nameWidth: 6}, '', null).map(plain), [
			`           ${'x'.repeat(9)}`,
			`           ${'x'.repeat(3)}`,
			'  web    │ last',
		]);
	});
});

describe('the follower of a merged log', () => {
	test('tags lines with their container, keys the stream by the set of ids, and reloads the same set', async () => {
		const engine = team();
		const follower = new LogFollower(engine, {flushMs: 1});
		const web = engine.find('web').meta;
		const worker = engine.find('worker').meta;
		try {
			follower.followMerged([web, worker].map(({id, name}) => ({id, name})));
			await waitFor(() => follower.buffer.length === 4, 'the four lines');
			const shown = () => follower.buffer.range(follower.buffer.firstSeq, follower.buffer.nextSeq);
			assert.deepEqual(
				shown().map((l) => [l.name, l.source, l.text]),
				[
					['web', 0, 'web says one'],
					['worker', 1, 'worker says two'],
					['web', 0, 'web says three'],
					['worker', 1, 'worker says four'],
				],
			);
			assert.equal(follower.getSnapshot().containerId, mergedKey([worker.id, web.id]));
			assert.deepEqual(follower.getSnapshot().names, ['web', 'worker']);
			follower.reload();
			await waitFor(() => follower.buffer.length === 4, 'the lines again');
			assert.equal(engine.calls.filter((call) => call.method === 'getMergedLogs').length, 2);
			assert.equal(engine.calls.filter((call) => call.method === 'getLogs').length, 0);
		} finally {
			follower.close();
		}
	});
});

let current: Harness | null = null;

afterEach(() => {
	current?.unmount();
	current = null;
});

/** web and worker with lines at known times, interleaved; idle has none. */
function team(): FakeEngine {
	const engine = new FakeEngine();
	engine.add({name: 'web', cpuPercent: 30});
	engine.add({name: 'worker', cpuPercent: 20});
	engine.add({name: 'idle', cpuPercent: 10});
	engine.emitLog('web', 'web says one', 'stdout', at(1));
	engine.emitLog('worker', 'worker says two', 'stderr', at(2));
	engine.emitLog('web', 'web says three', 'stdout', at(3));
	engine.emitLog('worker', 'worker says four', 'stdout', at(4));
	return engine;
}

async function open(engine: FakeEngine, options: Parameters<typeof mount>[1] = {}): Promise<Harness> {
	current = await mount(engine, {prefs: {sortColumn: 'name', sortDescending: false}, ...options});
	await current.waitFor((frame) => / containers?: /.test(frame), 'the first frame');
	return current;
}

const logLines = (ui: Harness) => ui.lines().filter((row) => /says/.test(row));

describe('the merged log in the dashboard', () => {
	test('a shows every shown container, each line prefixed by its name, by time; a again goes back', async () => {
		const ui = await open(team());
		await ui.waitFor((frame) => frame.includes('Logs idle'), 'the first container');
		await ui.press('a');
		await ui.waitFor((frame) => /Logs 3 containers\s+following/.test(frame) && frame.includes('worker says four'), 'the merged log');
		assert.deepEqual(
			logLines(ui).map((row) => row.replace(/ \d\d:\d\d:\d\d /, ' ').trimEnd()),
			['  web    │ web says one', '! worker │ worker says two', '  web    │ web says three', '  worker │ worker says four'],
		);
		// New lines of either come in as they are written.
		ui.engine.emitLog('worker', 'worker says five');
		ui.engine.emitLog('web', 'web says six');
		await ui.waitFor((frame) => frame.includes('web says six'), 'new lines');
		assert.match(logLines(ui).at(-2)!, /^ {2}worker │ .*worker says five/);
		assert.match(logLines(ui).at(-1)!, /^ {2}web {4}│ .*web says six/);
		// Moving the selection keeps the merged log.
		await ui.press('j');
		assert.match(ui.frame(), /Logs 3 containers/);
		await ui.press('a');
		await ui.waitFor((frame) => frame.includes('Logs web'), 'the selected container again');
		assert.ok(
			logLines(ui).every((row) => !row.includes('│')),
			'no names for one container',
		);
		assert.deepEqual(ui.engine.calls.filter((call) => call.method === 'getMergedLogs').length, 1);
	});

	test('the merged log covers what the filter shows, and follows the filter', async () => {
		const ui = await open(team());
		await ui.press('/', ...'w', KEY.enter);
		await ui.press('a');
		await ui.waitFor((frame) => /Logs 2 containers/.test(frame) && frame.includes('worker says four'), 'web and worker');
		const merged = ui.engine.calls.filter((call) => call.method === 'getMergedLogs').at(-1)!;
		assert.deepEqual(
			(merged.args[0] as string[]).map((id) => ui.engine.find(id).meta.name),
			['web', 'worker'],
		);
		await ui.press('/', KEY.backspace, ...'worker', KEY.enter);
		await ui.waitFor((frame) => /Logs 1 container\b/.test(frame), 'worker alone');
		await ui.waitFor((frame) => frame.includes('worker says four'), 'its lines');
		assert.ok(logLines(ui).every((row) => !row.includes('web says')));
	});

	test('t turns timestamps on and off, in one container and in the merged log', async () => {
		const ui = await open(team(), {columns: 80});
		await ui.waitFor((frame) => frame.includes('Logs idle'), 'the log pane');
		await ui.press('j');
		await ui.waitFor((frame) => frame.includes('web says three'), "web's log");
		const stamp = /\d\d:\d\d:\d\d web says three/;
		assert.doesNotMatch(ui.frame(), stamp, 'no time at 80 columns by default');
		await ui.press(KEY.tab, 't');
		await ui.waitFor((frame) => stamp.test(frame), 'timestamps on');
		await ui.press('t');
		await ui.waitFor((frame) => !stamp.test(frame), 'timestamps off');
		await ui.press('a', 't');
		await ui.waitFor((frame) => /web {4}│ \d\d:\d\d:\d\d web says three/.test(frame), 'timestamps in the merged log');
	});

	test('w wraps long lines at 80 columns, lined up under the text, and unwraps them', async () => {
		const engine = team();
		const long = `${Array.from({length: 30}, (_, i) => `w${i}`).join(' ')} tail-end`;
		engine.emitLog('web', long);
		const ui = await open(engine, {columns: 80});
		await ui.press('j', KEY.tab);
		await ui.waitFor((frame) => frame.includes('web says three') && frame.includes('w0 w1'), "web's log");
		assert.doesNotMatch(ui.frame(), /tail-end/, 'cut at the edge');
		await ui.press('w');
		await ui.waitFor((frame) => frame.includes('tail-end'), 'the rest of the line');
		const rows = ui.lines();
		const first = rows.findIndex((row) => row.includes('w0 w1'));
		assert.ok(rows[first]!.length <= 80);
		assert.match(rows[first + 1]!, /^ {2}\S/, 'the next row starts under the text');
		assert.match(rows.slice(first).join('\n'), /tail-end/);
		assert.match(ui.frame(), /Logs web .*wrap/);
		await ui.press('w');
		await ui.waitFor((frame) => !frame.includes('tail-end'), 'cut again');
	});

	test('the help lists a, t and w', async () => {
		const ui = await open(team(), {rows: 50});
		await ui.press('?');
		for (const text of ['all shown merged on/off', 'timestamps on/off', 'wrap long lines on/off']) {
			assert.ok(ui.frame().includes(text), `help mentions ${text}`);
		}
	});
});

describe('the merged log on a real screen', () => {
	test('at 80×24: names in a column, wrapped rows that fit, t and w redraw the pane', async () => {
		const engine = team();
		engine.emitLog('worker', `${'long '.repeat(30)}the end`);
		const prefs = memoryPrefs({intervalMs: 200, sortColumn: 'name', sortDescending: false, showGraphs: false});
		const {terminal, keyboard, done, screen} = await startTop(engine, 80, 24, {}, prefs);
		try {
			await screen((text) => text.includes('Logs idle'), 'the dashboard');
			keyboard.press('a');
			await screen((text) => text.includes('Logs 3 containers') && text.includes('worker says four'), 'the merged log');
			assert.ok(terminal.lines().some((row) => /^ {2}web {4}│ web says three/.test(row)));
			assert.ok(!terminal.text().includes('the end'), 'cut at 80 columns');
			keyboard.press('\t');
			keyboard.press('w');
			await screen((text) => text.includes('the end'), 'wrapped');
			const rows = terminal.lines();
			assert.equal(rows.length, 24);
			for (const row of rows) assert.ok(row.length <= 80, `"${row}" fits`);
			assert.ok(
				rows.some((row) => /^ {11}g long long the end/.test(row)),
				`continuation under the text:\n${rows.join('\n')}`,
			);
			keyboard.press('t');
			await screen((text) => /web {4}│ \d\d:\d\d:\d\d web says three/.test(text), 'timestamps');
		} finally {
			keyboard.press('q');
			await done;
		}
	});
});
