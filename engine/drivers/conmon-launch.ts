// Starting conmon and waiting on its sync pipe for the pid of the container's process (or the
// runtime's error), as podman does: conmon daemonizes before the runtime has created it.
import {spawn} from 'node:child_process';
import {C32Error} from '../errors.js';

export interface ConmonLaunch {
	conmonPath: string;
	args: string[];
	/** conmon drops an "oom" file in its working directory after an OOM kill. */
	cwd: string;
	env: Record<string, string>;
	/** Turns the runtime's message (its stderr, as conmon read it) into what the user is told. */
	cleanMessage?: (message: string) => string;
}

/** Resolves with the container's pid once the runtime created it; START_FAILED with the runtime's message otherwise. */
export function launchConmon(launch: ConmonLaunch): Promise<number> {
	const clean = launch.cleanMessage ?? ((message: string) => message.trim().split('\n').pop()?.trim() ?? '');
	return new Promise((resolve, reject) => {
		const child = spawn(launch.conmonPath, launch.args, {
			cwd: launch.cwd,
			stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
			detached: true,
			env: {...launch.env, _OCI_SYNCPIPE: '3'},
		});
		let stderr = '';
		let sync = '';
		let settled = false;
		const finish = (error: Error | null, pid?: number) => {
			if (settled) return;
			settled = true;
			child.stdio[3]?.destroy();
			child.stderr?.destroy();
			child.unref();
			if (error) reject(error);
			else resolve(pid!);
		};
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		const pipe = child.stdio[3] as NodeJS.ReadableStream;
		pipe.setEncoding('utf8');
		pipe.on('data', (chunk: string) => {
			sync += chunk;
			const newline = sync.indexOf('\n');
			if (newline < 0) return;
			let message: {data?: number; message?: string};
			try {
				message = JSON.parse(sync.slice(0, newline));
			} catch {
				finish(new C32Error('START_FAILED', `conmon sent an unreadable message: ${sync.slice(0, 200)}`));
				return;
			}
			if (typeof message.data === 'number' && message.data > 0) finish(null, message.data);
			else finish(new C32Error('START_FAILED', clean(message.message ?? '') || 'the runtime failed to create the container'));
		});
		pipe.on('end', () => {
			const last = stderr.trim().split('\n').pop()?.trim();
			finish(new C32Error('START_FAILED', `conmon exited without creating the container${last ? `: ${last}` : ''}`));
		});
		child.on('error', (error) => finish(new C32Error('MONITOR_MISSING', `cannot run conmon: ${error.message}`)));
	});
}
