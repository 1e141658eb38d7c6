// Waiting for something on disk to change: a directory watched, with a short poll as a
// safety net (watches miss events on some filesystems).
import fs from 'node:fs';
import path from 'node:path';

const POLL_MS = 50;

/** Resolves true once `done()` holds, false after `timeoutMs`. Re-checks on every change in `dir` and every 50 ms. */
export async function waitUntil(dir: string, done: () => boolean, timeoutMs: number): Promise<boolean> {
	if (done()) return true;
	const deadline = Date.now() + timeoutMs;
	let watcher: fs.FSWatcher | null = null;
	let timer: NodeJS.Timeout | undefined;
	try {
		await new Promise<void>((resolve) => {
			const check = () => {
				if (done() || Date.now() >= deadline) resolve();
			};
			try {
				watcher = fs.watch(dir, check);
				watcher.on('error', () => {});
			} catch {
				watcher = null;
			}
			timer = setInterval(check, POLL_MS);
			check();
		});
	} finally {
		clearInterval(timer);
		(watcher as fs.FSWatcher | null)?.close();
	}
	return done();
}

/** Resolves true once `file` exists, false after `timeoutMs`. */
export function waitForFile(file: string, timeoutMs: number): Promise<boolean> {
	return waitUntil(path.dirname(file), () => fs.existsSync(file), timeoutMs);
}
