// The whole `c32 top` (runTop) against the engine double in @xterm/headless, with a keyboard
// to type on and a wait for what the screen shows. Not a test file.
import type {PrefsStore} from '../../components/prefs.js';
import {runTop} from '../../components/top.js';
import type {FakeEngine} from './fake-engine.js';
import {HeadlessTerminal, Keyboard, memoryPrefs, waitFor} from './util.js';

export async function startTop(
	engine: FakeEngine,
	columns: number,
	rows: number,
	env: NodeJS.ProcessEnv = {},
	prefs: PrefsStore = memoryPrefs({intervalMs: 200}),
) {
	const terminal = new HeadlessTerminal(columns, rows);
	const keyboard = new Keyboard();
	const done = runTop(engine, {
		stdin: keyboard as unknown as NodeJS.ReadStream,
		stdout: terminal as unknown as NodeJS.WriteStream,
		stderr: terminal as unknown as NodeJS.WriteStream,
		prefs,
		env,
	});
	/** Resolves once `check` holds for the screen's text; fails with the screen after 4 s. */
	const screen = async (check: (text: string) => boolean, what: string) => {
		await waitFor(() => check(terminal.text()), what, 4000).catch(async (error: Error) => {
			await terminal.settle();
			throw new Error(`${error.message}; screen:\n${terminal.text()}`);
		});
		await terminal.settle();
	};
	return {terminal, keyboard, done, screen};
}
