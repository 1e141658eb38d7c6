// Pure text formatting for the dashboard. Every function returns a plain string so the
// views stay dumb and these can be unit-tested.
import {escapeControl} from '../../engine/text.js';
import {clipEndToWidth, clipToWidth, textWidth} from './width.js';

const UNITS = ['B', 'K', 'M', 'G', 'T', 'P'] as const;

/** Compact binary size: "0B", "512B", "1.5K", "34M", "1.1G". */
export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '-';
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < UNITS.length - 1) {
		value /= 1024;
		unit++;
	}
	if (unit === 0) return `${Math.round(value)}B`;
	// One decimal below 10 keeps the width at four characters or fewer.
	const text = value < 10 ? value.toFixed(1) : String(Math.round(value));
	// 1023.6K rounds to "1024K": carry into the next unit instead.
	if (text === '1024' && unit < UNITS.length - 1) return `1.0${UNITS[unit + 1]}`;
	return `${text}${UNITS[unit]}`;
}

export function formatMb(mb: number): string {
	return formatBytes(mb * 1024 * 1024);
}

/** CPU or any percentage: "0%", "3.5%", "37%", "240%". */
export function formatPercent(percent: number): string {
	if (!Number.isFinite(percent)) return '-';
	if (percent > 0 && percent < 9.95) return `${percent.toFixed(1)}%`;
	return `${Math.round(percent)}%`;
}

/** A duration in two units at most: "45s", "3m12s", "2h05m", "3d04h". */
export function formatDuration(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) ms = 0;
	const seconds = Math.floor(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m${pad2(seconds % 60)}s`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours}h${pad2(minutes % 60)}m`;
	const days = Math.floor(hours / 24);
	return `${days}d${pad2(hours % 24)}h`;
}

/** The coarse form for "… ago": one unit only ("12s", "5m", "3h", "2d"). */
export function formatAge(ms: number): string {
	if (!Number.isFinite(ms) || ms < 0) ms = 0;
	const seconds = Math.floor(ms / 1000);
	if (seconds < 60) return `${seconds}s`;
	const minutes = Math.floor(seconds / 60);
	if (minutes < 60) return `${minutes}m`;
	const hours = Math.floor(minutes / 60);
	if (hours < 24) return `${hours}h`;
	return `${Math.floor(hours / 24)}d`;
}

function pad2(n: number): string {
	return n < 10 ? `0${n}` : String(n);
}

export function shortId(id: string, length = 12): string {
	return id.slice(0, length);
}

/** Wall-clock time of an ISO timestamp as HH:MM:SS in local time. */
export function clockTime(iso: string): string {
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return '--:--:--';
	return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

export function formatInterval(ms: number): string {
	return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(2).replace(/0+$/, '')}s`;
}

/**
 * Pads or cuts text to exactly `width` cells. A name or label may hold anything: it is
 * escaped first, so the cell is measured as it will be drawn.
 */
export function fit(raw: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (width <= 0) return '';
	const text = escapeControl(raw);
	const cells = textWidth(text);
	if (cells > width) {
		if (width === 1) return clipToWidth(text, 1).text.padEnd(1);
		const clipped = clipToWidth(text, width - 1);
		return `${clipped.text}…${' '.repeat(width - 1 - clipped.width)}`;
	}
	const blanks = ' '.repeat(width - cells);
	return align === 'left' ? text + blanks : blanks + text;
}

/** As fit, but a text too wide keeps its end ("…team/bot:1"): image names and paths say most there. */
export function fitStart(raw: string, width: number): string {
	if (width <= 0) return '';
	const text = escapeControl(raw);
	const cells = textWidth(text);
	if (cells <= width) return text + ' '.repeat(width - cells);
	if (width === 1) return '…';
	const clipped = clipEndToWidth(text, width - 1);
	return `…${clipped.text}${' '.repeat(width - 1 - clipped.width)}`;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

export interface Bar {
	/** The filled part, in block characters. */
	filled: string;
	/** The empty remainder, so filled + empty is exactly `width` cells. */
	empty: string;
	/** The value went past the end of the bar. */
	over: boolean;
}

/** A horizontal bar with eighth-cell resolution for a fraction 0..1 of `width` cells. */
export function bar(fraction: number, width: number): Bar {
	if (width <= 0) return {filled: '', empty: '', over: fraction > 1};
	const clamped = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
	const eighths = Math.round(clamped * width * 8);
	const full = Math.floor(eighths / 8);
	const part = EIGHTHS[eighths % 8] ?? '';
	const filled = '█'.repeat(full) + part;
	const used = full + (part ? 1 : 0);
	return {filled, empty: '·'.repeat(width - used), over: fraction > 1};
}
