// Test helpers that load neither React nor Ink, so a test can set up the environment first.
import {EventEmitter} from 'node:events';
import xterm from '@xterm/headless';
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
	/** As the dashboard last set it: raw while it reads keys, cooked while a shell has the terminal. */
	rawMode = false;
	setRawMode(mode: boolean): this {
		this.rawMode = mode;
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

/** A terminal for the dashboard to draw on, emulated by xterm.js, that tests can read back. */
export class HeadlessTerminal extends EventEmitter {
	readonly isTTY = true;
	readonly term: xterm.Terminal;
	/** Everything written so far, escape sequences included. */
	written = '';
	constructor(
		public columns: number,
		public rows: number,
	) {
		super();
		this.term = new xterm.Terminal({cols: columns, rows, allowProposedApi: true});
	}
	write = (data: string): boolean => {
		this.written += data;
		this.term.write(data);
		return true;
	};
	/** Resolves once xterm has parsed everything written so far. */
	async settle(): Promise<void> {
		await new Promise<void>((resolve) => this.term.write('', resolve));
	}
	lines(): string[] {
		const buffer = this.term.buffer.active;
		return Array.from({length: this.rows}, (_, row) => buffer.getLine(buffer.viewportY + row)?.translateToString(true) ?? '');
	}
	text(): string {
		return this.lines().join('\n');
	}
	async screen(): Promise<string[]> {
		await this.settle();
		return this.lines();
	}
	/** Whether any cell on screen has a foreground or background colour. */
	hasColour(): boolean {
		const buffer = this.term.buffer.active;
		const cell = buffer.getNullCell();
		for (let row = 0; row < this.rows; row++) {
			const line = buffer.getLine(buffer.viewportY + row);
			for (let column = 0; line && column < this.columns; column++) {
				line.getCell(column, cell);
				if (!cell.isFgDefault() || !cell.isBgDefault()) return true;
			}
		}
		return false;
	}
	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.term.resize(columns, rows);
		this.emit('resize');
	}
}
