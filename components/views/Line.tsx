// One terminal row. Ink measures a blank placeholder of the row's width and the transform
// swaps in the finished line when Ink writes its output. Two reasons: Ink keeps every text
// it has ever measured in a cache that is never emptied (a log pane would grow it without
// end), and measuring and colouring nested <Text> spans costs more than building the line.

import {Transform} from 'ink';
import {createContext, memo, useContext} from 'react';
import type {LineSlots} from '../line-slots.js';
import type {Segment} from '../model/segments.js';
import {segmentsToAnsi} from './ansi.js';
import {useScreenWidth, useTheme} from './theme.js';

/** In a terminal, where Lines hand Ink slots instead of their text (line-slots.ts). */
export const LineSlotsContext = createContext<LineSlots | null>(null);

const blanks = new Map<number, string>();

function placeholder(width: number): string {
	let text = blanks.get(width);
	if (text === undefined) {
		text = ' '.repeat(Math.max(1, width));
		blanks.set(width, text);
	}
	return text;
}

/** Segment by segment: the views build new lists on every render, most of them unchanged. */
export function sameSegments(a: readonly Segment[], b: readonly Segment[]): boolean {
	if (a === b) return true;
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) {
		const x = a[i]!;
		const y = b[i]!;
		if (x.text !== y.text || x.tone !== y.tone || !x.bold !== !y.bold || !x.inverse !== !y.inverse || !x.selected !== !y.selected) {
			return false;
		}
	}
	return true;
}

export const Line = memo(
	function Line({segments}: {segments: readonly Segment[]}) {
		const theme = useTheme();
		const width = useScreenWidth();
		const slots = useContext(LineSlotsContext);
		const text = segmentsToAnsi(segments, theme, width);
		return <Transform transform={() => (slots ? slots.put(text) : text)}>{placeholder(width)}</Transform>;
	},
	(previous, next) => sameSegments(previous.segments, next.segments),
);
