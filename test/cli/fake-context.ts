// A Context with captured output and a hand-made engine, for running commands in-process.
import {PassThrough} from 'node:stream';
import type {Engine} from '../../engine/index.js';
import type {Context} from '../../source/lib/context.js';
import type {TerminalSize} from '../../source/lib/terminal.js';

export interface Captured {
	stdout: string;
	stderr: string;
}

export function fakeContext(
	engine?: Partial<Engine>,
	options: {
		isTTY?: boolean;
		stdinIsTTY?: boolean;
		answers?: string[];
		env?: NodeJS.ProcessEnv;
		files?: Record<string, string>;
		/** Paths that exist besides those of `files` (directories, tars). */
		existing?: string[];
		/** stderr is a terminal of this many columns (progress bars). */
		stderrColumns?: number;
		/** The terminal's size; none: stdout and stderr are no terminals. */
		size?: TerminalSize;
	} = {},
) {
	const out: Captured = {stdout: '', stderr: ''};
	const interruptHandlers = new Set<(signal: NodeJS.Signals) => void>();
	const hangupHandlers = new Set<() => void>();
	const resizeHandlers = new Set<(size: TerminalSize) => void>();
	const input = new PassThrough();
	const terminal = {raw: false, rawCalls: 0};
	const files = {...options.files};
	const asked: string[] = [];
	const ctx: Context = {
		stdin: {isTTY: options.stdinIsTTY ?? false},
		stdout: {write: (text: string) => (out.stdout += text), isTTY: options.isTTY ?? false},
		stderr: {
			write: (text: string) => (out.stderr += text),
			...(options.stderrColumns === undefined ? {} : {isTTY: true, columns: options.stderrColumns}),
		},
		env: options.env ?? {},
		cwd: '/work',
		now: () => new Date('2025-06-01T12:00:00.000Z'),
		async engine() {
			if (!engine) throw new Error('this test gives no engine');
			// No thresholds unless a test gives some: ps checks them on every listing.
			engine.checkThresholds ??= async () => [];
			return engine as Engine;
		},
		onInterrupt(handler) {
			interruptHandlers.add(handler);
			return () => interruptHandlers.delete(handler);
		},
		terminal: {
			input,
			size: () => options.size ?? null,
			onResize(listener) {
				resizeHandlers.add(listener);
				return () => resizeHandlers.delete(listener);
			},
			raw() {
				terminal.raw = true;
				terminal.rawCalls++;
				return () => {
					terminal.raw = false;
				};
			},
			onHangup(listener) {
				hangupHandlers.add(listener);
				return () => hangupHandlers.delete(listener);
			},
		},
		async readFile(path) {
			const text = files[path];
			if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), {code: 'ENOENT'});
			return text;
		},
		async exists(path) {
			return path in files || (options.existing ?? []).includes(path);
		},
		async peekFile(path, bytes) {
			if (path in files) return Buffer.from(files[path]!).subarray(0, bytes);
			return (options.existing ?? []).includes(path) ? Buffer.from('ustar') : null;
		},
		async writeFile(path, data) {
			files[path] = data;
		},
		async readStdin() {
			return files['-'] ?? '';
		},
		async ask(question) {
			asked.push(question);
			return options.answers?.shift() ?? '';
		},
	};
	const interrupt = (signal: NodeJS.Signals = 'SIGINT') => {
		for (const handler of [...interruptHandlers]) handler(signal);
	};
	const hangup = () => {
		for (const handler of [...hangupHandlers]) handler();
	};
	const resize = (size: TerminalSize) => {
		for (const handler of [...resizeHandlers]) handler(size);
	};
	return {
		ctx,
		out,
		files,
		asked,
		interrupt,
		hangup,
		resize,
		input,
		terminal,
		listening: () => interruptHandlers.size + hangupHandlers.size,
	};
}
