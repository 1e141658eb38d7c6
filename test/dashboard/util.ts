// Test helpers that load neither React nor Ink, so a test can set up the environment first.
import {EventEmitter} from 'node:events';
import {DEFAULT_PREFS, type Prefs, type PrefsStore} from '../../components/prefs.js';

export function memoryPrefs(initial: Partial<Prefs> = {}): PrefsStore & {saved: Prefs[]} {
	let current: Prefs = {...DEFAULT_PREFS, ...initial};
	const saved: Prefs[] = [];
	return {
		location: 'memory',
		saved,
		load: () => current,
		save(prefs) {
			current = prefs;
			saved.push(prefs);
		},
	};
}

export async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}

/** A terminal keyboard for Ink: each press() is one read of the raw input. */
export class Keyboard extends EventEmitter {
	readonly isTTY = true;
	private queue: string[] = [];
	press(data: string): void {
		this.queue.push(data);
		this.emit('readable');
	}
	read(): string | null {
		return this.queue.shift() ?? null;
	}
	setRawMode(): this {
		return this;
	}
	setEncoding(): this {
		return this;
	}
	ref(): this {
		return this;
	}
	unref(): this {
		return this;
	}
	resume(): this {
		return this;
	}
	pause(): this {
		return this;
	}
}
