// Braille plots: each cell holds 2×4 dots, so a graph w cells wide shows 2w samples with
// four levels per row. The limit is drawn as a dotted line in its own tone.
import type {Segment} from './segments.js';

const BRAILLE_BASE = 0x2800;
// DOTS[y][x]: the bit of the dot in column x (0..1), row y (0..3, top first).
const DOTS = [
	[0x01, 0x08],
	[0x02, 0x10],
	[0x04, 0x20],
	[0x40, 0x80],
] as const;

export interface GraphInput {
	/** Oldest first; NaN marks a sample when the container was not running. */
	values: readonly number[];
	/** Cells. */
	width: number;
	/** Rows. */
	height: number;
	/** The value at the top of the graph. */
	max: number;
	limit: number | null;
}

type CellTone = 'graph' | 'limit' | 'bad' | null;

/** Rows of the plot, top first, as segments of `width` cells each. */
export function brailleGraph({values, width, height, max, limit}: GraphInput): Segment[][] {
	if (width <= 0 || height <= 0) return [];
	const dotRows = height * 4;
	const slots = width * 2;
	const shown = values.slice(-slots);
	const start = slots - shown.length;
	const bits = new Uint8Array(width * height);
	const data = new Uint8Array(width * height);
	const over = new Uint8Array(width * height);
	const level = (value: number) => {
		if (!(max > 0)) return 0;
		const raw = Math.round((value / max) * dotRows);
		// Anything above zero gets at least one dot, so a quiet container is not a flat line.
		return Math.min(dotRows, Math.max(value > 0 ? 1 : 0, raw));
	};
	const limitRow = limit !== null && limit > 0 && limit <= max ? Math.min(dotRows - 1, dotRows - level(limit)) : null;

	shown.forEach((value, i) => {
		if (!Number.isFinite(value)) return;
		const x = start + i;
		const cellX = x >> 1;
		const filled = level(value);
		for (let y = dotRows - filled; y < dotRows; y++) {
			const cell = (y >> 2) * width + cellX;
			bits[cell]! |= DOTS[y & 3]![x & 1]!;
			data[cell] = 1;
			if (limitRow !== null && y < limitRow) over[cell] = 1;
		}
	});
	if (limitRow !== null) {
		// Dotted: one dot in every cell, so the line reads as a reference, not as data.
		for (let cellX = 0; cellX < width; cellX++) {
			const cell = (limitRow >> 2) * width + cellX;
			bits[cell]! |= DOTS[limitRow & 3]![0]!;
		}
	}

	const rows: Segment[][] = [];
	for (let row = 0; row < height; row++) {
		const segments: Segment[] = [];
		let text = '';
		let tone: CellTone = null;
		const flush = () => {
			if (text) segments.push(tone ? {text, tone} : {text});
			text = '';
		};
		for (let cellX = 0; cellX < width; cellX++) {
			const cell = row * width + cellX;
			const b = bits[cell]!;
			const cellTone: CellTone = b === 0 ? null : over[cell] ? 'bad' : data[cell] ? 'graph' : 'limit';
			if (cellTone !== tone) {
				flush();
				tone = cellTone;
			}
			text += b === 0 ? ' ' : String.fromCharCode(BRAILLE_BASE + b);
		}
		flush();
		rows.push(segments);
	}
	return rows;
}

/** A round top value for the axis: at least the limit and the peak, at least `floor`. */
export function graphScale(values: readonly number[], limit: number | null, floor: number): number {
	let peak = floor;
	for (const value of values) if (Number.isFinite(value) && value > peak) peak = value;
	if (limit !== null && limit > peak) peak = limit;
	return niceCeil(peak);
}

/** The next round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) at or above `value`. */
export function niceCeil(value: number): number {
	if (!(value > 0)) return 1;
	const power = 10 ** Math.floor(Math.log10(value));
	for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
		const candidate = step * power;
		if (candidate >= value - 1e-9) return candidate;
	}
	return 10 * power;
}
