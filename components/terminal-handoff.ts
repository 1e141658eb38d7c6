// Lending the dashboard's terminal to a command (the `e` shell) and taking it back: off the
// alternate screen, cooked mode, no reading of the keyboard, no data ticks; afterwards all
// of it back and the whole screen drawn again, the UI state untouched.
import type {ScreenWriter} from './screen.js';
import type {TerminalHandoff} from './store/shell-runner.js';

/** The libuv handle under a terminal stream (private to Node). */
interface ReadHandle {
	reading?: boolean;
	readStart?(): number;
	readStop?(): number;
}

/**
 * Stops reading the keyboard. A paused stream is not enough: Node keeps its terminal handle
 * reading ahead up to the stream's high-water mark, so it would swallow keys typed for the
 * command that now shares the terminal. Node has no public way to stop that; the handle's
 * readStop does, and `reading` tells Node's stream to start it again when read from.
 */
export function holdInput(stdin: NodeJS.ReadStream): void {
	if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(false);
	const handle = (stdin as unknown as {_handle?: ReadHandle})._handle;
	if (handle?.reading && handle.readStop) {
		handle.reading = false;
		handle.readStop();
	}
}

/** Reads the keyboard again, in raw mode, as Ink had it. */
export function resumeInput(stdin: NodeJS.ReadStream): void {
	if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(true);
	const handle = (stdin as unknown as {_handle?: ReadHandle})._handle;
	if (handle && handle.reading === false && handle.readStart) {
		handle.reading = true;
		handle.readStart();
	}
}

export interface HandoffParts {
	stdin: NodeJS.ReadStream;
	screen: ScreenWriter;
	/** Stop and restart whatever ticks (the data store). */
	pause(): void;
	resume(): void;
}

/** While `work` runs the terminal is its; `lent` says so to the dashboard's signal handling. */
export function terminalHandoff(parts: HandoffParts): TerminalHandoff & {readonly lent: boolean} {
	let lent = false;
	return {
		get lent() {
			return lent;
		},
		async run<T>(work: () => Promise<T>): Promise<T> {
			// Called from a key press, inside Ink's loop over the keyboard stream: the loop's next
			// read would start the handle reading again. Once it is done, nothing reads until resumed.
			await new Promise((resolve) => setImmediate(resolve));
			parts.pause();
			holdInput(parts.stdin);
			parts.screen.leave();
			lent = true;
			try {
				return await work();
			} finally {
				lent = false;
				parts.screen.enter();
				resumeInput(parts.stdin);
				parts.resume();
			}
		},
	};
}
