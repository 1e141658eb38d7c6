// The whole dashboard, through runTop, in a headless terminal emulator: sizes from 80×24 up,
// resizing, degrading when small, NO_COLOR, and giving the terminal back on quit.
import assert from 'node:assert/strict';
import {EventEmitter} from 'node:events';
import {describe, test} from 'node:test';
import {runTop} from '../../components/top.js';
import {FakeEngine} from './fake-engine.js';
import {startTop} from './top-terminal.js';
import {HeadlessTerminal, Keyboard, memoryPrefs, waitFor} from './util.js';

function workers(count = 8): FakeEngine {
	const engine = new FakeEngine();
	for (let i = 0; i < count; i++) {
		const container = engine.add({name: `worker-${i}`, cpuPercent: 5 + i * 10, memoryMb: 40 + i, memoryLimitMb: 256, cpuLimitPercent: 100});
		engine.emitLogs(
			container.meta.name,
			Array.from({length: 40}, (_, line) => `worker ${i} says ${line}`),
		);
	}
	engine.add({name: 'sleepy', state: 'paused'});
	engine.add({name: 'gone', state: 'exited', exitCode: 137, oomKilled: true});
	return engine;
}

const start = startTop;

function assertFits(terminal: HeadlessTerminal): void {
	const lines = terminal.lines();
	assert.equal(lines.length, terminal.rows);
	for (const line of lines) assert.ok(line.length <= terminal.columns, `"${line}" fits in ${terminal.columns}`);
}

describe('in a terminal', () => {
	test('80×24 shows header, table, graphs and logs on exactly one screen; q gives the terminal back', async () => {
		const engine = workers();
		const {terminal, keyboard, done, screen} = await start(engine, 80, 24);
		await screen((text) => text.includes('worker-0') && text.includes('says 39') && text.includes('CPU '), 'the dashboard');
		assert.equal(terminal.term.buffer.active.type, 'alternate');
		assertFits(terminal);
		const lines = terminal.lines();
		assert.match(lines[0]!, /c32 top/);
		assert.match(lines[1]!, /10 containers: 8 running · 1 paused · 1 exited/);
		assert.match(lines[2]!, /NAME +STATE +CPU%/);
		assert.match(lines[23]!, /\? help/, 'the status line is the last row');
		assert.ok(lines.some((line) => line.startsWith('MEM ')));
		assert.ok(lines.some((line) => /^ Logs worker-/.test(line)));
		// Wide characters must not push a row past the edge: nothing may wrap or scroll.
		engine.emitLog('worker-7', `${'日本語のログ🚀'.repeat(20)} end`);
		await screen((text) => text.includes('日本語のログ'), 'the wide log line');
		assertFits(terminal);
		assert.match(terminal.lines()[0]!, /c32 top/, 'the screen did not scroll');
		assert.match(terminal.lines()[23]!, /\? help/);
		keyboard.press('q');
		await done;
		await terminal.settle();
		assert.equal(terminal.term.buffer.active.type, 'normal', 'back on the normal screen');
	});

	test('re-lays out on resize: wider shows more columns, small drops graphs, tiny says so', async () => {
		const {terminal, keyboard, done, screen} = await start(workers(), 80, 24);
		await screen((text) => text.includes('worker-0'), 'the dashboard');
		assert.doesNotMatch(terminal.text(), /ISOLATION/);
		terminal.resize(160, 40);
		await screen((text) => text.includes('ISOLATION') && text.includes('BLK R/W'), 'every column');
		assertFits(terminal);
		assert.equal(terminal.lines().filter((line) => /^ Logs /.test(line)).length, 1);
		terminal.resize(70, 14);
		await screen((text) => !text.includes('CPU ') && text.includes('worker-'), 'no graphs when short');
		assertFits(terminal);
		terminal.resize(30, 8);
		await screen((text) => text.includes('Terminal too small'), 'the too-small message');
		terminal.resize(100, 30);
		await screen((text) => text.includes('worker-0') && text.includes('MEM '), 'everything back');
		assertFits(terminal);
		keyboard.press('q');
		await done;
	});

	test('keys work through the real input path: select, full-screen logs, help', async () => {
		const {terminal, keyboard, done, screen} = await start(workers(), 100, 30);
		await screen((text) => text.includes('worker-7'), 'the dashboard');
		keyboard.press('N');
		await screen((text) => text.includes('NAME▲') && text.indexOf('gone') < text.indexOf('sleepy'), 'sorted by name');
		assert.match(terminal.text(), /▶ worker-7/, 'the selection stayed on its container');
		keyboard.press('k');
		await screen((text) => /▶ worker-6/.test(text), 'the row above');
		keyboard.press('k');
		await screen((text) => /▶ worker-5/.test(text) && text.includes('worker 5 says 39'), 'its log');
		keyboard.press('l');
		await screen((text) => !text.includes('NAME') && text.includes('worker 5 says 20'), 'full-screen logs');
		assertFits(terminal);
		keyboard.press('?');
		await screen((text) => text.includes('any key closes'), 'the help');
		keyboard.press(' ');
		await screen((text) => !text.includes('any key closes'), 'help closed');
		keyboard.press('\u0003');
		await done;
	});

	test('colours by default, none with NO_COLOR, and the meaning survives', async () => {
		const coloured = await start(workers(3), 100, 30);
		await coloured.screen((text) => text.includes('worker-2') && text.includes('MEM '), 'the dashboard');
		assert.equal(coloured.terminal.hasColour(), true);
		coloured.keyboard.press('q');
		await coloured.done;

		const plain = await start(workers(3), 100, 30, {NO_COLOR: '1'});
		await plain.screen((text) => text.includes('worker-2') && text.includes('MEM ') && text.includes('OOM'), 'the dashboard');
		assert.equal(plain.terminal.hasColour(), false);
		assert.match(plain.terminal.text(), /▶ worker-2/, 'the selection is marked without colour');
		plain.keyboard.press('q');
		await plain.done;
	});

	test('the interval given to runTop is used and remembered', async () => {
		const prefs = memoryPrefs({intervalMs: 1000});
		const engine = workers(2);
		const terminal = new HeadlessTerminal(100, 30);
		const keyboard = new Keyboard();
		const done = runTop(engine, {
			stdin: keyboard as unknown as NodeJS.ReadStream,
			stdout: terminal as unknown as NodeJS.WriteStream,
			interval: 500,
			prefs,
		});
		await waitFor(() => terminal.text().includes('every 0.5s'), 'the interval in the header');
		assert.equal(prefs.load().intervalMs, 500);
		keyboard.press('q');
		await done;
	});

	test('without a terminal it refuses with a clear error', async () => {
		const notTty = Object.assign(new EventEmitter(), {isTTY: false, write: () => true});
		await assert.rejects(
			runTop(new FakeEngine(), {stdout: notTty as unknown as NodeJS.WriteStream, stdin: new Keyboard() as unknown as NodeJS.ReadStream}),
			{
				code: 'UNSUPPORTED',
				message: /needs an interactive terminal/,
			},
		);
	});
});
