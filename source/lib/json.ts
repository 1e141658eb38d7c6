import {escapeControlInJson} from '../../engine/text.js';
import type {OutputStream} from './context.js';

/** JSON text that is also safe on a terminal (no raw C1 or bidi characters in strings). */
export function jsonText(value: unknown, pretty = true): string {
	return escapeControlInJson(JSON.stringify(value, null, pretty ? 2 : undefined));
}

/** Pretty JSON for scripts and people alike, always ending in a newline. */
export function writeJson(stream: OutputStream, value: unknown): void {
	stream.write(`${jsonText(value)}\n`);
}

/** One compact JSON value a line (JSON Lines), for streams of records. */
export function writeJsonLine(stream: OutputStream, value: unknown): void {
	stream.write(`${jsonText(value, false)}\n`);
}
