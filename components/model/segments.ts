// A line of styled text as plain data: views render it, tests read it.
import type {Tone} from './row.js';

export interface Segment {
	text: string;
	tone?: Tone | 'accent' | 'dim' | 'stderr' | 'match' | 'current-match' | 'graph' | 'limit';
	bold?: boolean;
	inverse?: boolean;
	/** Part of the selected row: a background with colour, inverse without. */
	selected?: boolean;
}

export function plain(segments: readonly Segment[]): string {
	return segments.map((segment) => segment.text).join('');
}

/** Cuts a segment list to `width` cells, padding with spaces when it is shorter. */
export function clipSegments(segments: readonly Segment[], width: number, pad = true): Segment[] {
	const out: Segment[] = [];
	let used = 0;
	for (const segment of segments) {
		if (used >= width) break;
		const room = width - used;
		const chars = Array.from(segment.text);
		if (chars.length <= room) {
			out.push(segment);
			used += chars.length;
		} else {
			out.push({...segment, text: chars.slice(0, room).join('')});
			used = width;
		}
	}
	if (pad && used < width) out.push({text: ' '.repeat(width - used)});
	return out;
}
