// `c32 top`: the CLI imports this module only for the dashboard, so one-shot commands never
// load React or Ink.
import {render} from 'ink';
import type {Engine} from '../engine/index.js';
import {C32Error} from '../engine/index.js';
import {App} from './App.js';
import {clampInterval, openPrefs, type PrefsStore} from './prefs.js';
import {ScreenWriter} from './screen.js';
import {ActionRunner} from './store/action-runner.js';
import {DashboardStore} from './store/dashboard-store.js';
import {LogFollower} from './store/log-follower.js';
import {ThemeContext, themeFromEnv} from './views/theme.js';

export interface TopOptions {
	/** Refresh period in ms; when given it is also remembered as the user's choice. */
	interval?: number;
	stdin?: NodeJS.ReadStream;
	stdout?: NodeJS.WriteStream;
	stderr?: NodeJS.WriteStream;
	prefs?: PrefsStore;
	env?: NodeJS.ProcessEnv;
	/** Called after every frame Ink renders, with its render time; for benchmarks. */
	onRender?: (renderMs: number) => void;
}

export const MAX_FPS = 30;

export async function runTop(engine: Engine, options: TopOptions = {}): Promise<void> {
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
	const screen = new ScreenWriter(stdout, {maxFps: MAX_FPS});
	const leave = () => screen.leave();
	// Whatever ends the process, the terminal gets its screen and cursor back.
	process.once('exit', leave);
	screen.enter();

	let quit: () => void = () => {};
	const quitting = new Promise<void>((resolve) => {
		quit = resolve;
	});
	store.start();
	const instance = render(
		<ThemeContext.Provider value={themeFromEnv(options.env)}>
			<App store={store} follower={follower} actions={actions} prefs={prefs} initialPrefs={initialPrefs} onQuit={() => quit()} />
		</ThemeContext.Provider>,
		{
			stdin,
			stdout: screen as unknown as NodeJS.WriteStream,
			stderr,
			// Whole frames go to the screen writer, which diffs them and limits the frame rate.
			debug: true,
			exitOnCtrlC: false,
			patchConsole: false,
			maxFps: MAX_FPS,
			onRender: options.onRender ? (metrics) => options.onRender?.(metrics.renderTime) : undefined,
		},
	);
	try {
		await Promise.race([quitting, instance.waitUntilExit()]);
	} finally {
		store.stop();
		follower.close();
		instance.unmount();
		instance.cleanup();
		leave();
		process.off('exit', leave);
	}
	if (actions.busyCount > 0) {
		// Quitting must not cut a stop or a remove in half.
		stderr.write(`c32 top: waiting for ${actions.busyCount} action(s) to finish…\n`);
		await actions.drain();
	}
}
