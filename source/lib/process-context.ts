// The real Context: this process's streams, signals, files and engine.
import {readFile, writeFile} from 'node:fs/promises';
import process from 'node:process';
import type {Engine} from '../../engine/index.js';
import type {Context} from './context.js';

type EngineFactory = (options?: {storageDir?: string}) => Engine;

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
				const module = (await import('../../engine/index.js')) as unknown as {getEngine?: EngineFactory};
				if (typeof module.getEngine !== 'function') throw new Error('this build of c32 has no engine: rebuild it');
				engine = module.getEngine();
			}
			return engine;
		},
		onInterrupt(handler) {
			process.on('SIGINT', handler);
			process.on('SIGTERM', handler);
			return () => {
				process.off('SIGINT', handler);
				process.off('SIGTERM', handler);
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
