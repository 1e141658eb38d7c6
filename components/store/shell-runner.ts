// The dashboard's `e`: a command with a terminal in a running container. The dashboard gives
// the terminal to it for as long as it runs (TerminalHandoff), then reports how it ended.
import type {Engine} from '../../engine/index.js';
import type {StatusMessage} from '../model/ui-state.js';
import {describeError} from './action-runner.js';

/** Lends the terminal to `work` and takes it back, whatever `work` does. */
export interface TerminalHandoff {
	run<T>(work: () => Promise<T>): Promise<T>;
}

export interface ShellRequest {
	id: string;
	name: string;
	command: string[];
}

export class ShellRunner {
	private running = false;
	/** Receives how the command ended, or why it could not run. */
	onStatus: (status: StatusMessage) => void = () => {};

	constructor(
		private readonly engine: Engine,
		private readonly handoff: TerminalHandoff,
	) {}

	get busy(): boolean {
		return this.running;
	}

	async open({id, name, command}: ShellRequest): Promise<void> {
		if (this.running) return;
		this.running = true;
		const shown = command.join(' ');
		try {
			const code = await this.handoff.run(() => this.engine.execInContainer(id, {command, tty: true, stdio: 'inherit'}));
			this.onStatus({text: `${shown} in ${name} exited with code ${code}`, tone: code === 0 ? 'ok' : 'info'});
		} catch (error) {
			this.onStatus({text: `Could not run ${shown} in ${name}: ${describeError(error)}`, tone: 'error'});
		} finally {
			this.running = false;
		}
	}
}
