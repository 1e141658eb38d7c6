// Display width of text in terminal cells, and cutting text to a width. Most of what the
// dashboard draws (ASCII, box drawing, blocks, braille) is one cell per character and takes
// the fast path; container output may hold anything and is measured per grapheme.

// One cell each and never part of a wider cluster: printable ASCII, Latin-1 and extended
// Latin, general punctuation, arrows, box drawing, blocks, most geometric shapes, braille.
const NARROW = /^[\u0020-\u007e\u00a0-\u02ff\u2010-\u2027\u2030-\u205e\u2190-\u21ff\u2500-\u25fc\u2800-\u28ff]*$/;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: the class lists zero-width code points one by one, on purpose
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f]+$/u;
const EMOJI = /\p{Emoji_Presentation}|\ufe0f/u;

// East Asian Wide and Fullwidth blocks (Unicode EastAsianWidth.txt, W and F, by block).
const WIDE: readonly [number, number][] = [
	[0x1100, 0x115f],
	[0x231a, 0x231b],
	[0x2329, 0x232a],
	[0x23e9, 0x23ec],
	[0x23f0, 0x23f0],
	[0x23f3, 0x23f3],
	[0x25fd, 0x25fe],
	[0x2614, 0x2615],
	[0x2648, 0x2653],
	[0x267f, 0x267f],
	[0x2693, 0x2693],
	[0x26a1, 0x26a1],
	[0x26aa, 0x26ab],
	[0x26bd, 0x26be],
	[0x26c4, 0x26c5],
	[0x26ce, 0x26ce],
	[0x26d4, 0x26d4],
	[0x26ea, 0x26ea],
	[0x26f2, 0x26f3],
	[0x26f5, 0x26f5],
	[0x26fa, 0x26fa],
	[0x26fd, 0x26fd],
	[0x2705, 0x2705],
	[0x270a, 0x270b],
	[0x2728, 0x2728],
	[0x274c, 0x274c],
	[0x274e, 0x274e],
	[0x2753, 0x2755],
	[0x2757, 0x2757],
	[0x2795, 0x2797],
	[0x27b0, 0x27b0],
	[0x27bf, 0x27bf],
	[0x2b1b, 0x2b1c],
	[0x2b50, 0x2b50],
	[0x2b55, 0x2b55],
	[0x2e80, 0x303e],
	[0x3041, 0x33ff],
	[0x3400, 0x4dbf],
	[0x4e00, 0x9fff],
	[0xa000, 0xa4cf],
	[0xa960, 0xa97f],
	[0xac00, 0xd7a3],
	[0xf900, 0xfaff],
	[0xfe10, 0xfe19],
	[0xfe30, 0xfe6f],
	[0xff00, 0xff60],
	[0xffe0, 0xffe6],
	[0x16fe0, 0x16fe4],
	[0x17000, 0x18cff],
	[0x1b000, 0x1b2ff],
	[0x1f004, 0x1f004],
	[0x1f0cf, 0x1f0cf],
	[0x1f18e, 0x1f18e],
	[0x1f191, 0x1f19a],
	[0x1f200, 0x1f251],
	[0x1f300, 0x1f64f],
	[0x1f680, 0x1f6ff],
	[0x1f7e0, 0x1f7eb],
	[0x1f90c, 0x1f9ff],
	[0x1fa70, 0x1faff],
	[0x20000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
	let low = 0;
	let high = WIDE.length - 1;
	while (low <= high) {
		const middle = (low + high) >> 1;
		const [from, to] = WIDE[middle]!;
		if (codePoint < from) high = middle - 1;
		else if (codePoint > to) low = middle + 1;
		else return true;
	}
	return false;
}

const segmenter = new Intl.Segmenter();

/** Cells one grapheme cluster takes: 0, 1 or 2. */
export function graphemeWidth(grapheme: string): number {
	if (NARROW.test(grapheme)) return grapheme.length > 0 ? 1 : 0;
	if (ZERO_WIDTH.test(grapheme)) return 0;
	if (EMOJI.test(grapheme)) return 2;
	return isWide(grapheme.codePointAt(0) ?? 0) ? 2 : 1;
}

export function textWidth(text: string): number {
	if (NARROW.test(text)) return text.length;
	let width = 0;
	for (const {segment} of segmenter.segment(text)) width += graphemeWidth(segment);
	return width;
}

/** The longest start of `text` that fits in `width` cells. */
export function clipToWidth(text: string, width: number): {text: string; width: number} {
	if (width <= 0) return {text: '', width: 0};
	if (NARROW.test(text)) return text.length <= width ? {text, width: text.length} : {text: text.slice(0, width), width};
	let used = 0;
	let end = 0;
	for (const {segment, index} of segmenter.segment(text)) {
		const cells = graphemeWidth(segment);
		if (used + cells > width) break;
		used += cells;
		end = index + segment.length;
	}
	return {text: text.slice(0, end), width: used};
}

/** The longest end of `text` that fits in `width` cells. */
export function clipEndToWidth(text: string, width: number): {text: string; width: number} {
	if (width <= 0) return {text: '', width: 0};
	if (NARROW.test(text)) return text.length <= width ? {text, width: text.length} : {text: text.slice(text.length - width), width};
	const graphemes = [...segmenter.segment(text)];
	let used = 0;
	let start = text.length;
	for (let i = graphemes.length - 1; i >= 0; i--) {
		const {segment, index} = graphemes[i]!;
		const cells = graphemeWidth(segment);
		if (used + cells > width) break;
		used += cells;
		start = index;
	}
	return {text: text.slice(start), width: used};
}
