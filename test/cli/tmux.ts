// Driving c32 in a real terminal: a private tmux server, panes that run a command and report
// its exit status, screen captures. Not a test file.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';

export function hasTmux(): boolean {
	try {
		execFileSync('tmux', ['-V']);
		return true;
	} catch {
		return false;
	}
}

export function quote(word: string): string {
	return `'${word.replace(/'/g, `'\\''`)}'`;
}

export class TmuxServer {
	readonly socket = `c32-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	}

	/**
	 * Runs `shellCommand` in a new window of `columns` x `rows`. A shell around it ignores the
	 * Ctrl-C meant for the command, prints `exit=<status>` and then `after` (another command's
	 * output), and keeps the pane open.
	 */
	open(name: string, shellCommand: string, options: {columns?: number; rows?: number; after?: string} = {}): string {
		const {columns = 120, rows = 40, after = ':'} = options;
		const script = `trap : INT; ${shellCommand}; echo "exit=$?"; ${after}; sleep 120`;
		this.run('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), 'sh', '-c', script);
		return name;
	}

	screen(target: string): string {
		return this.run('capture-pane', '-p', '-J', '-t', target);
	}

	keys(target: string, ...keys: string[]): void {
		this.run('send-keys', '-t', target, ...keys);
	}

	async waitFor(target: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
		const deadline = Date.now() + timeoutMs;
		let text = '';
		while (Date.now() < deadline) {
			text = this.screen(target);
			if (pattern.test(text)) return text;
			await sleep(100);
		}
		throw new Error(`${pattern} never showed; the screen was:\n${text}`);
	}

	/** The status the pane's command exited with. */
	async exitStatus(target: string, timeoutMs = 15_000): Promise<number> {
		return Number(/exit=(\d+)/.exec(await this.waitFor(target, /exit=\d+/, timeoutMs))![1]);
	}

	/** Ends the server and removes its socket file. */
	kill(): void {
		try {
			this.run('kill-server');
		} catch {
			// no session was ever started
		}
		const dir = path.join(process.env['TMUX_TMPDIR'] ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`);
		fs.rmSync(path.join(dir, this.socket), {force: true});
	}
}
