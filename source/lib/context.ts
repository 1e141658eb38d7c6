// What a command gets from the outside world, so tests can hand it doubles.
import type {Engine} from '../../engine/index.js';
import type {CallerTerminal} from './terminal.js';

export interface OutputStream {
	/** false: the buffer is full; wait for 'drain' before writing much more (see lib/output.ts). */
	write(text: string | Uint8Array): unknown;
	once?(event: 'drain', listener: () => void): unknown;
	isTTY?: boolean;
	columns?: number;
}

export interface Context {
	stdin: {isTTY?: boolean};
	stdout: OutputStream;
	stderr: OutputStream;
	env: NodeJS.ProcessEnv;
	cwd: string;
	now(): Date;
	/** The engine, created on first use (so `--help` and `completion` never load it). */
	engine(): Promise<Engine>;
	/** Calls handler on each Ctrl-C (SIGINT) or SIGTERM until the returned function is called. */
	onInterrupt(handler: (signal: NodeJS.Signals) => void): () => void;
	/** stdin, raw mode and the terminal's size, for the commands that attach to a container. */
	terminal: CallerTerminal;
	readFile(path: string): Promise<string>;
	/** Whether something (a file, a directory) is at `path` (relative: to cwd). */
	exists(path: string): Promise<boolean>;
	/** Up to `bytes` bytes from the start of a file; null when there is no file to read. */
	peekFile(path: string, bytes: number): Promise<Uint8Array | null>;
	writeFile(path: string, data: string): Promise<void>;
	readStdin(): Promise<string>;
	/** Asks on the terminal (stdin must be one) and resolves with the line typed. */
	ask(question: string): Promise<string>;
}
