// The dashboard's views and key bindings, rendered by ink-testing-library against the double.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {C32Error} from '../../engine/index.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';

let current: Harness | null = null;

async function open(engine: FakeEngine, options: Parameters<typeof mount>[1] = {}): Promise<Harness> {
	current = await mount(engine, options);
	await current.waitFor((frame) => / containers?: /.test(frame), 'the first frame');
	return current;
}

afterEach(() => {
	current?.unmount();
	current = null;
});

function threeWorkers(): FakeEngine {
	const engine = new FakeEngine();
	engine.add({name: 'alpha', cpuPercent: 10, memoryMb: 100, memoryLimitMb: 200, cpuLimitPercent: 50});
	engine.add({name: 'bravo', cpuPercent: 30, memoryMb: 50});
	engine.add({name: 'charlie', cpuPercent: 20, memoryMb: 300});
	return engine;
}

describe('overview', () => {
	test('header shows host load, counts by state, runtime and interval', async () => {
		const engine = threeWorkers();
		engine.add({name: 'delta', state: 'paused'});
		engine.add({name: 'echo', state: 'exited', exitCode: 1});
		const ui = await open(engine, {prefs: {intervalMs: 2000}});
		await ui.waitFor((frame) => frame.includes('runc 1.1.5'), 'the runtime');
		const [first, second] = ui.lines();
		assert.match(first!, /cpu 25%\/200%/);
		assert.match(first!, /mem 2\.0G\/8\.0G/);
		assert.match(second!, /5 containers: 3 running · 1 paused · 1 exited/);
		assert.match(second!, /every 2s/);
	});

	test('table shows every column for each container', async () => {
		const engine = threeWorkers();
		engine.add({name: 'oom-one', state: 'exited', exitCode: 137, oomKilled: true, restartCount: 4, isolationLevel: 'strict'});
		const ui = await open(engine, {columns: 160});
		await ui.waitFor((frame) => frame.includes('100M/200M'), 'the memory limit');
		const titles = ui.lines()[2]!;
		for (const title of ['NAME', 'ID', 'STATE', 'CPU%', 'MEM', 'PIDS', 'BLK R/W', 'UP / EXITED', 'RST', 'ISOLATION']) {
			assert.ok(titles.includes(title), `column ${title} in ${titles}`);
		}
		const alpha = ui.row('alpha');
		assert.match(alpha, /running/);
		assert.match(alpha, / 10% █/, 'cpu with a bar');
		assert.match(alpha, /100M\/200M █/, 'memory used/limit with a bar');
		assert.match(alpha, /4\.0K\/0B/, 'block i/o');
		assert.match(alpha, /10m0\ds/, 'uptime');
		assert.match(alpha, /standard/);
		const oom = ui.row('oom-one');
		assert.match(oom, /OOM/);
		assert.match(oom, /\(137\) 2m ago/);
		assert.match(oom, / 4 strict/);
	});

	test('CPU bar is drawn against the container limit, labelled as one core = 100%', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'half', cpuPercent: 50, cpuLimitPercent: 50});
		engine.add({name: 'free', cpuPercent: 50});
		// Wide enough for bars of 16 cells next to every column.
		const ui = await open(engine, {columns: 200});
		// The limit comes from inspect, which lands just after the first tick.
		await ui.waitFor(() => /50% ██████████████/.test(ui.row('half')), 'a full bar for half at its limit');
		const freeBar = /50% (█*)/.exec(ui.row('free'))?.[1] ?? '';
		assert.ok(freeBar.length > 0 && freeBar.length < 8, `free is drawn against both host cores: ${ui.row('free')}`);
		assert.match(ui.frame(), /100% = one core/);
	});

	test('an empty engine says how to create a container', async () => {
		const ui = await open(new FakeEngine());
		assert.match(ui.frame(), /No containers yet/);
	});

	test('sees containers created and removed by other processes', async () => {
		const engine = threeWorkers();
		const ui = await open(engine);
		engine.add({name: 'newcomer'});
		engine.drop('bravo');
		await ui.tick();
		await ui.waitFor((frame) => frame.includes('newcomer'), 'the new container');
		assert.equal(ui.row('bravo'), '');
	});

	test('a failed refresh is shown and cleared by the next good one', async () => {
		const engine = threeWorkers();
		const ui = await open(engine);
		engine.failNextList = new C32Error('LOCK_TIMEOUT', 'state is locked by another c32');
		await ui.tick();
		await ui.waitFor((frame) => frame.includes('refresh failed: state is locked by another c32'), 'the error');
		assert.ok(ui.row('alpha'), 'the last good data stays on screen');
		await ui.tick();
		await ui.waitFor((frame) => !frame.includes('refresh failed'), 'the error to clear');
	});
});

