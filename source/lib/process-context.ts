// The real Context: this process's streams, signals, files and engine.
import {readFile, writeFile} from 'node:fs/promises';
import process from 'node:process';

import type {Engine} from '../../engine/index.js';
import type {Context} from './context.js';

export function processContext(): Context {
	let engine: Engine | undefined;
	return {
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
			const listener = oncePerKeypress(handler);
			process.on('SIGINT', listener);
			process.on('SIGTERM', listener);
			return () => {
				process.off('SIGINT', listener);
				process.off('SIGTERM', listener);
			};
		},
		readFile: (path) => readFile(path, 'utf8'),
		writeFile: (path, data) => writeFile(path, data),
		async readStdin() {
			const chunks: Buffer[] = [];
			for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
			return Buffer.concat(chunks).toString('utf8');
		},
	};
}

/** Closer together than any person presses Ctrl-C twice. */
const ECHO_WINDOW_MS = 100;

/**
 * The engine's state store (conf, through atomically and when-exit) sends the first SIGINT or
 * SIGTERM back to this process after its own clean-up, so one Ctrl-C arrives twice within a
 * millisecond. Counting it twice would turn "stop" into "kill".
 */
export function oncePerKeypress(handler: () => void, now: () => number = Date.now): () => void {
	let last = -Infinity;
	return () => {
		const at = now();
		if (at - last < ECHO_WINDOW_MS) return;
		last = at;
		handler();
	};
}
