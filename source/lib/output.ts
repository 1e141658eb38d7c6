// Writing to stdout and stderr so that nothing is lost: a pipe holds 64 KiB, and output
// beyond that waits in the process until the reader takes it.
import type {OutputStream} from './context.js';

/** Writes `text`; when the stream's buffer is full, resolves only once it has drained. */
export async function writeDrained(stream: OutputStream, text: string): Promise<void> {
	if (stream.write(text) === false && stream.once) {
		await new Promise<void>((resolve) => stream.once!('drain', resolve));
	}
}

/** Resolves once everything written so far to `stream` has been handed to the OS. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
	return new Promise((resolve) => {
		stream.write('', () => resolve());
	});
}
