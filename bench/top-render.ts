// How long the dashboard takes to turn a data tick or a key press into a frame, for each
// container count and terminal size, against the engine double, in-process (no terminal:
// frames go to a null screen). React's production build, as `c32 top` uses. Medians over
// many ticks.
//   tick → frame  from the tick's publish to the frame handed to the screen writer: React
//                 reconciliation, Ink layout and output, all of it
//   Ink output    Ink's own share (its onRender renderTime)
//   row diff      the screen writer's diff of consecutive frames
//   key → frame   from a key press (j/k) to its frame
//   node dist/bench/top-render.js [--containers 50,1000] [--sizes 80x24,120x40,160x45,200x60]
//        [--ticks 300] [--save FILE] [--before FILE] [--no-write]
// --save writes the medians to FILE; --before shows those of an earlier --save beside this run's.
import {EventEmitter} from 'node:events';
import {parseArgs} from 'node:util';
import {FakeEngine} from '../test/dashboard/fake-engine.js';
import {Keyboard, memoryPrefs} from '../test/dashboard/util.js';
import {populate} from './top-demo.js';
import {machine, median, parseCounts, parseSize, percentile, readMedians, recordResults, saveMedians} from './top-lib.js';

process.env['NODE_ENV'] ??= 'production';
const {mountDashboard} = await import('../components/dashboard.js');
const {diffFrame, frameLines} = await import('../components/screen.js');
const {ActionRunner} = await import('../components/store/action-runner.js');
const {DashboardStore} = await import('../components/store/dashboard-store.js');
const {LogFollower} = await import('../components/store/log-follower.js');
const {ShellRunner} = await import('../components/store/shell-runner.js');
const {LineSlots} = await import('../components/line-slots.js');

const TARGET_MS = 16;

/** Collects Ink's frames, their lines filled in as the screen writer does, instead of drawing them. */
class FrameSink extends EventEmitter {
	readonly isTTY = true;
	readonly slots = new LineSlots();
	private waiting: ((frame: string) => void) | null = null;
	constructor(
		readonly columns: number,
		readonly rows: number,
	) {
		super();
	}
	write = (frame: string): boolean => {
		const filled = this.slots.fill(frame);
		const done = this.waiting;
		this.waiting = null;
		done?.(filled);
		return true;
	};
	next(): Promise<string> {
		return new Promise((resolve) => (this.waiting = resolve));
	}
}

interface Timings {
	frame: number[];
	ink: number[];
	diff: number[];
	key: number[];
	bytes: number[];
}

