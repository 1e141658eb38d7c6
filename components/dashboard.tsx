// The dashboard in a terminal: stores, screen writer, Ink, and a clean exit.
import {type Instance, render} from 'ink';
import type {Engine} from '../engine/index.js';
import {C32Error} from '../engine/index.js';
import {App} from './App.js';
import {LineSlots} from './line-slots.js';
import {clampInterval, openPrefs, type Prefs, type PrefsStore} from './prefs.js';
import {ScreenWriter} from './screen.js';
import {ActionRunner} from './store/action-runner.js';
import {DashboardStore} from './store/dashboard-store.js';
import {LogFollower} from './store/log-follower.js';
import {ShellRunner} from './store/shell-runner.js';
import {terminalHandoff} from './terminal-handoff.js';
import {LineSlotsContext} from './views/Line.js';
import {type Theme, ThemeContext, themeFromEnv} from './views/theme.js';

export interface TopOptions {
	/** Refresh period in ms; when given it is also remembered as the user's choice. */
	interval?: number;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	prefs?: PrefsStore;
	env?: NodeJS.ProcessEnv;
}

export const MAX_FPS = 30;

export interface MountOptions {
	store: DashboardStore;
	follower: LogFollower;
	actions: ActionRunner;
	shell: ShellRunner;
	prefs: PrefsStore;
	initialPrefs: Prefs;
	theme: Theme;
	stdin: NodeJS.ReadStream;
	/** Where whole frames go: the screen writer in a terminal, anything with write() in a benchmark. */
	stdout: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	onQuit: () => void;
	onRender?: (renderMs: number) => void;
	/** Lines hand Ink slots that `stdout` fills (line-slots.ts); without, Ink's frames hold the text. */
	slots?: LineSlots;
}

/** Renders the dashboard with Ink; every render hands one whole frame to `stdout`. */
export function mountDashboard(options: MountOptions): Instance {
	const {store, follower, actions, shell, prefs, initialPrefs, theme, onQuit, onRender} = options;
	return render(
		<ThemeContext.Provider value={theme}>
			<LineSlotsContext.Provider value={options.slots ?? null}>
				<App store={store} follower={follower} actions={actions} shell={shell} prefs={prefs} initialPrefs={initialPrefs} onQuit={onQuit} />
			</LineSlotsContext.Provider>
		</ThemeContext.Provider>,
		{
			stdin: options.stdin,
			stdout: options.stdout,
			stderr: options.stderr,
			// Whole frames go to the screen writer, which diffs them and limits the frame rate.
			debug: true,
			exitOnCtrlC: false,
			patchConsole: false,
			maxFps: MAX_FPS,
			onRender: onRender ? (metrics) => onRender(metrics.renderTime) : undefined,
		},
	);
}

export async function runDashboard(engine: Engine, options: TopOptions = {}): Promise<void> {
	const stdin = options.stdin ?? process.stdin;
	const stdout = options.stdout ?? process.stdout;
	const stderr = options.stderr ?? process.stderr;
	if (!stdin.isTTY || !stdout.isTTY) {
		throw new C32Error('UNSUPPORTED', 'c32 top needs an interactive terminal; for scripts use `c32 ps --json`');
	}
	const prefs = options.prefs ?? openPrefs(options.env);
	let initialPrefs = prefs.load();
	if (options.interval !== undefined) {
		initialPrefs = {...initialPrefs, intervalMs: clampInterval(options.interval)};
		prefs.save(initialPrefs);
	}

	const store = new DashboardStore(engine, {intervalMs: initialPrefs.intervalMs});
	const follower = new LogFollower(engine);
	const actions = new ActionRunner(engine, () => void store.refresh());
	const slots = new LineSlots();
	const screen = new ScreenWriter(stdout, {maxFps: MAX_FPS, slots});
	let quit: () => void = () => {};
	const quitting = new Promise<void>((resolve) => {
		quit = resolve;
	});
	let quitAfterShell = false;
	const handoff = terminalHandoff({
		stdin,
		screen,
		pause: () => store.stop(),
		resume: () => {
			store.start();
			if (quitAfterShell) quit();
		},
	});
	const shell = new ShellRunner(engine, handoff);
	const leave = () => screen.leave();
	// Whatever ends the process, the terminal gets its screen and cursor back.
	process.once('exit', leave);
	screen.enter();

	// Killed or hung up on: quit as with q, so the terminal is given back and actions finish.
	// While a shell has the terminal, Ctrl-C there is the shell's; other signals quit after it.
	const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
	const onSignal = (signal: NodeJS.Signals) => {
		if (!handoff.lent) quit();
		else if (signal !== 'SIGINT') quitAfterShell = true;
	};
	for (const signal of signals) process.on(signal, onSignal);
	store.start();
	const instance = mountDashboard({
		store,
		follower,
		actions,
		prefs,
		initialPrefs,
		theme: themeFromEnv(options.env),
		stdin,
		stdout: screen as unknown as NodeJS.WriteStream,
		stderr,
		shell,
		onQuit: () => quit(),
		slots,
	});

	try {
		await Promise.race([quitting, instance.waitUntilExit()]);
	} finally {
		store.stop();
		follower.close();
		instance.unmount();
		instance.cleanup();
		leave();
		process.off('exit', leave);
		for (const signal of signals) process.off(signal, onSignal);
	}
	if (actions.busyCount > 0) {
		// Quitting must not cut a stop or a remove in half.
		stderr.write(`c32 top: waiting for ${actions.busyCount} action(s) to finish…\n`);
		await actions.drain();
	}
}
