// The terminal side of the dashboard. Ink runs in debug mode against this stream, so each
// render hands over one whole frame; this writer puts it on the alternate screen by
// rewriting only the rows that changed, at absolute positions, inside a synchronized
// update, at most maxFps times a second.
//
// Why not Ink's own writer: with incrementalRendering, Ink 6.8 moves the cursor up one row
// too few for frames that end in a newline (every frame shorter than the terminal), so each
// frame lands a row lower than the last; without it, every frame erases and rewrites the
// whole screen, and a frame as tall as the terminal clears it. Absolute rows avoid both.
import {EventEmitter} from 'node:events';
import type {LineSlots} from './line-slots.js';

const ESC = '\x1b[';
export const ENTER_ALT_SCREEN = `${ESC}?1049h`;
export const LEAVE_ALT_SCREEN = `${ESC}?1049l`;
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const CLEAR_SCREEN = `${ESC}2J`;
// Terminals that know DEC mode 2026 show the update at once; others ignore the markers.
const BEGIN_SYNC = `${ESC}?2026h`;
const END_SYNC = `${ESC}?2026l`;
const RESET_STYLE = `${ESC}0m`;

/** The escape sequences that turn `previous` into `next`, or '' when nothing changed. */
export function diffFrame(previous: readonly string[], next: readonly string[], rows: number): string {
	let out = '';
	const count = Math.min(Math.max(previous.length, next.length), rows);
	for (let row = 0; row < count; row++) {
		const line = next[row] ?? '';
		if (line === (previous[row] ?? '') && row < previous.length) continue;
		out += `${ESC}${row + 1};1H${line}${RESET_STYLE}${ESC}K`;
	}
	return out;
}

export function frameLines(frame: string): string[] {
	const lines = frame.split('\n');
	if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
	return lines;
}

export interface ScreenWriterOptions {
	maxFps?: number;
	/** The slots the dashboard's lines fill in each frame Ink hands over. */
	slots?: LineSlots;
}

type Output = Pick<NodeJS.WriteStream, 'write' | 'columns' | 'rows' | 'on' | 'off'>;

export class ScreenWriter extends EventEmitter {
	readonly isTTY = true;
	private shown: string[] = [];
	private pending: string | null = null;
	/** The newest frame Ink handed over, drawn again when the screen comes back. */
	private latest: string | null = null;
	private entered = false;
	private timer: NodeJS.Timeout | null = null;
	private lastFlush = 0;
	private repaint = true;
	private active = false;
	private readonly minGapMs: number;
	private readonly slots: LineSlots | undefined;
	/** Bytes written to the terminal so far, for benchmarks and tests. */
	bytesWritten = 0;
	framesWritten = 0;

	constructor(
		private readonly out: Output,
		options: ScreenWriterOptions = {},
	) {
		super();
		this.minGapMs = 1000 / (options.maxFps ?? 30);
		this.slots = options.slots;
	}

	get columns(): number {
		return this.out.columns || 80;
	}

	get rows(): number {
		return this.out.rows || 24;
	}

	/**
	 * Switches to the alternate screen; the user's scrollback stays untouched. Entered again
	 * (after a command had the terminal), it draws the whole newest frame and reports a
	 * resize, as the terminal may have changed size meanwhile.
	 */
	enter(): void {
		if (this.active) return;
		this.active = true;
		this.out.on('resize', this.onResize);
		this.emitRaw(ENTER_ALT_SCREEN + HIDE_CURSOR + CLEAR_SCREEN);
		const again = this.entered;
		this.entered = true;
		if (!again) return;
		this.repaint = true;
		this.pending ??= this.latest;
		this.schedule();
		this.emit('resize');
	}

	/** Draws what is pending and gives the terminal back as it was. */
	leave(): void {
		if (!this.active) return;
		this.flush();
		this.active = false;
		this.out.off('resize', this.onResize);
		// Shown again after leaving: some terminals (tmux) keep cursor visibility per screen.
		this.emitRaw(RESET_STYLE + LEAVE_ALT_SCREEN + SHOW_CURSOR);
	}

	/** Ink writes each frame here. */
	write = (frame: string | Uint8Array, callback?: (error?: Error | null) => void): boolean => {
		const raw = typeof frame === 'string' ? frame : Buffer.from(frame).toString('utf8');
		const text = this.slots ? this.slots.fill(raw) : raw;
		if (text !== '') {
			this.pending = text;
			this.latest = text;
			this.schedule();
		}
		if (callback) setImmediate(callback);
		return true;
	};

	private schedule(): void {
		if (this.timer || !this.active) return;
		const wait = this.minGapMs - (performance.now() - this.lastFlush);
		if (wait <= 0) this.flush();
		else this.timer = setTimeout(() => this.flush(), wait);
	}

	private flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		if (this.pending === null || !this.active) return;
		const next = frameLines(this.pending).slice(0, this.rows);
		this.pending = null;
		this.lastFlush = performance.now();
		const changes = this.repaint ? CLEAR_SCREEN + diffFrame([], next, this.rows) : diffFrame(this.shown, next, this.rows);
		this.repaint = false;
		this.shown = next;
		if (changes) {
			this.framesWritten++;
			this.emitRaw(BEGIN_SYNC + changes + END_SYNC);
		}
	}

	private emitRaw(data: string): void {
		this.bytesWritten += Buffer.byteLength(data);
		this.out.write(data);
	}

	private readonly onResize = (): void => {
		// Some terminals reflow or scroll on resize: draw everything again.
		this.repaint = true;
		this.emit('resize');
	};
}
