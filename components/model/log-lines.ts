// One log line on screen: stream marker, the container's name in a merged log, optional
// time, text with search matches marked; and the rows it takes when long lines wrap.
import {clockTime} from './format.js';
import type {LogLine} from './log-buffer.js';
import {matchRanges} from './log-view.js';
import {nameTone, type Segment, wrapSegments} from './segments.js';
import {textWidth} from './width.js';

/** How the pane shows its lines: the `t` and `w` toggles, and the names' column. */
export interface LogLineStyle {
	showTime: boolean;
	wrap: boolean;
	/** Cells of the name column in a merged log (the longest name); 0 = no names. */
	nameWidth: number;
}

export function logLineSegments(line: LogLine, query: string, current: boolean, showTime: boolean, nameWidth = 0): Segment[] {
	const out: Segment[] = [line.stream === 'stderr' ? {text: '!', tone: 'stderr', bold: true} : {text: ' '}, {text: ' '}];
	if (nameWidth > 0 && line.name !== undefined) {
		const pad = Math.max(0, nameWidth - textWidth(line.name));
		out.push({text: `${line.name}${' '.repeat(pad)}`, tone: nameTone(line.source ?? 0)}, {text: ' │ ', tone: 'dim'});
	}
	if (showTime) out.push({text: `${clockTime(line.timestamp)} `, tone: 'dim'});
	const ranges = matchRanges(line.text, query);
	let at = 0;
	for (const [start, end] of ranges) {
		if (start > at) out.push({text: line.text.slice(at, start), tone: line.stream === 'stderr' ? 'stderr' : undefined});
		out.push({text: line.text.slice(start, end), tone: current ? 'current-match' : 'match'});
		at = end;
	}
	if (at < line.text.length || line.text.length === 0) {
		out.push({text: line.text.slice(at), tone: line.stream === 'stderr' ? 'stderr' : undefined});
	}
	return out;
}

/** Cells before a line's text: the marker, the name column, the time. */
export function logPrefixWidth(style: LogLineStyle): number {
	return 2 + (style.nameWidth > 0 ? style.nameWidth + 3 : 0) + (style.showTime ? 9 : 0);
}

/**
 * The screen rows of `lines` (oldest first) in a pane `rows` high and `width` wide. Without
 * wrap, one row a line. With wrap, a long line goes on in rows of its own, lined up under
 * its text; the newest line stays at the bottom and what does not fit drops off the top.
 */
export function logRows(
	lines: readonly LogLine[],
	rows: number,
	width: number,
	style: LogLineStyle,
	query: string,
	currentMatch: number | null,
): Segment[][] {
	const segmentsOf = (line: LogLine) => logLineSegments(line, query, line.seq === currentMatch, style.showTime, style.nameWidth);
	if (!style.wrap) return lines.slice(-rows).map(segmentsOf);
	const indent = logPrefixWidth(style);
	const out: Segment[][] = [];
	for (let i = lines.length - 1; i >= 0 && out.length < rows; i--) {
		out.unshift(...wrapSegments(segmentsOf(lines[i]!), width, indent));
	}
	return out.slice(-rows);
}
