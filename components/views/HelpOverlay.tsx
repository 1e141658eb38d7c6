// Every key, laid out in as many columns as the width allows.
import {Box} from 'ink';
import {fit} from '../model/format.js';
import {HELP} from '../model/help.js';
import type {Segment} from '../model/segments.js';
import {Pane, paneTitle} from './Pane.js';

const KEY_WIDTH = 10;
const COLUMN_WIDTH = 40;

/** Splits blocks, in order, into `columns` runs so that the tallest run is as short as it can be. */
export function packColumns(heights: readonly number[], columns: number): number[][] {
	if (columns <= 1 || heights.length <= 1) return [heights.map((_, index) => index)];
	let best: number[][] = [];
	let bestHeight = Number.POSITIVE_INFINITY;
	for (let first = 1; first <= heights.length - 1; first++) {
		const head = heights.slice(0, first).reduce((sum, height) => sum + height, 0);
		const rest = packColumns(heights.slice(first), columns - 1).map((run) => run.map((index) => index + first));
		const tallest = Math.max(head, ...rest.map((run) => run.reduce((sum, index) => sum + heights[index]!, 0)));
		if (tallest < bestHeight) {
			bestHeight = tallest;
			best = [Array.from({length: first}, (_, index) => index), ...rest];
		}
	}
	return best;
}

export function helpLines(width: number): Segment[][] {
	const columns = Math.max(1, Math.min(HELP.length, Math.floor(width / COLUMN_WIDTH)));
	const columnWidth = columns === 1 ? width : Math.floor(width / columns);
	const blocks = HELP.map((section) => [
		[{text: section.title, bold: true, tone: 'accent' as const}],
		...section.keys.map(([key, description]): Segment[] => [
			{text: fit(key, KEY_WIDTH), bold: true},
			{text: fit(description, columnWidth - KEY_WIDTH - 3)},
		]),
		[],
	]);
	const stacks = packColumns(
		blocks.map((block) => block.length),
		columns,
	).map((run) => run.flatMap((index) => blocks[index]!));
	const rows = Math.max(...stacks.map((stack) => stack.length));
	const out: Segment[][] = [];
	for (let row = 0; row < rows; row++) {
		const line: Segment[] = [];
		stacks.forEach((stack, index) => {
			const cell = stack[row] ?? [];
			const used = cell.reduce((sum, segment) => sum + segment.text.length, 0);
			line.push({text: '  '}, ...cell);
			if (index < stacks.length - 1) line.push({text: ' '.repeat(Math.max(0, columnWidth - 2 - used))});
		});
		out.push(line);
	}
	return out;
}

export function HelpOverlay({width, height}: {width: number; height: number}) {
	const lines = helpLines(width);
	const title = paneTitle('Keys', true, [{text: '  any key closes', tone: 'dim'}]);
	const room = height - 1;
	const clipped =
		lines.length > room ? [...lines.slice(0, room - 1), [{text: '  … (a taller terminal shows every key)', tone: 'dim' as const}]] : lines;
	return (
		<Box flexDirection="column" height={height}>
			<Pane title={title} lines={clipped} height={height} />
		</Box>
	);
}
