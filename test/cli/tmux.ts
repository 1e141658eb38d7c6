// Driving c32 in a real terminal: a private tmux server, panes that run a command and report
// its exit status, keys typed into them, and their screens read back. Not a test file.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import {CLI_PATH} from './binary.js';

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

export interface PaneOptions {
	columns?: number;
	rows?: number;
	/** A command run after the pane's command has exited, e.g. `stty -a` to see the terminal left behind. */
	after?: string;
}

export class TmuxServer {
	readonly socket = `c32-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	}

	/**
	 * Runs `shellCommand` in a new window of `columns` x `rows`. A shell around it ignores the
	 * Ctrl-C meant for the command, prints `c32-exit=<status>` and then runs `after`, and keeps
	 * the pane open.
	 */
	open(name: string, shellCommand: string, options: PaneOptions = {}): string {
		const {columns = 120, rows = 40, after = ':'} = options;
		const script = `trap : INT; ${shellCommand}; echo "c32-exit=$?"; ${after}; sleep 120`;
		this.run('new-session', '-d', '-s', name, '-x', String(columns), '-y', String(rows), 'sh', '-c', script);
		return name;
	}

	/** Runs the built `c32 ...args` on the storage directory; the terminal's settings follow its exit. */
	openC32(name: string, storageDir: string, args: string[], options: PaneOptions = {}): string {
		const vars = Object.entries({C32_STORAGE_DIR: storageDir, TERM: 'xterm-256color'}).map(([k, v]) => `${k}=${quote(v)}`);
		const command = ['env', ...vars, quote(process.execPath), quote(CLI_PATH), ...args.map(quote)].join(' ');
		return this.open(name, command, {after: 'stty -a', ...options});
	}

	keys(target: string, ...keys: string[]): void {
		this.run('send-keys', '-t', target, ...keys);
	}

	/** Types a line of text literally, then Enter. */
	line(target: string, text: string): void {
		this.run('send-keys', '-t', target, '-l', text);
		this.run('send-keys', '-t', target, 'Enter');
	}

	resize(target: string, columns: number, rows: number): void {
		this.run('resize-window', '-t', target, '-x', String(columns), '-y', String(rows));
	}

	screen(target: string): string {
		return this.run('capture-pane', '-p', '-J', '-S', '-200', '-t', target);
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
		return Number(/c32-exit=(\d+)/.exec(await this.waitFor(target, /c32-exit=\d+/, timeoutMs))![1]);
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
