// The real Context: this process's streams, signals, files and engine.
import process from 'node:process';
import type {Engine} from '../../engine/index.js';
import type {Context} from './context.js';
import {InterruptDispatcher} from './interrupts.js';
import {processTerminal} from './terminal.js';

export function processContext(): Context {
	let engine: Engine | undefined;
	let interrupts: InterruptDispatcher | undefined;
	return {
		// process.stdin is made on first read (a stream and its modules: ~2 ms); most commands never read it.
		get stdin() {
			return process.stdin;
		},
		stdout: process.stdout,
		stderr: process.stderr,
		env: process.env,
		cwd: process.cwd(),
		now: () => new Date(),
		async engine() {
			if (!engine) {
				// Loaded on first use so that --help and completion stay instant.
				const {getEngine} = await import('../../engine/index.js');
				engine = getEngine();
			}
			return engine;
		},
		onInterrupt(handler) {
			if (!interrupts) {
				interrupts = new InterruptDispatcher((code) => process.exit(code));
				process.on('SIGINT', interrupts.dispatch);
				process.on('SIGTERM', interrupts.dispatch);
			}
			return interrupts.add(handler);
		},
		terminal: processTerminal(),
		// fs/promises is loaded on first use: with its streams and readline it costs every command a few ms.
		readFile: async (path) => (await import('node:fs/promises')).readFile(path, 'utf8'),
		exists: async (path) =>
			(await import('node:fs/promises')).stat(path).then(
				() => true,
				() => false,
			),
		async peekFile(path, bytes) {
			const file = await (await import('node:fs/promises')).open(path, 'r').catch(() => null);
			if (!file) return null;
			try {
				const buffer = Buffer.alloc(bytes);
				const {bytesRead} = await file.read(buffer, 0, bytes, 0);
				return buffer.subarray(0, bytesRead);
			} catch {
				return null; // a directory, say: not a file to import
			} finally {
				await file.close();
			}
		},
		writeFile: async (path, data) => (await import('node:fs/promises')).writeFile(path, data),
		async readStdin() {
			const chunks: Buffer[] = [];
			for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks).toString('utf8');
		},
		async ask(question) {
			const {createInterface} = await import('node:readline/promises');
			const prompt = createInterface({input: process.stdin, output: process.stderr});
			try {
				return await prompt.question(question);
			} finally {
				prompt.close();
			}
		},
	};
}
