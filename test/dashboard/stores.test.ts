// The data tick, the log follower, the action runner and the screen writer.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {StatusMessage} from '../../components/model/ui-state.js';
import {diffFrame, frameLines, ScreenWriter} from '../../components/screen.js';
import {ActionRunner, describeError} from '../../components/store/action-runner.js';
import {DashboardStore, LIST_MAX_AGE_MS, SAMPLE_ALL_MS} from '../../components/store/dashboard-store.js';
import {LogFollower} from '../../components/store/log-follower.js';
import {C32Error} from '../../engine/index.js';
import {FakeEngine} from './fake-engine.js';
import {HeadlessTerminal, waitFor} from './util.js';

describe('data tick', () => {
	test('one tick lists, samples the live containers in one batch and reads the host', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a', cpuPercent: 12});
		engine.add({name: 'b', state: 'paused'});
		engine.add({name: 'c', state: 'exited'});
		const store = new DashboardStore(engine, {intervalMs: 60_000, now: () => 1234});
		await store.refresh();
		const snapshot = store.getSnapshot();
		assert.equal(snapshot.containers.length, 3);
		assert.deepEqual([...snapshot.metrics.keys()].sort(), [engine.find('a').meta.id, engine.find('b').meta.id].sort());
		assert.equal(snapshot.host?.cpuCount, 2);
		assert.equal(snapshot.at, 1234);
		assert.equal(snapshot.error, null);
		assert.equal(engine.callsTo('listContainers').length, 1);
		assert.equal(engine.callsTo('getMetricsBatch').length, 1, 'one batch per tick');
		assert.deepEqual(engine.callsTo('getMetricsBatch')[0]![0], undefined, 'every live container, not named one by one');
		engine.setState('a', 'exited');
		engine.setState('b', 'exited');
		await store.refresh();
		assert.equal(engine.callsTo('getMetricsBatch').length, 1, 'no batch when nothing runs');
		assert.equal(store.getSnapshot().metrics.size, 0);
		assert.equal(engine.callsTo('getHostStats').length, 2, 'the host on every tick');
	});

	test('once the table watches its rows, a tick samples those and every live container only every few seconds', async () => {
		const engine = new FakeEngine();
		for (let i = 0; i < 6; i++) engine.add({name: `w${i}`, cpuPercent: 10 + i});
		engine.add({name: 'off', state: 'exited'});
		let now = 0;
		const store = new DashboardStore(engine, {intervalMs: 60_000, now: () => now});
		const id = (name: string) => engine.find(name).meta.id;
		const batches = () => engine.callsTo('getMetricsBatch').map((call) => call[0] as string[] | undefined);
		await store.refresh();
		assert.deepEqual(batches(), [undefined], 'before the table says what it shows: everything');
		store.watch({ids: [id('w0'), id('w1'), id('off')], orderNeedsAll: false});
		now = 1000;
		engine.find('w0').cpuPercent = 50;
		engine.find('w5').cpuPercent = 90;
		await store.refresh();
		assert.deepEqual(batches()[1], [id('w0'), id('w1')], 'only the live rows on screen');
		const metrics = store.getSnapshot().metrics;
		assert.equal(metrics.get(id('w0'))?.cpuPercent, 50);
		assert.equal(metrics.get(id('w5'))?.cpuPercent, 15, 'a row off screen keeps its latest sample');
		assert.equal(metrics.size, 6);
		assert.ok(Number.isNaN(store.historyOf(id('w5'))!.cpu.last(1)[0]!), 'and its graph a gap, not a repeated value');
		now = 1000 + SAMPLE_ALL_MS.otherwise;
		await store.refresh();
		assert.equal(batches()[2], undefined, 'every live container again after SAMPLE_ALL_MS');
		assert.equal(store.getSnapshot().metrics.get(id('w5'))?.cpuPercent, 90);
		store.watch({ids: [id('w0')], orderNeedsAll: true});
		now += SAMPLE_ALL_MS.byMetric - 1;
		await store.refresh();
		assert.deepEqual(batches()[3], [id('w0')]);
		now += 1;
		await store.refresh();
		assert.equal(batches()[4], undefined, 'ordered by a metric: every container more often');
		engine.setState('w5', 'exited');
		now += 1;
		await store.refresh();
		assert.equal(store.getSnapshot().metrics.has(id('w5')), false, 'an ended container keeps no sample');
		store.watch({ids: ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'off'].map(id), orderNeedsAll: false});
		now += 1;
		await store.refresh();
		assert.equal(batches().at(-1), undefined, 'every live container on screen: one batch of all, naming none');
	});

	test('a costly listing is not repeated by every tick: the timer reuses it for LIST_BUDGET times its CPU, a refresh always lists', async (t) => {
		const engine = new FakeEngine();
		engine.add({name: 'a', cpuPercent: 5});
		const list = engine.listContainers.bind(engine);
		engine.listContainers = async () => {
			const end = performance.now() + 3; // a listing of many containers: ~3 ms of CPU
			while (performance.now() < end) {}
			return list();
		};
		let now = 0;
		const store = new DashboardStore(engine, {intervalMs: 5, now: () => now});
		t.after(() => store.stop());
		const ticks = () => engine.callsTo('getHostStats').length;
		const listings = () => engine.callsTo('listContainers').length;
		store.start();
		await waitFor(() => ticks() >= 5, 'five ticks');
		assert.equal(listings(), 1, 'the first tick listed, the next ones reused it');
		assert.equal(engine.callsTo('getMetricsBatch').length, ticks(), 'while sampling on every tick');
		now = LIST_MAX_AGE_MS;
		const before = ticks();
		await waitFor(() => ticks() >= before + 2, 'two more ticks');
		assert.equal(listings(), 2, 'listed again once due');
		await store.refresh();
		assert.equal(listings(), 3, 'a refresh lists whatever the timing');
		engine.setState('a', 'exited');
		await store.refresh();
		assert.equal(store.getSnapshot().containers[0]?.state, 'exited');
	});

	test('each container is inspected once, all of a tick in one publish', async () => {
		const engine = new FakeEngine();
		for (let i = 0; i < 5; i++) engine.add({name: `w${i}`, cpuLimitPercent: 50});
		const store = new DashboardStore(engine, {intervalMs: 60_000});
		let publishes = 0;
		store.subscribe(() => publishes++);
		await store.refresh();
		await waitFor(() => store.getSnapshot().infos.size === 5, 'the configs');
		assert.equal(publishes, 2, 'the tick, then the configs');
		await store.refresh();
		await store.refresh();
		assert.equal(engine.callsTo('inspectContainer').length, 5);
		assert.equal(store.getSnapshot().infos.get(engine.find('w0').meta.id)?.config.resourceLimits.cpuLimitPercent, 50);
	});

	test('history keeps samples per container, gaps while stopped, and forgets removed ones', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a', cpuPercent: 10, memoryMb: 64});
		engine.add({name: 'b'});
		const store = new DashboardStore(engine, {intervalMs: 60_000, historySize: 3});
		const a = engine.find('a').meta.id;
		const b = engine.find('b').meta.id;
		await store.refresh();
		engine.find('a').cpuPercent = 20;
		await store.refresh();
		engine.setState('a', 'stopped');
		await store.refresh();
		engine.setState('a', 'running');
		engine.find('a').cpuPercent = 40;
		await store.refresh();
		const cpu = store.historyOf(a)!.cpu.last();
		assert.deepEqual(cpu.slice(0, 1), [20]);
		assert.ok(Number.isNaN(cpu[1]!));
		assert.equal(cpu[2], 40);
		assert.deepEqual(store.historyOf(a)!.mem.last(1), [64]);
		engine.drop('b');
		await store.refresh();
		assert.equal(store.historyOf(b), undefined);
	});

	test('a failed tick keeps the last data and reports the error until a good one', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		const store = new DashboardStore(engine, {intervalMs: 60_000});
		await store.refresh();
		engine.failNextList = new Error('disk on fire');
		await store.refresh();
		assert.equal(store.getSnapshot().error, 'refresh failed: disk on fire');
		assert.equal(store.getSnapshot().containers.length, 1);
		await store.refresh();
		assert.equal(store.getSnapshot().error, null);
	});

	test('ticks never overlap: a refresh during a tick runs one more tick after it', async () => {
		const engine = new FakeEngine();
		let inside = 0;
		let most = 0;
		const list = engine.listContainers.bind(engine);
		engine.listContainers = async () => {
			inside++;
			most = Math.max(most, inside);
			await new Promise((resolve) => setTimeout(resolve, 20));
			inside--;
			return list();
		};
		const store = new DashboardStore(engine, {intervalMs: 60_000});
		await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
		assert.equal(most, 1);
		assert.equal(engine.callsTo('listContainers').length, 2, 'the first tick, and one more for the calls made during it');
	});

	test('start ticks every interval, setIntervalMs changes the pace, stop ends it', async () => {
		const engine = new FakeEngine();
		const store = new DashboardStore(engine, {intervalMs: 30});
		store.start();
		await waitFor(() => engine.callsTo('listContainers').length >= 3, 'three ticks');
		store.setIntervalMs(10_000);
		await new Promise((resolve) => setTimeout(resolve, 60));
		const count = engine.callsTo('listContainers').length;
		await new Promise((resolve) => setTimeout(resolve, 100));
		assert.equal(engine.callsTo('listContainers').length, count, 'the slower pace holds');
		assert.equal(store.getSnapshot().intervalMs, 10_000);
		store.stop();
		await waitFor(() => store.getSnapshot().runtime === 'runc 1.1.5', 'the runtime from doctor');
	});
});