describe('selection and sorting', () => {
	test('j/k and arrows move the selection', async () => {
		const ui = await open(threeWorkers(), {prefs: {sortColumn: 'name', sortDescending: false}});
		assert.equal(ui.selectedName(), 'alpha');
		await ui.press('j');
		assert.equal(ui.selectedName(), 'bravo');
		await ui.press(KEY.down, KEY.down);
		assert.equal(ui.selectedName(), 'charlie', 'stops at the last row');
		await ui.press('k', KEY.up);
		assert.equal(ui.selectedName(), 'alpha');
	});

	test('the selection stays on the same container when the order changes', async () => {
		const engine = threeWorkers();
		const ui = await open(engine);
		// CPU descending: bravo 30, charlie 20, alpha 10.
		await ui.press('j');
		assert.equal(ui.selectedName(), 'charlie');
		engine.find('charlie').cpuPercent = 90;
		await ui.tick();
		await ui.waitFor(() => ui.lines()[3]!.includes('charlie'), 'charlie to move to the top');
		assert.equal(ui.selectedName(), 'charlie');
	});

	test('when the selected container is removed the selection lands on its neighbour', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press('j');
		engine.drop('bravo');
		await ui.tick();
		await ui.waitFor((frame) => !frame.includes('bravo'), 'bravo to go');
		assert.equal(ui.selectedName(), 'charlie');
	});

	test('column keys sort, pressing again reverses, < and > move the column, and the choice is saved', async () => {
		const ui = await open(threeWorkers());
		const position = (name: string) => ui.lines().findIndex((line) => line.slice(2).startsWith(`${name} `));
		const order = () => ['alpha', 'bravo', 'charlie'].sort((a, b) => position(a) - position(b));
		assert.deepEqual(order(), ['bravo', 'charlie', 'alpha'], 'cpu descending by default');
		await ui.press('N');
		assert.deepEqual(order(), ['alpha', 'bravo', 'charlie']);
		assert.match(ui.lines()[2]!, /NAME▲/);
		await ui.press('N');
		assert.deepEqual(order(), ['charlie', 'bravo', 'alpha']);
		assert.match(ui.lines()[2]!, /NAME▼/);
		await ui.press('M');
		assert.deepEqual(order(), ['charlie', 'alpha', 'bravo'], 'memory, biggest first');
		await ui.press('<');
		assert.match(ui.lines()[2]!, /CPU%▼/);
		await ui.press('>', '>');
		assert.match(ui.lines()[2]!, /PIDS▼/);
		const saved = ui.prefs.saved.at(-1);
		assert.equal(saved?.sortColumn, 'pids');
		assert.equal(saved?.sortDescending, true);
	});

	test('/ filters by substring as you type; Enter keeps it, Esc clears it', async () => {
		const ui = await open(threeWorkers());
		await ui.press('/', 'r', 'l');
		assert.match(ui.frame(), /filter: rl/);
		assert.ok(ui.row('charlie'));
		assert.equal(ui.row('alpha'), '');
		assert.equal(ui.row('bravo'), '');
		await ui.press(KEY.enter);
		assert.match(ui.frame(), /filter "rl" 1\/3/);
		await ui.press('x', 'y');
		// x stops the selected (filtered) container: charlie.
		await ui.waitFor(() => ui.engine.callsTo('stopContainer').length === 1, 'stop');
		assert.equal(ui.engine.callsTo('stopContainer')[0]![0], ui.engine.find('charlie').meta.id);
		await ui.press(KEY.escape);
		await ui.waitFor(() => ui.row('alpha') !== '', 'all rows back');
	});

	test('a filter that matches nothing says so', async () => {
		const ui = await open(threeWorkers());
		await ui.press('/', 'z', 'z', 'z');
		assert.match(ui.frame(), /No container matches "zzz"/);
		await ui.press(KEY.backspace, KEY.backspace, KEY.backspace, 'b');
		assert.ok(ui.row('bravo'));
	});

	test('a filter matches ids, images, states and labels', async () => {
		const engine = threeWorkers();
		engine.add({name: 'tagged', state: 'exited', labels: {team: 'payments'}});
		const ui = await open(engine);
		await ui.press('/', ...'payments');
		assert.ok(ui.row('tagged'));
		assert.equal(ui.row('alpha'), '');
		await ui.press(KEY.escape, '/', ...'exited');
		assert.ok(ui.row('tagged'));
		assert.equal(ui.row('alpha'), '');
	});
});

