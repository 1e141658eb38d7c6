// Mounts the dashboard against the engine double in ink-testing-library, with a chosen
// terminal size, manual data ticks and helpers to press keys and wait for the screen.
import {render} from 'ink-testing-library';
import {App} from '../../components/App.js';
import type {Prefs} from '../../components/prefs.js';
import {ActionRunner} from '../../components/store/action-runner.js';
import {DashboardStore} from '../../components/store/dashboard-store.js';
import {LogFollower} from '../../components/store/log-follower.js';
import {ShellRunner, type TerminalHandoff} from '../../components/store/shell-runner.js';
import {ThemeContext} from '../../components/views/theme.js';
import type {FakeEngine} from './fake-engine.js';
import {memoryPrefs, waitFor} from './util.js';

export {memoryPrefs, waitFor};

export const KEY = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	enter: '\r',
	escape: '\u001B',
	tab: '\t',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

export interface MountOptions {
	columns?: number;
	rows?: number;
	prefs?: Partial<Prefs>;
	color?: boolean;
	logCapacity?: number;
}

export async function mount(engine: FakeEngine, options: MountOptions = {}) {
	// A long interval: the test decides when data ticks happen.
	const prefs = memoryPrefs({intervalMs: 60_000, ...options.prefs});
	const store = new DashboardStore(engine, {intervalMs: prefs.load().intervalMs});
	const follower = new LogFollower(engine, {flushMs: 5, capacity: options.logCapacity});
	const actions = new ActionRunner(engine, () => void store.refresh());
	/** What the terminal handoff did, in order: 'lend' when `e`'s command got the terminal, 'return' when it came back. */
	const handoffs: string[] = [];
	const handoff: TerminalHandoff = {
		async run(work) {
			handoffs.push('lend');
			try {
				return await work();
			} finally {
				handoffs.push('return');
			}
		},
	};
	const shell = new ShellRunner(engine, handoff);
	let quits = 0;
	const ui = render(
		<ThemeContext.Provider value={{color: options.color ?? true}}>
			<App
				store={store}
				follower={follower}
				actions={actions}
				shell={shell}
				prefs={prefs}
				initialPrefs={prefs.load()}
				onQuit={() => quits++}
			/>
		</ThemeContext.Provider>,
	);
	const resize = (columns: number, rows: number) => {
		Object.defineProperty(ui.stdout, 'columns', {value: columns, configurable: true});
		Object.defineProperty(ui.stdout, 'rows', {value: rows, configurable: true});
		ui.stdout.emit('resize');
	};
	resize(options.columns ?? 120, options.rows ?? 40);
	store.start();
	await store.refresh();

	// The dashboard colours its lines itself; tests read the text.
	const frame = () => (ui.lastFrame() ?? '').replace(/\x1b\[[0-9;]*m/g, '');
	const harness = {
		engine,
		store,
		follower,
		actions,
		shell,
		handoffs,
		prefs,
		frame,
		lines: () => frame().split('\n'),
		quits: () => quits,
		resize,
		/** Presses keys one read at a time, as a person types. */
		async press(...keys: string[]) {
			for (const key of keys) {
				const before = ui.frames.length;
				ui.stdin.write(key);
				// React renders on its scheduler's next turn, and a lone Escape is only known to
				// be one after Ink's next look at the input: wait for a frame, or a little while
				// for keys that change nothing on screen.
				const deadline = Date.now() + 40;
				while (ui.frames.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
				await new Promise((resolve) => setImmediate(resolve));
			}
		},
		async tick() {
			await store.refresh();
			await new Promise((resolve) => setImmediate(resolve));
		},
		waitFor: (check: (frame: string) => boolean, what: string, timeoutMs?: number) => waitFor(() => check(frame()), what, timeoutMs),
		/** The table row (as shown) of the container with this name. */
		row(name: string): string {
			return (
				frame()
					.split('\n')
					.find((line) => new RegExp(`^[▶ ] ${name} `).test(line)) ?? ''
			);
		},
		selectedName(): string | null {
			const line = frame()
				.split('\n')
				.find((candidate) => candidate.startsWith('▶ '));
			return line ? (line.slice(2).split(/\s+/)[0] ?? null) : null;
		},
		unmount() {
			ui.unmount();
			ui.cleanup();
			store.stop();
			follower.close();
		},
	};
	return harness;
}

export type Harness = Awaited<ReturnType<typeof mount>>;