describe('log follower', () => {
	test('loads the tail, then follows, in batches', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		engine.emitLogs(
			'a',
			Array.from({length: 50}, (_, i) => `old ${i}`),
		);
		const follower = new LogFollower(engine, {tail: 10, flushMs: 5});
		let publishes = 0;
		follower.subscribe(() => publishes++);
		follower.follow(engine.find('a').meta.id);
		await waitFor(() => follower.buffer.length === 10, 'the tail');
		assert.equal(follower.buffer.get(0)?.text, 'old 40');
		assert.equal(follower.getSnapshot().state, 'following');
		const before = publishes;
		for (let i = 0; i < 500; i++) engine.emitLog('a', `new ${i}`, i % 2 ? 'stderr' : 'stdout');
		await waitFor(() => follower.buffer.length === 510, 'the new lines');
		assert.ok(publishes - before <= 3, `500 lines in a few batches, not ${publishes - before} renders`);
		assert.equal(follower.buffer.get(509)?.stream, 'stderr');
		follower.close();
	});

	test('ends when the container stops, and reload starts afresh', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		engine.emitLog('a', 'first');
		const follower = new LogFollower(engine, {flushMs: 1});
		follower.follow(engine.find('a').meta.id);
		await waitFor(() => follower.buffer.length === 1, 'the first line');
		engine.setState('a', 'exited');
		await waitFor(() => follower.getSnapshot().state === 'ended', 'the end');
		engine.emitLog('a', 'second');
		engine.setState('a', 'running');
		follower.reload();
		await waitFor(() => follower.buffer.length === 2 && follower.getSnapshot().state === 'following', 'both lines again');
		follower.close();
	});

	test('switching containers aborts the old stream', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		engine.add({name: 'b'});
		const follower = new LogFollower(engine, {flushMs: 1});
		follower.follow(engine.find('a').meta.id);
		await waitFor(() => follower.getSnapshot().state === 'following', 'a');
		follower.follow(engine.find('b').meta.id);
		engine.emitLog('a', 'from a');
		engine.emitLog('b', 'from b');
		await waitFor(() => follower.buffer.length === 1, 'b');
		assert.equal(follower.buffer.get(follower.buffer.firstSeq)?.text, 'from b');
		follower.follow(null);
		assert.equal(follower.getSnapshot().state, 'idle');
		assert.equal(follower.buffer.length, 0);
	});

	test('a failing log read is reported', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		engine.getLogs = () => ({
			[Symbol.asyncIterator]: () => ({next: () => Promise.reject(new C32Error('NOT_FOUND', 'log file is gone'))}),
		});
		const follower = new LogFollower(engine);
		follower.follow('a');
		await waitFor(() => follower.getSnapshot().state === 'error', 'the error');
		assert.equal(follower.getSnapshot().error, 'log file is gone');
	});

	test('a flood bigger than the buffer keeps the newest lines', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'a'});
		const follower = new LogFollower(engine, {capacity: 100, flushMs: 20});
		follower.follow(engine.find('a').meta.id);
		await waitFor(() => follower.getSnapshot().state === 'following', 'following');
		await new Promise((resolve) => setTimeout(resolve, 5));
		engine.emitLogs(
			'a',
			Array.from({length: 100_000}, (_, i) => `x ${i}`),
		);
		await waitFor(() => follower.buffer.get(follower.buffer.nextSeq - 1)?.text === 'x 99999', 'the newest line');
		assert.equal(follower.buffer.length, 100);
		follower.close();
	});
});

