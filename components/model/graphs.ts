// The CPU and memory panels for the selected container: a title line with the numbers that
// matter, then a braille plot with a y-axis gutter and the limit line.
import {brailleGraph, graphScale} from './braille.js';
import {fit, formatDuration, formatMb, formatPercent} from './format.js';
import type {Segment} from './segments.js';

export const GUTTER = 6;

export interface GraphPanelInput {
	kind: 'cpu' | 'mem';
	/** Oldest first, NaN where the container was not running. */
	samples: readonly number[];
	limit: number | null;
	width: number;
	rows: number;
	intervalMs: number;
}

function peak(values: readonly number[]): number | null {
	let best: number | null = null;
	for (const value of values) if (Number.isFinite(value) && (best === null || value > best)) best = value;
	return best;
}

/** The newest sample, or null when the newest is a gap (not running now). */
function latest(values: readonly number[]): number | null {
	const last = values[values.length - 1];
	return last !== undefined && Number.isFinite(last) ? last : null;
}

export function graphPanel({kind, samples, limit, width, rows, intervalMs}: GraphPanelInput): Segment[][] {
	const plotWidth = Math.max(1, width - GUTTER);
	const shown = samples.slice(-plotWidth * 2);
	const format = kind === 'cpu' ? formatPercent : formatMb;
	const now = latest(shown);
	const top = peak(shown);
	const title: Segment[] = [
		{text: kind === 'cpu' ? 'CPU ' : 'MEM ', bold: true, tone: 'accent'},
		{text: now === null ? 'not running' : format(now), bold: now !== null, tone: now === null ? 'dim' : undefined},
	];
	if (top !== null) title.push({text: '  peak ', tone: 'dim'}, {text: format(top)});
	title.push({text: '  limit ', tone: 'dim'}, {text: limit === null ? 'none' : format(limit), tone: limit === null ? 'dim' : 'limit'});
	if (kind === 'cpu') title.push({text: '  (100% = one core)', tone: 'dim'});
	if (shown.length > 1) title.push({text: `  last ${formatDuration(shown.length * intervalMs)}`, tone: 'dim'});

	const max = graphScale(shown, limit, kind === 'cpu' ? 10 : 16);
	const plot = brailleGraph({values: shown, width: plotWidth, height: rows, max, limit});
	const lines = plot.map((segments, row) => {
		const label = row === 0 ? format(max) : row === rows - 1 ? '0' : '';
		return [{text: `${fit(label, GUTTER - 1, 'right')}${row === 0 || row === rows - 1 ? '┤' : '│'}`, tone: 'dim' as const}, ...segments];
	});
	return [title, ...lines];
}
