// One log line on screen: stream marker, optional time, text with search matches marked.
import {clockTime} from './format.js';
import type {LogLine} from './log-buffer.js';
import {matchRanges} from './log-view.js';
import type {Segment} from './segments.js';

export function logLineSegments(line: LogLine, query: string, current: boolean, showTime: boolean): Segment[] {
	const out: Segment[] = [line.stream === 'stderr' ? {text: '!', tone: 'stderr', bold: true} : {text: ' '}, {text: ' '}];
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