describe('action runner', () => {
	test('reports progress and the outcome, marks the container busy meanwhile', async () => {
		const engine = new FakeEngine();
		const a = engine.add({name: 'a'});
		let settled = 0;
		const runner = new ActionRunner(engine, () => settled++);
		const statuses: StatusMessage[] = [];
		runner.onStatus = (status) => statuses.push(status);
		engine.hold();
		runner.run({verb: 'stop', id: a.meta.id, name: 'a', force: false});
		assert.equal(runner.getPending().get(a.meta.id), 'stop');
		assert.deepEqual(statuses, [{text: 'Stopping a…', tone: 'info'}]);
		runner.run({verb: 'restart', id: a.meta.id, name: 'a', force: false});
		assert.deepEqual(statuses.at(-1), {text: 'a is busy stopping; try again when it is done', tone: 'info'});
		engine.release();
		await runner.drain();
		assert.match(statuses.at(-1)!.text, /^Stopped a \(\d+\.\ds\)$/);
		assert.equal(runner.getPending().size, 0);
		assert.equal(settled, 1);
		assert.equal(engine.callsTo('restartContainer').length, 0);
	});

	test('failures carry the engine message and code', async () => {
		const engine = new FakeEngine();
		const a = engine.add({name: 'a', state: 'exited'});
		const runner = new ActionRunner(engine, () => {});
		const statuses: StatusMessage[] = [];
		runner.onStatus = (status) => statuses.push(status);
		runner.run({verb: 'pause', id: a.meta.id, name: 'a', force: false});
		await runner.drain();
		assert.deepEqual(statuses.at(-1), {text: 'Could not pause a: Cannot pause a: it is exited [BAD_STATE]', tone: 'error'});
		assert.equal(describeError(new Error('plain')), 'plain');
		assert.equal(describeError('text'), 'text');
	});

	test('remove passes force through', async () => {
		const engine = new FakeEngine();
		const a = engine.add({name: 'a'});
		const runner = new ActionRunner(engine, () => {});
		runner.run({verb: 'remove', id: a.meta.id, name: 'a', force: true});
		await runner.drain();
		assert.deepEqual(engine.callsTo('removeContainer'), [[a.meta.id, {force: true}]]);
		assert.equal(engine.containers.size, 0);
	});
});

