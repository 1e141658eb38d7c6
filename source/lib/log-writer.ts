// Writes log entries back to the stream they came from, as `docker logs` does.
import type {LogEntry} from '../../engine/index.js';
import type {OutputStream} from './context.js';

export function writeLogEntry(entry: LogEntry, out: {stdout: OutputStream; stderr: OutputStream}, timestamps: boolean): void {
	const stream = entry.stream === 'stderr' ? out.stderr : out.stdout;
	stream.write(timestamps ? `${entry.timestamp} ${entry.line}\n` : `${entry.line}\n`);
}