describe('actions', () => {
	test('s x r p call the engine for the selected container and report the result', async () => {
		const engine = threeWorkers();
		engine.add({name: 'stopped-one', state: 'stopped', cpuPercent: 0});
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press('x');
		await ui.waitFor((frame) => /Stopped alpha \(\d+\.\ds\)/.test(frame), 'the stop result');
		await ui.waitFor(() => /stopped/.test(ui.row('alpha')), 'alpha shown stopped');
		await ui.press('s');
		await ui.waitFor((frame) => frame.includes('Started alpha'), 'the start result');
		await ui.press('r');
		await ui.waitFor((frame) => frame.includes('Restarted alpha'), 'the restart result');
		await ui.press('p');
		await ui.waitFor((frame) => frame.includes('Paused alpha'), 'the pause result');
		await ui.waitFor(() => /paused/.test(ui.row('alpha')), 'alpha shown paused');
		await ui.press('p');
		await ui.waitFor((frame) => frame.includes('Resumed alpha'), 'p on a paused container resumes it');
		assert.equal(engine.callsTo('pauseContainer').length, 1);
		assert.equal(engine.callsTo('resumeContainer').length, 1);
		assert.equal(engine.callsTo('restartContainer').length, 1);
	});

	test('an engine error is shown in the status line with its code', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press('s');
		await ui.waitFor((frame) => frame.includes('Could not start alpha: Cannot start alpha: it is running [BAD_STATE]'), 'the error');
		engine.failNext('stop', new C32Error('RUNTIME_ERROR', 'runc kill failed: permission denied'));
		await ui.press('x');
		await ui.waitFor(
			(frame) => frame.includes('Could not stop alpha: runc kill failed: permission denied [RUNTIME_ERROR]'),
			'the stop error',
		);
	});

	test('a slow action never freezes the screen: keys still work and the row says what is happening', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		engine.hold();
		await ui.press('x');
		await ui.waitFor(() => /stopping…/.test(ui.row('alpha')), 'alpha marked stopping');
		assert.match(ui.frame(), /Stopping alpha…/);
		await ui.press('j', 'j');
		assert.equal(ui.selectedName(), 'charlie', 'selection moves while the stop is pending');
		await ui.press('k', 'k', 'x');
		assert.match(ui.frame(), /alpha is busy stopping/);
		assert.equal(engine.callsTo('stopContainer').length, 1, 'no second stop while one is pending');
		engine.release();
		await ui.waitFor((frame) => frame.includes('Stopped alpha'), 'the stop to finish');
		await ui.waitFor(() => !/stopping…/.test(ui.row('alpha')), 'the marker to go');
	});

	test('d asks for confirmation; anything but y keeps the container', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press('d');
		assert.match(ui.frame(), /Remove alpha\? It is running and will be killed\. y\/n/);
		await ui.press('n');
		assert.match(ui.frame(), /Kept alpha/);
		assert.equal(engine.callsTo('removeContainer').length, 0);
	});

	test('d then y removes: forced for a running container, not for an exited one', async () => {
		const engine = threeWorkers();
		engine.add({name: 'zulu', state: 'exited'});
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		await ui.press('d', 'y');
		await ui.waitFor((frame) => frame.includes('Removed alpha'), 'alpha removed');
		await ui.waitFor(() => ui.row('alpha') === '', 'alpha gone from the table');
		assert.deepEqual(engine.callsTo('removeContainer')[0]![1], {force: true});
		await ui.press('j', 'j', 'd');
		assert.match(ui.frame(), /Remove zulu\? y\/n/);
		await ui.press('y');
		await ui.waitFor((frame) => frame.includes('Removed zulu'), 'zulu removed');
		assert.deepEqual(engine.callsTo('removeContainer')[1]![1], {force: false});
	});
});

