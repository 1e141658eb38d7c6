// What users and containers control cannot steer the terminal from the dashboard: names,
// labels, image paths, commands, errors and log lines show escaped and keep the layout; and
// the column the table is sorted by stays in view at 80×24.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {headerSegments} from '../../components/model/cells.js';
import {fitColumns} from '../../components/model/columns.js';
import {plain} from '../../components/model/segments.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';

const OSC = '\x1b]0;pwned\x07';
const SHOWN = '\\x1b]0;pwned\\x07';
/** Anything a terminal acts on, once our own colour codes are gone (the harness strips them). */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

let current: Harness | null = null;

afterEach(() => {
	current?.unmount();
	current = null;
});

async function open(engine: FakeEngine, options: Parameters<typeof mount>[1] = {}): Promise<Harness> {
	current = await mount(engine, {columns: 80, rows: 24, ...options});
	await current.waitFor((frame) => / containers?: /.test(frame), 'the first frame');
	return current;
}

function evilEngine(): FakeEngine {
	const engine = new FakeEngine();
	const evil = engine.add({
		name: `ev${OSC}\nil`,
		image: `/home/u/img${OSC}\nx/bot.py`,
		labels: {team: `a${OSC}\nb`},
	});
	evil.config.args = [`--say=${OSC}\nhi`];
	evil.config.workingDir = `/w\u202eork`;
	engine.add({name: 'plain'});
	return engine;
}

describe('user-controlled text in c32 top', () => {
	test('a name with an OSC and a newline: one escaped row, exactly its column wide', async () => {
		const ui = await open(evilEngine(), {prefs: {sortColumn: 'name', sortDescending: false}});
		const frame = ui.frame();
		assert.doesNotMatch(frame, RAW_CONTROL);
		assert.ok(ui.lines().length <= 24, `the frame is ${ui.lines().length} rows`);
		const row = ui.lines().find((line) => line.includes('ev\\x1b'));
		assert.ok(row, frame);
		assert.match(row!, /^[▶ ] ev\\x1b\]0;pw\S*… running/, 'cut to the name column, the state where it belongs');
		const plainRow = ui.row('plain');
		assert.equal(row!.indexOf('running'), plainRow.indexOf('running'), 'the columns stay aligned');
	});

	test('the details pane shows image, command, workdir and labels escaped', async () => {
		const ui = await open(evilEngine(), {rows: 40, columns: 160, prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('Details ev'), 'details');
		await ui.waitFor((frame) => frame.includes('labels '), 'the labels line');
		const frame = ui.frame();
		assert.doesNotMatch(frame, RAW_CONTROL);
		assert.ok(frame.includes(`Details ev${SHOWN}\\nil`), frame);
		assert.ok(frame.includes(`image /home/u/img${SHOWN}\\nx/bot.py`), frame);
		assert.ok(frame.includes(`${SHOWN}\\nhi`), 'the command');
		assert.ok(frame.includes('workdir /w\\u202eork'), 'a bidi override cannot reorder the pane');
		assert.ok(frame.includes(`labels team=a${SHOWN}\\nb`), frame);
		assert.ok(ui.lines().length <= 40);
	});

	test('an error message and log lines cannot reach the terminal raw', async () => {
		const engine = evilEngine();
		engine.failNext('stop', new Error(`runc: ${OSC}\nboom`) as never);
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		engine.emitLog('plain', `log ${OSC} \u202eevil`);
		await ui.press('j');
		await ui.waitFor((frame) => frame.includes('log '), 'the log line');
		await ui.press('x');
		await ui.waitFor((frame) => frame.includes('Could not stop'), 'the error');
		const frame = ui.frame();
		assert.doesNotMatch(frame, RAW_CONTROL);
		assert.ok(frame.includes('runc: \\x1b]0;pwned\\x07\\nboom'), frame);
		assert.ok(frame.includes('log  \\u202eevil'), 'the OSC removed, the override escaped');
	});
});

describe('the sort marker at 80×24', () => {
	test('the sorted column stays in view when it would be the one to go, arrow included', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'alpha', blockReadBytes: 5_000_000});
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		assert.doesNotMatch(ui.frame(), /BLK R\/W/, 'at 80 columns i/o is not shown by default');
		for (const [key, title] of [
			['B', 'BLK R/W▼'],
			['T', 'ISOLATIO▲'],
			['R', 'RS▼'],
			['I', 'ID▲'],
		] as const) {
			await ui.press(key);
			await ui.waitFor((frame) => frame.includes(title), `${title} in the header`);
			assert.ok(ui.lines()[2]!.length <= 80);
		}
	});

	test('where even that cannot fit, the NAME title carries it', () => {
		const layout = fitColumns(40, 'uptime');
		assert.ok(!layout.columns.some((column) => column.id === 'uptime'));
		assert.match(plain(headerSegments(layout, {column: 'uptime', descending: true})), /NAME uptime▼|NAME upt/);
		assert.ok(fitColumns(80, 'io').columns.some((column) => column.id === 'io'));
		assert.ok(fitColumns(80, 'io').width <= 80);
	});
});
