// Aligned columns for people, docker style: upper-case headers, three spaces between columns.
import {visibleWidth} from './color.js';

const GAP = '   ';

export function renderTable(headers: string[], rows: string[][]): string {
	const widths = headers.map((header, column) =>
		Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[column] ?? ''))),
	);
	const line = (cells: string[]) =>
		cells
			.map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column]!)))
			.join(GAP)
			.trimEnd();
	return [line(headers), ...rows.map(line)].map((l) => `${l}\n`).join('');
}

function pad(cell: string, width: number): string {
	return cell + ' '.repeat(Math.max(0, width - visibleWidth(cell)));
}

/** Keeps the end of a long text (paths say most at their end): "…/bots/sample_bot.py". */
export function truncateStart(text: string, max: number): string {
	return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

export function truncateEnd(text: string, max: number): string {
	return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
