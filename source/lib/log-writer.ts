// Writes log entries back to the stream they came from, as `docker logs` does, or as JSON
// lines. The text is the container's own output, written as it is (docs/cli.md).
import type {LogEntry} from '../../engine/index.js';
import type {OutputStream} from './context.js';
import {jsonText} from './json.js';
import {writeDrained} from './output.js';

export function writeLogEntry(
	entry: LogEntry,
	out: {stdout: OutputStream; stderr: OutputStream},
	timestamps: boolean,
	signal?: AbortSignal,
): Promise<void> {
	const stream = entry.stream === 'stderr' ? out.stderr : out.stdout;
	return writeDrained(stream, timestamps ? `${entry.timestamp} ${entry.line}\n` : `${entry.line}\n`, signal);
}

/** The documented `logs --json` line: {"time", "stream", "text"}. */
export function writeLogJson(entry: LogEntry, stdout: OutputStream, signal?: AbortSignal): Promise<void> {
	return writeDrained(stdout, `${jsonText({time: entry.timestamp, stream: entry.stream, text: entry.line}, false)}\n`, signal);
}
