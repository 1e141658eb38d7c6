// A line of styled text as plain data: views render it, tests read it.
import type {Tone} from './row.js';
import {clipToWidth, textWidth} from './width.js';

export interface Segment {
	text: string;
	tone?: Tone | 'accent' | 'dim' | 'stderr' | 'match' | 'current-match' | 'graph' | 'limit' | NameTone;
	bold?: boolean;
	inverse?: boolean;
	/** Part of the selected row: a background with colour, inverse without. */
	selected?: boolean;
}

/** The colours that tell the containers of a merged log apart, one per name, in turn. */
export const NAME_TONES = ['name0', 'name1', 'name2', 'name3', 'name4', 'name5'] as const;
export type NameTone = (typeof NAME_TONES)[number];

export function nameTone(source: number): NameTone {
	return NAME_TONES[source % NAME_TONES.length]!;
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

/**
 * A segment list as rows of at most `width` cells: the first row as it starts, every further
 * row after `indent` blank cells (so wrapped text lines up under the text, not the prefix).
 */
export function wrapSegments(segments: readonly Segment[], width: number, indent = 0): Segment[][] {
	const hang = indent > 0 && indent <= width - 2 ? indent : 0;
	const rows: Segment[][] = [];
	let row: Segment[] = [];
	let used = 0;
	const newRow = () => {
		rows.push(row);
		row = hang > 0 ? [{text: ' '.repeat(hang)}] : [];
		used = hang;
	};
	for (const segment of segments) {
		let rest = segment.text;
		while (rest.length > 0) {
			const room = width - used;
			if (textWidth(rest) <= room) {
				row.push(rest === segment.text ? segment : {...segment, text: rest});
				used += textWidth(rest);
				break;
			}
			const piece = clipToWidth(rest, room);
			// A wide character that does not fit in the last cell goes to the next row; a row
			// that cannot take even one (narrower than the character) takes it anyway.
			const taken = piece.text.length > 0 ? piece.text : used === hang ? String.fromCodePoint(rest.codePointAt(0)!) : '';
			if (taken) row.push({...segment, text: taken});
			rest = rest.slice(taken.length);
			newRow();
		}
	}
	if (used > hang || rows.length === 0) rows.push(row);
	return rows;
}
