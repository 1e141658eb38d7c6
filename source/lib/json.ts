import type {OutputStream} from './context.js';

/** Pretty JSON for scripts and people alike, always ending in a newline. */
export function writeJson(stream: OutputStream, value: unknown): void {
	stream.write(`${JSON.stringify(value, null, 2)}\n`);
}