describe('screen writer', () => {
	test('frames land at the top of the alternate screen, only changed rows are rewritten', async () => {
		const terminal = new HeadlessTerminal(20, 5);
		const screen = new ScreenWriter(terminal as unknown as NodeJS.WriteStream, {maxFps: 1000});
		screen.enter();
		await terminal.screen();
		assert.equal(terminal.term.buffer.active.type, 'alternate');
		screen.write('one\ntwo\nthree\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		assert.deepEqual(await terminal.screen(), ['one', 'two', 'three', '', '']);
		terminal.written = '';
		screen.write('one\nTWO\nthree\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		assert.deepEqual(await terminal.screen(), ['one', 'TWO', 'three', '', '']);
		assert.doesNotMatch(terminal.written, /one|three/, 'unchanged rows are not sent again');
		screen.write('a\nb\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		assert.deepEqual(await terminal.screen(), ['a', 'b', '', '', ''], 'rows the new frame lacks are cleared');
		screen.leave();
		await terminal.screen();
		assert.equal(terminal.term.buffer.active.type, 'normal');
		assert.match(terminal.written, /\x1b\[\?25h/, 'the cursor is shown again');
	});

	test('a frame as tall as the terminal neither scrolls nor clears; taller frames are cut', async () => {
		const terminal = new HeadlessTerminal(10, 3);
		const screen = new ScreenWriter(terminal as unknown as NodeJS.WriteStream, {maxFps: 1000});
		screen.enter();
		screen.write('1\n2\n3\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		terminal.written = '';
		screen.write('1\n2\n3!\n4\n5');
		await new Promise((resolve) => setTimeout(resolve, 5));
		assert.deepEqual(await terminal.screen(), ['1', '2', '3!']);
		assert.doesNotMatch(terminal.written, /\x1b\[2J/);
		screen.leave();
	});

	test('frames are limited to maxFps, and the last one always lands', async () => {
		const terminal = new HeadlessTerminal(10, 2);
		const screen = new ScreenWriter(terminal as unknown as NodeJS.WriteStream, {maxFps: 20});
		screen.enter();
		for (let i = 0; i < 50; i++) screen.write(`frame ${i}\n`);
		await new Promise((resolve) => setTimeout(resolve, 120));
		assert.ok(screen.framesWritten <= 3, `${screen.framesWritten} frames for 50 writes`);
		assert.deepEqual(await terminal.screen(), ['frame 49', '']);
		screen.leave();
	});

	test('a resize repaints everything and is passed on to Ink', async () => {
		const terminal = new HeadlessTerminal(20, 4);
		const screen = new ScreenWriter(terminal as unknown as NodeJS.WriteStream, {maxFps: 1000});
		let resizes = 0;
		screen.on('resize', () => resizes++);
		screen.enter();
		screen.write('x\ny\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		terminal.resize(30, 6);
		assert.equal(resizes, 1);
		assert.equal(screen.columns, 30);
		assert.equal(screen.rows, 6);
		terminal.written = '';
		screen.write('x\ny\n');
		await new Promise((resolve) => setTimeout(resolve, 5));
		assert.match(terminal.written, /\x1b\[2J.*x.*y/s, 'the same frame is drawn again in full');
		screen.leave();
		terminal.resize(20, 4);
		assert.equal(resizes, 1, 'no longer listening after leave');
	});

	test('diffFrame and frameLines', () => {
		assert.deepEqual(frameLines('a\nb\n'), ['a', 'b']);
		assert.deepEqual(frameLines('a\nb'), ['a', 'b']);
		assert.equal(diffFrame(['a', 'b'], ['a', 'b'], 10), '');
		assert.equal(diffFrame(['a', 'b'], ['a', 'c'], 10), '\x1b[2;1Hc\x1b[0m\x1b[K');
		assert.equal(diffFrame(['a', 'b'], ['a'], 10), '\x1b[2;1H\x1b[0m\x1b[K');
		assert.equal(diffFrame([], ['a', 'b', 'c'], 2), '\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K');
	});
});