async function run(count: number, ticks: number, columns: number, rows: number): Promise<Timings> {
	const engine = new FakeEngine();
	populate(engine, count);
	for (const container of engine.containers.values()) {
		engine.emitLogs(
			container.meta.name,
			Array.from({length: 200}, (_, i) => `log line ${i} of ${container.meta.name}`),
		);
	}
	const prefs = memoryPrefs({intervalMs: 3_600_000, sortColumn: 'cpu', sortDescending: true});
	const store = new DashboardStore(engine, {intervalMs: 3_600_000});
	const follower = new LogFollower(engine);
	const actions = new ActionRunner(engine, () => {});
	const sink = new FrameSink(columns, rows);
	const keyboard = new Keyboard();
	const timings: Timings = {frame: [], ink: [], diff: [], key: [], bytes: []};

	let published = 0;
	// Subscribed before the dashboard, so this runs first on every publish.
	store.subscribe(() => {
		published = performance.now();
	});
	let inkMs: number | null = null;
	const instance = mountDashboard({
		store,
		follower,
		actions,
		// The benchmark presses no `e`: the command would run without the terminal.
		shell: new ShellRunner(engine, {run: (work) => work()}),
		prefs,
		initialPrefs: prefs.load(),
		theme: {color: true},
		stdin: keyboard as unknown as NodeJS.ReadStream,
		stdout: sink as unknown as NodeJS.WriteStream,
		onQuit: () => {},
		onRender: (renderMs) => {
			inkMs = renderMs;
		},
		slots: sink.slots,
	});
	store.start();
	// Warm up: first data, configs, the log tail, the JIT; and a full history for the graphs.
	for (let i = 0; i < 400; i++) await store.refresh();
	await new Promise((resolve) => setTimeout(resolve, 50));

	let previous: string[] = [];
	for (let tick = 0; tick < ticks; tick++) {
		for (const container of engine.containers.values()) {
			container.cpuPercent = Math.abs(container.cpuPercent + Math.sin(tick + container.pids) * 7);
			container.memoryMb += Math.cos(tick / 3 + container.pids);
		}
		const framed = sink.next();
		await store.refresh();
		const frame = await framed;
		timings.frame.push(performance.now() - published);
		if (inkMs !== null) timings.ink.push(inkMs);
		const lines = frameLines(frame);
		const started = performance.now();
		const changes = diffFrame(previous, lines, rows);
		timings.diff.push(performance.now() - started);
		if (tick > 0) timings.bytes.push(Buffer.byteLength(changes));
		previous = lines;
	}
	for (let press = 0; press < 100; press++) {
		const framed = sink.next();
		const started = performance.now();
		keyboard.press(press % 2 ? 'k' : 'j');
		await framed;
		timings.key.push(performance.now() - started);
	}
	instance.unmount();
	store.stop();
	follower.close();
	return timings;
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			containers: {type: 'string', default: '50,1000'},
			sizes: {type: 'string', default: '80x24,120x40,160x45,200x60'},
			ticks: {type: 'string', default: '300'},
			save: {type: 'string'},
			before: {type: 'string'},
			'no-write': {type: 'boolean', default: false},
		},
	});
	const counts = parseCounts(values.containers);
	const sizes = values.sizes.split(',').map(parseSize);
	const ticks = Number(values.ticks);
	const before = readMedians(values.before);
	const withBefore = Object.keys(before).length > 0;
	const started = machine();
	const fmt = (samples: number[]) => `${median(samples).toFixed(2)} ms (p95 ${percentile(samples, 95).toFixed(2)})`;
	// "before → after" when an earlier run is given: the medians only, the p95 is this run's.
	const cell = (key: string, samples: number[]) => {
		const was = before[key];
		return withBefore && was !== undefined ? `${was.toFixed(2)} → ${fmt(samples)}` : fmt(samples);
	};
	const lines = [
		`### Frame render time (target ≤ ${TARGET_MS} ms)`,
		'',
		`${started}. The engine double, graphs with a full history, ${ticks} data ticks and 100 key presses (j/k) per container count and terminal size; medians, 95th percentile in brackets.${withBefore ? ' "a → b": median before the change → after it.' : ''}`,
		'',
		'| containers | terminal | tick → frame | of which Ink output | row diff | key → frame | bytes to the terminal per tick |',
		'|---|---|---|---|---|---|---|',
	];
	const medians: Record<string, number> = {};
	for (const count of counts) {
		for (const [columns, rows] of sizes) {
			const timings = await run(count, ticks, columns, rows);
			const key = `${count} ${columns}x${rows}`;
			for (const [name, samples] of Object.entries(timings)) medians[`${key} ${name}`] = median(samples);
			const bytes = Math.round(median(timings.bytes));
			const wasBytes = before[`${key} bytes`];
			lines.push(
				`| ${count} | ${columns}×${rows} | **${cell(`${key} frame`, timings.frame)}** | ${cell(`${key} ink`, timings.ink)} | ${cell(`${key} diff`, timings.diff)} | ${cell(`${key} key`, timings.key)} | ${withBefore && wasBytes !== undefined ? `${Math.round(wasBytes)} → ` : ''}${bytes} |`,
			);
		}
	}
	saveMedians(values.save, medians);
	const markdown = lines.join('\n');
	console.log(markdown);
	if (!values['no-write']) recordResults('render', markdown);
}

await main();
