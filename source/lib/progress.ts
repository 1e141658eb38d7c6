// Progress of pull, load, import and commit, on stderr so stdout keeps only the result. On a
// terminal: one line, redrawn in place, with a bar when the total is known. Elsewhere (a
// pipe, a log file): a plain line each time the phase or the item changes. --quiet: nothing.
import type {TransferProgress} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import type {OutputStream} from './context.js';
import {formatDecimalBytes} from './size.js';

const BAR_WIDTH = 20;
/** A terminal redraw at most this often; a new phase or item is drawn at once. */
const REDRAW_MS = 100;

/** "▕██████░░░░▏" for a fraction (0..1) of `width` cells. */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
	const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
	return `▕${'█'.repeat(filled)}${'░'.repeat(width - filled)}▏`;
}

function amount(progress: TransferProgress): string {
	const done = formatDecimalBytes(progress.done);
	return progress.total === null ? done : `${done} / ${formatDecimalBytes(progress.total)}`;
}

/** The item, escaped, after `gap`; nothing without one. */
function item(progress: TransferProgress, gap: string): string {
	return progress.item ? `${gap}${escapeControl(progress.item)}` : '';
}

/** The terminal line: phase, bar (when the total is known), bytes, item; at most `columns - 1` wide. */
export function progressLine(progress: TransferProgress, columns = 80): string {
	const bar = progress.total !== null && progress.total > 0 ? ` ${progressBar(progress.done / progress.total)}` : '';
	const line = `${progress.phase.padEnd(9)}${bar} ${amount(progress)}${item(progress, '  ')}`;
	// One cell short of the edge: a line that fills it wraps on some terminals, and \r then
	// returns to the wrong line.
	const room = Math.max(10, columns - 1);
	const chars = Array.from(line);
	return chars.length <= room ? line : `${chars.slice(0, room - 1).join('')}…`;
}

/** The line of a phase or item change where there is no terminal. */
export function plainLine(progress: TransferProgress): string {
	const total = progress.total === null ? '' : ` (${formatDecimalBytes(progress.total)})`;
	return `${progress.phase}${item(progress, ' ')}${total}`;
}

export interface ProgressWriter {
	/** Hand this to the engine as onProgress. */
	update(progress: TransferProgress): void;
	/** The transfer ended (well or not): the terminal line is cleared. */
	done(): void;
}

export interface ProgressOptions {
	quiet?: boolean;
	/** Milliseconds, for tests; default performance.now. */
	now?: () => number;
}

export function progressWriter(stream: OutputStream, options: ProgressOptions = {}): ProgressWriter {
	if (options.quiet) return {update: () => undefined, done: () => undefined};
	const now = options.now ?? (() => performance.now());
	const tty = stream.isTTY === true;
	let lastKey: string | null = null;
	let lastDraw = Number.NEGATIVE_INFINITY;
	let drawn = false;
	return {
		update(progress) {
			const key = `${progress.phase}\0${progress.item ?? ''}`;
			const changed = key !== lastKey;
			lastKey = key;
			if (!tty) {
				if (changed) stream.write(`${plainLine(progress)}\n`);
				return;
			}
			const at = now();
			if (!changed && at - lastDraw < REDRAW_MS) return;
			lastDraw = at;
			drawn = true;
			stream.write(`\r${progressLine(progress, stream.columns ?? 80)}\x1b[K`);
		},
		done() {
			if (drawn) stream.write('\r\x1b[K');
			drawn = false;
		},
	};
}
