// Running one hook: its own process group (so a timeout ends everything it started), the
// event as JSON on stdin and in C32_* variables, no shell, the filesystem root as its
// directory. Resolves with null when it exited 0, else with what went wrong.
import {spawn} from 'node:child_process';
import type {HookRun} from './dispatch.js';
import type {C32Event} from './types.js';

const STDERR_KEPT = 512;

/** The variables a hook sees besides PATH: what the event says, flattened. */
export function hookEnvironment(event: C32Event, storageDir: string): Record<string, string> {
	const env: Record<string, string> = {
		PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin',
		C32_STORAGE_DIR: storageDir,
		C32_EVENT: event.event,
		C32_EVENT_SUBJECT: event.subject,
		C32_EVENT_TIME: event.time,
		C32_EVENT_ID: event.id,
	};
	if (event.subject === 'container') {
		env['C32_CONTAINER_ID'] = event.id;
		env['C32_CONTAINER_NAME'] = event.name ?? '';
	}
	for (const [key, value] of Object.entries(event.attributes)) {
		if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key) || value === null) continue;
		// exitCode -> C32_EXIT_CODE, oomKilled -> C32_OOM_KILLED
		env[`C32_${key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`] = String(value).replaceAll('\0', '');
	}
	return env;
}

export function runHook(hook: HookRun, event: C32Event, storageDir: string): Promise<string | null> {
	return new Promise((resolve) => {
		const [program, ...args] = hook.command;
		const child = spawn(program!, args, {
			detached: true,
			stdio: ['pipe', 'ignore', 'pipe'],
			cwd: '/',
			env: hookEnvironment(event, storageDir),
		});
		let stderr = '';
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {}
		}, hook.timeoutSeconds * 1000);
		child.stderr!.on('data', (chunk: Buffer) => {
			if (stderr.length < STDERR_KEPT) stderr += chunk.toString('utf8');
		});
		// A hook that does not read its stdin closes it: that is its choice, not a failure.
		child.stdin!.on('error', () => {});
		child.stdin!.end(`${JSON.stringify(event)}\n`);
		child.on('error', (error) => {
			clearTimeout(timer);
			resolve(`cannot run it: ${error.message}`);
		});
		// 'exit', not 'close': a process the hook left in the background may hold its stderr open.
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			child.stderr!.destroy();
			const said = stderr.trim().slice(0, STDERR_KEPT);
			if (timedOut) resolve(`timed out after ${hook.timeoutSeconds} s: its process group was killed`);
			else if (code === 0) resolve(null);
			else resolve(`${code === null ? `killed by ${signal}` : `exited with ${code}`}${said ? `: ${said}` : ''}`);
		});
	});
}
