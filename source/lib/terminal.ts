// The caller's terminal, for the commands that attach to a container (run -it, start -ai,
// attach): stdin to forward, raw mode, and the size of the terminal and its changes.
import process from 'node:process';

export interface TerminalSize {
	rows: number;
	columns: number;
}

export interface CallerTerminal {
	/** The caller's stdin, to forward to a container. */
	readonly input: NodeJS.ReadableStream;
	/** The terminal's size (of stdout, else stderr), or null when neither is a terminal. */
	size(): TerminalSize | null;
	/** Calls listener whenever the terminal is resized; returns the unsubscribe. */
	onResize(listener: (size: TerminalSize) => void): () => void;
	/**
	 * Puts stdin (a terminal) in raw mode: keys such as Ctrl-C reach the container instead of
	 * signalling c32. The returned function restores it; so does any exit of the process.
	 */
	raw(): () => void;
	/** Calls listener on SIGHUP (the terminal hung up, or kill -HUP) instead of dying at once; returns the unsubscribe. */
	onHangup(listener: () => void): () => void;
}

export function processTerminal(): CallerTerminal {
	const sized = () => [process.stdout, process.stderr].find((stream) => stream.isTTY && stream.columns > 0);
	return {
		// Made on first read, as the context's stdin.
		get input() {
			return process.stdin;
		},
		size() {
			const stream = sized();
			return stream ? {rows: stream.rows, columns: stream.columns} : null;
		},
		onResize(listener) {
			const stream = sized();
			if (!stream) return () => {};
			const onResize = () => listener({rows: stream.rows, columns: stream.columns});
			stream.on('resize', onResize);
			return () => stream.off('resize', onResize);
		},
		raw() {
			const stdin = process.stdin;
			if (!stdin.isTTY) return () => {};
			stdin.setRawMode(true);
			let restored = false;
			const restore = () => {
				if (restored) return;
				restored = true;
				process.off('exit', restore);
				try {
					stdin.setRawMode(false);
				} catch {
					// The terminal is gone (hung up): nothing is left to restore.
				}
			};
			// process.exit() on a second signal, an uncaught error: the terminal is restored all the same.
			process.on('exit', restore);
			return restore;
		},
		onHangup(listener) {
			process.on('SIGHUP', listener);
			return () => process.off('SIGHUP', listener);
		},
	};
}
