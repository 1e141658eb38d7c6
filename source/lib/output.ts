// Writing to stdout and stderr so that nothing is lost: a pipe holds 64 KiB, and output
// beyond that waits in the process until the reader takes it.
import type {OutputStream} from './context.js';

/**
 * Writes `text`; when the stream's buffer is full, resolves only once it has drained, or
 * once `signal` aborts (Ctrl-C must end `logs -f` even when the reader has stopped reading).
 */
export async function writeDrained(stream: OutputStream, text: string, signal?: AbortSignal): Promise<void> {
	if (stream.write(text) !== false || !stream.once || signal?.aborted) return;
	await new Promise<void>((resolve) => {
		stream.once!('drain', resolve);
		signal?.addEventListener('abort', () => resolve(), {once: true});
	});
}

/** Resolves once everything written so far to `stream` has been handed to the OS. */
export function flushed(stream: NodeJS.WritableStream): Promise<void> {
	return new Promise((resolve) => {
		stream.write('', () => resolve());
	});
}
