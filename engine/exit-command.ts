// The exit command: what a container's monitor (conmon) runs when
// the container ends — dist/engine/on-exit.js, which records the exit and carries out the
// restart policy. The same program is started on its own to take over a pending restart
// whose scheduler is gone.
import {fileURLToPath} from 'node:url';
import {childProcess} from './builtins.js';
import {C32Error} from './errors.js';
import {BOOT_ID_FILE_VARIABLE, processStartTime} from './host-facts.js';
import type {StorageLayout} from './paths.js';
import type {ProcessRef} from './record.js';

const EXIT_SCRIPT = fileURLToPath(new URL('./on-exit.js', import.meta.url));

export function exitCommandFor(layout: StorageLayout, id: string): string[] {
	return [process.execPath, EXIT_SCRIPT, layout.storageDir, layout.runtimeDir, id];
}

/** Starts the exit command detached from this process (it outlives it), with nothing on its stdio. */
export function spawnExitCommand(layout: StorageLayout, id: string): ProcessRef {
	const [program, ...args] = exitCommandFor(layout, id);
	const child = childProcess().spawn(program!, args, {detached: true, stdio: 'ignore', env: monitorEnvironment()});
	child.unref();
	if (child.pid === undefined) throw new C32Error('RUNTIME_ERROR', `cannot start ${EXIT_SCRIPT}: check the c32 installation`);
	return {pid: child.pid, startTime: processStartTime(child.pid)};
}

/** The environment a monitor and its exit command see: where this engine keeps its state, nothing else of the caller's. */
export function monitorEnvironment(): Record<string, string> {
	const env: Record<string, string> = {PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin'};
	for (const key of ['C32_STORAGE_DIR', 'C32_RUNTIME_DIR', 'C32_RUNTIME', 'C32_DEBUG', BOOT_ID_FILE_VARIABLE]) {
		const value = process.env[key];
		if (value !== undefined) env[key] = value;
	}
	return env;
}
