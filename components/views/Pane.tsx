// A titled block of lines with a fixed height: the building block of every lower pane.
import {Box} from 'ink';
import type {Segment} from '../model/segments.js';
import {Line} from './Line.js';

export function paneTitle(text: string, focused: boolean, extra: Segment[] = []): Segment[] {
	return [{text: ` ${text} `, bold: true, inverse: focused, tone: focused ? undefined : 'accent'}, ...extra];
}

export function Pane({title, lines, height}: {title: Segment[] | null; lines: readonly Segment[][]; height: number}) {
	const body = title ? height - 1 : height;
	return (
		<Box flexDirection="column" height={height}>
			{title && <Line segments={title} />}
			{lines.slice(0, body).map((segments, index) => (
				// biome-ignore lint/suspicious/noArrayIndexKey: each element is a screen line: its position is its identity
				<Line key={index} segments={segments} />
			))}
		</Box>
	);
}
