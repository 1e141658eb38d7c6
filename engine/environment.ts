// The environment a container's main process starts with, whichever driver runs it:
// the configured variables over a fixed base, never the caller's own environment.
import {DEFAULT_PATH} from './config.js';
import type {ResolvedConfig} from './types.js';

/** "KEY=value" entries, in the order an OCI spec lists them. */
export function containerEnvironment(config: ResolvedConfig): string[] {
	const env: Record<string, string> = {
		PATH: DEFAULT_PATH,
		HOSTNAME: config.hostname,
		HOME: config.user.uid === 0 ? '/root' : '/tmp',
		...config.environment,
	};
	return Object.entries(env).map(([k, v]) => `${k}=${v}`);
}
