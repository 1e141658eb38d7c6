// Ctrl-C and SIGTERM for commands that must clean up (attached run, attach, logs -f, stats).
import {constants} from 'node:os';

/** Closer together than any person presses Ctrl-C twice. */
const ECHO_WINDOW_MS = 100;

/**
 * The engine's state store (conf, through atomically and when-exit) sends the first SIGINT
 * or SIGTERM back to this process after its own clean-up, so one Ctrl-C arrives twice within
 * a millisecond. The echo is dropped, and since it can arrive after a command has stopped
 * listening, the dispatcher stays installed for the life of the process: a signal nobody
 * listens for ends the process as the default action would (exit 128 + signal number).
 */
export class InterruptDispatcher {
	private readonly handlers = new Set<(signal: NodeJS.Signals) => void>();
	private lastAt = -Infinity;

	constructor(
		private readonly exit: (code: number) => void,
		private readonly now: () => number = Date.now,
	) {}

	add(handler: (signal: NodeJS.Signals) => void): () => void {
		this.handlers.add(handler);
		return () => this.handlers.delete(handler);
	}

	readonly dispatch = (signal: NodeJS.Signals): void => {
		const at = this.now();
		const echo = at - this.lastAt < ECHO_WINDOW_MS;
		this.lastAt = at;
		if (echo) return;
		if (this.handlers.size === 0) {
			this.exit(128 + (constants.signals[signal] ?? 0));
			return;
		}
		for (const handler of [...this.handlers]) handler(signal);
	};
}
