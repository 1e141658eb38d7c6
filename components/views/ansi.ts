// Styled segments to one line of SGR-coded text, cut to a width. The dashboard builds its
// lines itself and hands Ink finished strings (see Line.tsx).
import {escapeControl} from '../../engine/text.js';
import type {Segment} from '../model/segments.js';
import {clipToWidth} from '../model/width.js';
import {segmentStyle, type TextStyle, type Theme} from './theme.js';

const FOREGROUND: Record<string, number> = {
	black: 30,
	red: 31,
	green: 32,
	yellow: 33,
	blue: 34,
	magenta: 35,
	cyan: 36,
	white: 37,
	gray: 90,
};
const BACKGROUND: Record<string, number> = {
	black: 40,
	red: 41,
	green: 42,
	yellow: 43,
	blue: 44,
	magenta: 45,
	cyan: 46,
	white: 47,
	gray: 100,
};

export function sgr(style: TextStyle): string {
	const codes: number[] = [];
	if (style.bold) codes.push(1);
	if (style.dimColor) codes.push(2);
	if (style.inverse) codes.push(7);
	if (style.color && FOREGROUND[style.color] !== undefined) codes.push(FOREGROUND[style.color]!);
	if (style.backgroundColor && BACKGROUND[style.backgroundColor] !== undefined) codes.push(BACKGROUND[style.backgroundColor]!);
	return codes.length > 0 ? `\x1b[${codes.join(';')}m` : '';
}

const RESET = '\x1b[0m';

export function segmentsToAnsi(segments: readonly Segment[], theme: Theme, width: number): string {
	let out = '';
	let room = width;
	for (const segment of segments) {
		if (room <= 0) break;
		// The one way dashboard text reaches the terminal: whatever a name, label, path, error or
		// log line holds, no control character gets through raw.
		const clipped = clipToWidth(escapeControl(segment.text), room);
		if (clipped.text === '') continue;
		room -= clipped.width;
		const open = sgr(segmentStyle(segment, theme));
		out += open ? `${open}${clipped.text}${RESET}` : clipped.text;
	}
	return out;
}
