// The container table: column titles, then only the rows that fit, scrolled to keep the
// selection in view.

import {Box} from 'ink';
import {memo, useEffect, useRef} from 'react';
import {type CellContext, headerSegments, rowSegments} from '../model/cells.js';
import type {TableLayout} from '../model/columns.js';
import type {ContainerRow} from '../model/row.js';
import type {Segment} from '../model/segments.js';
import {scrollOffset} from '../model/selection.js';
import type {SortOrder} from '../model/sort.js';
import {Line} from './Line.js';

export interface ContainerTableProps {
	rows: readonly ContainerRow[];
	selectedIndex: number;
	height: number;
	layout: TableLayout;
	sort: SortOrder;
	cells: CellContext;
	focused: boolean;
	/** The active filter, to explain an empty table. */
	filter: string;
	totalCount: number;
	/** Told the ids of the rows on screen whenever they change (the store samples those on every tick). */
	onShown?: (ids: readonly string[]) => void;
}

export const ContainerTable = memo(function ContainerTable(props: ContainerTableProps) {
	const {rows, selectedIndex, height, layout, sort, cells, focused, filter, totalCount, onShown} = props;
	const offsetRef = useRef(0);
	const offset = scrollOffset(selectedIndex, offsetRef.current, height, rows.length);
	offsetRef.current = offset;
	const shownKey = rows
		.slice(offset, offset + Math.max(0, height))
		.map((row) => row.meta.id)
		.join(' ');
	useEffect(() => onShown?.(shownKey === '' ? [] : shownKey.split(' ')), [shownKey, onShown]);

	const title = headerSegments(layout, sort);
	if (rows.length > height) {
		title.push({text: `  ${offset + 1}-${Math.min(offset + height, rows.length)}/${rows.length}`, tone: 'dim'});
	}
	const lines: Segment[][] = [];
	for (let i = offset; i < Math.min(rows.length, offset + height); i++) {
		const row = rows[i]!;
		const selected = i === selectedIndex;
		const segments = rowSegments(row, layout, cells, selected);
		lines.push(selected && focused ? segments.map((segment) => ({...segment, selected: true})) : segments);
	}
	if (rows.length === 0) {
		lines.push([
			{
				text:
					totalCount === 0
						? '  No containers yet. Create one with: c32 run <image or command>'
						: `  No container matches "${filter}" (Esc clears the filter)`,
				tone: 'dim',
			},
		]);
	}
	return (
		<Box flexDirection="column" height={height + 1}>
			<Line segments={title} />
			{lines.map((segments, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: each element is a screen line: its position is its identity
				<Line key={index} segments={segments} />
			))}
		</Box>
	);
});