describe('panes', () => {
	test('Enter toggles the details pane with command, limits and restart policy', async () => {
		const ui = await open(threeWorkers(), {prefs: {sortColumn: 'name', sortDescending: false}});
		assert.doesNotMatch(ui.frame(), /Details alpha/);
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('Details alpha'), 'details');
		assert.match(ui.frame(), /command python3 \/app\/alpha\.py/);
		assert.match(ui.frame(), /limits cpu 50% · mem 200M/);
		assert.match(ui.frame(), /restart no \(0 restarts\)/);
		assert.equal(ui.prefs.saved.at(-1)?.showDetails, true);
		await ui.press(KEY.enter);
		assert.doesNotMatch(ui.frame(), /Details alpha/);
	});

	test('graphs show CPU and memory of the selected container with its limits; g hides them', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}});
		for (let i = 0; i < 3; i++) await ui.tick();
		await ui.waitFor((frame) => /CPU 10%\s+peak 10%\s+limit 50%\s+\(100% = one core\)/.test(frame), 'the cpu graph title');
		assert.match(ui.frame(), /MEM 100M\s+peak 100M\s+limit 200M/);
		assert.match(ui.frame(), /[⡀-⣿]/u, 'braille dots');
		await ui.press('g');
		assert.doesNotMatch(ui.frame(), /peak/);
		assert.equal(ui.prefs.saved.at(-1)?.showGraphs, false);
	});

	test('? shows every key; any key closes the help', async () => {
		const ui = await open(threeWorkers(), {rows: 50});
		await ui.press('?');
		const frame = ui.frame();
		for (const text of [
			'select',
			'start',
			'stop',
			'restart',
			'pause / resume',
			'remove',
			'filter',
			'search the log',
			'next / previous match',
			'quit',
			'100% = one full core',
		]) {
			assert.ok(frame.includes(text), `help mentions ${text}`);
		}
		await ui.press('q');
		assert.doesNotMatch(ui.frame(), /any key closes/);
		assert.equal(ui.quits(), 0, 'q in the help closes the help, not the dashboard');
	});

	test('q and Ctrl-C quit', async () => {
		const ui = await open(threeWorkers());
		await ui.press('q');
		assert.equal(ui.quits(), 1);
		await ui.press(KEY.ctrlC);
		assert.equal(ui.quits(), 2);
		await ui.press('/', KEY.ctrlC);
		assert.equal(ui.quits(), 3, 'Ctrl-C quits even while typing a filter');
	});

	test('+ and - change the refresh interval, shown in the header and saved', async () => {
		const ui = await open(threeWorkers(), {prefs: {intervalMs: 1000}});
		await ui.press('+');
		await ui.waitFor((frame) => frame.includes('Refreshing every 2s'), 'status');
		await ui.waitFor((frame) => frame.includes('every 2s'), 'header');
		assert.equal(ui.prefs.saved.at(-1)?.intervalMs, 2000);
		await ui.press('-', '-');
		await ui.waitFor((frame) => frame.includes('every 0.5s'), 'faster');
		assert.equal(ui.store.getSnapshot().intervalMs, 500);
	});
});

