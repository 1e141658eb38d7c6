// A Context with captured output and a hand-made engine, for running commands in-process.
import type {Engine} from '../../engine/index.js';
import type {Context} from '../../source/lib/context.js';

export interface Captured {
	stdout: string;
	stderr: string;
}

export function fakeContext(
	engine?: Partial<Engine>,
	options: {isTTY?: boolean; stdinIsTTY?: boolean; answers?: string[]; env?: NodeJS.ProcessEnv; files?: Record<string, string>} = {},
) {
	const out: Captured = {stdout: '', stderr: ''};
	const interruptHandlers = new Set<(signal: NodeJS.Signals) => void>();
	const files = {...options.files};
	const asked: string[] = [];
	const ctx: Context = {
		stdin: {isTTY: options.stdinIsTTY ?? false},
		stdout: {write: (text: string) => (out.stdout += text), isTTY: options.isTTY ?? false},
		stderr: {write: (text: string) => (out.stderr += text)},
		env: options.env ?? {},
		cwd: '/work',
		now: () => new Date('2025-06-01T12:00:00.000Z'),
		async engine() {
			if (!engine) throw new Error('this test gives no engine');
			return engine as Engine;
		},
		onInterrupt(handler) {
			interruptHandlers.add(handler);
			return () => interruptHandlers.delete(handler);
		},
		async readFile(path) {
			const text = files[path];
			if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), {code: 'ENOENT'});
			return text;
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
	return {ctx, out, files, asked, interrupt, listening: () => interruptHandlers.size};
}
