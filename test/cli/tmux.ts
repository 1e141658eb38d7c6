// A private tmux server for tests of what a person sees in a terminal: panes that run c32,
// keys typed into them, and their screens read back. Not a test file.
import {execFileSync} from 'node:child_process';
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

export class TmuxServer {
	private readonly socket = `c32-tmux-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

	tmux(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
	}

	/**
	 * Starts `c32 ...args` in a new window of `columns` x `rows`; returns its target. A shell
	 * around it prints c32's exit status, then the terminal's settings (`after`), and stays.
	 */
	open(name: string, storageDir: string, args: string[], size = {columns: 120, rows: 40}, after = 'stty -a'): string {
		const vars = Object.entries({C32_STORAGE_DIR: storageDir, TERM: 'xterm-256color'}).map(([k, v]) => `${k}=${quote(v)}`);
		const command = ['env', ...vars, quote(process.execPath), quote(CLI_PATH), ...args.map(quote)].join(' ');
		const script = `trap : INT; ${command}; echo "c32-exit=$?"; ${after}; sleep 120`;
		this.tmux('new-session', '-d', '-s', name, '-x', String(size.columns), '-y', String(size.rows), 'sh', '-c', script);
		return name;
	}

	keys(target: string, ...keys: string[]): void {
		this.tmux('send-keys', '-t', target, ...keys);
	}

	/** Types a line of text literally, then Enter. */
	line(target: string, text: string): void {
		this.tmux('send-keys', '-t', target, '-l', text);
		this.tmux('send-keys', '-t', target, 'Enter');
	}

	resize(target: string, columns: number, rows: number): void {
		this.tmux('resize-window', '-t', target, '-x', String(columns), '-y', String(rows));
	}

	screen(target: string): string {
		return this.tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', target);
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

	/** The exit status c32 ended with in the pane. */
	async exitStatus(target: string, timeoutMs = 15_000): Promise<number> {
		return Number(/c32-exit=(\d+)/.exec(await this.waitFor(target, /c32-exit=\d+/, timeoutMs))![1]);
	}

	kill(): void {
		try {
			this.tmux('kill-server');
		} catch {
			// no session was ever started
		}
	}
}