describe('logs', () => {
	async function withLogs(): Promise<Harness> {
		const engine = threeWorkers();
		const lines = Array.from({length: 100}, (_, i) => `line ${i}${i % 10 === 0 ? ' checkpoint' : ''}`);
		engine.emitLogs('alpha', lines);
		engine.emitLog('alpha', 'something went wrong', 'stderr');
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}, rows: 40});
		await ui.waitFor((frame) => frame.includes('something went wrong'), 'the log');
		return ui;
	}

	test('the log pane follows stdout and stderr of the selected container, stderr marked', async () => {
		const ui = await withLogs();
		assert.match(ui.frame(), /Logs alpha\s+following/);
		assert.match(ui.frame(), /^! .*something went wrong/m);
		assert.match(ui.frame(), /^ {2}.*line 99/m);
		ui.engine.emitLog('alpha', 'fresh output');
		await ui.waitFor((frame) => frame.includes('fresh output'), 'a new line');
		await ui.press('j');
		await ui.waitFor((frame) => frame.includes('Logs bravo'), 'the log to switch');
		assert.doesNotMatch(ui.frame(), /fresh output/);
	});

	test('Tab focuses the log; k scrolls back and pauses following; G follows again', async () => {
		const ui = await withLogs();
		await ui.press(KEY.tab, 'k', 'k');
		assert.match(ui.frame(), /paused/);
		assert.doesNotMatch(ui.frame(), /something went wrong/);
		ui.engine.emitLogs('alpha', ['one more', 'and another']);
		await ui.waitFor((frame) => frame.includes('4 newer below'), 'the count of newer lines');
		assert.doesNotMatch(ui.frame(), /and another/, 'a paused view does not move');
		await ui.press('G');
		await ui.waitFor((frame) => frame.includes('and another'), 'following again');
		assert.match(ui.frame(), /following/);
		await ui.press('f');
		assert.match(ui.frame(), /paused/);
		await ui.press('g');
		assert.match(ui.frame(), /line 0 checkpoint/, 'g goes to the oldest line');
		await ui.press(KEY.escape);
		await ui.press('j');
		assert.equal(ui.selectedName(), 'bravo', 'Esc gives the keys back to the table');
	});

	test('/ searches the log, highlights, and n/N jump between matches', async () => {
		const ui = await withLogs();
		await ui.press(KEY.tab, '/', ...'checkpoint', KEY.enter);
		await ui.waitFor((frame) => frame.includes('search "checkpoint" 10/10'), 'the newest match first');
		assert.match(ui.frame(), /line 90 checkpoint/);
		await ui.press('N', 'N', 'N', 'N', 'N', 'N');
		await ui.waitFor((frame) => frame.includes('"checkpoint" 4/10'), 'six matches back');
		assert.match(ui.frame(), /line 30 checkpoint/);
		await ui.press('n');
		assert.match(ui.frame(), /"checkpoint" 5\/10/);
		await ui.press('N', 'N', 'N', 'N', 'N');
		assert.match(ui.frame(), /"checkpoint" 10\/10/, 'wraps around to the newest');
		await ui.press('/', ...'no such text', KEY.enter);
		assert.match(ui.frame(), /Pattern not found: no such text/);
		assert.match(ui.frame(), /no match/);
	});

	test('l shows the log full-screen and back', async () => {
		const ui = await withLogs();
		await ui.press('l');
		assert.doesNotMatch(ui.frame(), /NAME/);
		assert.match(ui.frame(), /Logs alpha/);
		const before = ui.lines().filter((line) => /line \d+/.test(line)).length;
		assert.ok(before > 30, `full-screen shows more lines (${before})`);
		await ui.press('l');
		assert.match(ui.frame(), /NAME/);
	});

	test('the log restarts with the container', async () => {
		const ui = await withLogs();
		ui.engine.setState('alpha', 'exited', {exitCode: 0, finishedAt: new Date().toISOString()});
		await ui.tick();
		await ui.waitFor((frame) => frame.includes('not running'), 'the log to end');
		ui.engine.emitLog('alpha', 'after restart');
		ui.engine.setState('alpha', 'running', {startedAt: new Date().toISOString()});
		await ui.tick();
		await ui.waitFor((frame) => frame.includes('after restart') && frame.includes('following'), 'following again');
	});

	test('a flood of lines is capped in memory and the keys keep working', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {prefs: {sortColumn: 'name', sortDescending: false}, logCapacity: 2000});
		await ui.waitFor((frame) => /Logs alpha\s+following/.test(frame), 'the log to be followed');
		const flood = Array.from({length: 20_000}, (_, i) => `flood ${i}`);
		for (let i = 0; i < flood.length; i += 1000) engine.emitLogs('alpha', flood.slice(i, i + 1000));
		await ui.waitFor((frame) => frame.includes('flood 19999'), 'the last line');
		assert.equal(ui.follower.buffer.length, 2000);
		assert.match(ui.frame(), /2000 lines/);
		await ui.press('j');
		assert.equal(ui.selectedName(), 'bravo');
	});
});

describe('events', () => {
	test('the status line shows the latest event, escaped, once one is recorded', async () => {
		const engine = threeWorkers();
		const ui = await open(engine, {columns: 140});
		assert.match(ui.lines().at(-1)!, /\? help {2}q quit/);
		const id = 'f'.repeat(64);
		engine.recordedEvents.push({
			time: new Date().toISOString(),
			subject: 'container',
			event: 'die',
			id,
			name: 'bravo\x1b[31m',
			labels: {},
			attributes: {exitCode: 3, oomKilled: false},
		});
		await ui.tick();
		await ui.waitFor((frame) => frame.includes('last event'), 'the latest event in the status line', 5000);
		const status = ui.lines().find((line) => line.includes('last event'))!;
		assert.match(status, /\? help {2}last event \d\d:\d\d:\d\d die bravo\\x1b\[31m exitCode=3/);
	});
});
