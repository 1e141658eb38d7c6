// Text that users and containers control (names, labels, paths, commands, errors, output),
// made safe to show on a terminal. Every place that prints such text goes through here.

/**
 * What a terminal must not receive raw: C0 controls (ESC starts every escape sequence, a
 * newline breaks a table row), DEL, C1 controls (\x9b is a one-byte CSI, \x9d an OSC), the
 * bidirectional marks, embeddings, overrides and isolates (they reorder what a reader sees),
 * zero-width characters (invisible, and they shift columns), and the Unicode line and
 * paragraph separators. A zero-width joiner between two emoji is kept: it draws one emoji.
 */
const WIDE_UNSAFE =
	'[\\u007f-\\u009f\\u061c\\u180e\\u200b\\u200c\\u200e\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]' +
	'|(?<!\\p{Extended_Pictographic}\\ufe0f?)\\u200d|\\u200d(?!\\p{Extended_Pictographic})';
const UNSAFE_SOURCE = `[\\u0000-\\u001f]|${WIDE_UNSAFE}`;

const UNSAFE_TEST = new RegExp(UNSAFE_SOURCE, 'u');
const UNSAFE = new RegExp(UNSAFE_SOURCE, 'gu');
// JSON.stringify escapes C0 itself, and pretty JSON holds newlines of its own.
const UNSAFE_IN_JSON_TEST = new RegExp(WIDE_UNSAFE, 'u');
const UNSAFE_IN_JSON = new RegExp(WIDE_UNSAFE, 'gu');

const SHORT: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

function escapeOne(char: string): string {
	const short = SHORT[char];
	if (short) return short;
	const code = char.charCodeAt(0);
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every unsafe character written as a visible escape: "\x1b", "\n", "\x9b",
 * "\u202e". Idempotent (its output has nothing left to escape) and cheap when there is
 * nothing to do, which is almost always.
 */
export function escapeControl(text: string): string {
	return UNSAFE_TEST.test(text) ? text.replace(UNSAFE, escapeOne) : text;
}

/**
 * JSON text (from JSON.stringify) with the unsafe characters JSON leaves raw (DEL, C1,
 * bidi, zero-width) written as \u escapes: the same value for a parser, harmless on a
 * terminal. JSON.stringify already escapes C0, and outside strings it writes only ASCII.
 */
export function escapeControlInJson(json: string): string {
	return UNSAFE_IN_JSON_TEST.test(json)
		? json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
		: json;
}
