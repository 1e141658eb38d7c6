// Aligned columns for people, docker style: upper-case headers, three spaces between columns.
// Every cell is user-controlled text as far as this module knows: it is escaped here, once,
// and colour is applied after, so escape codes of our own are never escaped or measured.
import {escapeControl} from '../../engine/text.js';
import {visibleWidth} from './color.js';

/** A cell: plain text, or text with a style (a palette colour) applied after padding. */
export type Cell = string | {text: string; style: (text: string) => string};

const GAP = '   ';

export function renderTable(headers: string[], rows: Cell[][]): string {
	const body = rows.map((row) => row.map(styledText));
	const widths = headers.map((header, column) =>
		Math.max(visibleWidth(header), ...body.map((row) => visibleWidth(row[column]?.text ?? ''))),
	);
	const line = (cells: StyledText[]) =>
		cells
			.map(({text, style}, column) => {
				const blanks = column === cells.length - 1 ? '' : ' '.repeat(Math.max(0, widths[column]! - visibleWidth(text)));
				return (style ? style(text) : text) + blanks;
			})
			.join(GAP)
			.trimEnd();
	return [line(headers.map((text) => ({text}))), ...body.map(line)].map((l) => `${l}\n`).join('');
}

interface StyledText {
	text: string;
	style?: (text: string) => string;
}

function styledText(cell: Cell): StyledText {
	return typeof cell === 'string' ? {text: escapeControl(cell)} : {text: escapeControl(cell.text), style: cell.style};
}

/** Keeps the end of a long text (paths say most at their end): "…/workers/bot.py". */
export function truncateStart(text: string, max: number): string {
	return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

export function truncateEnd(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
