// The fake driver's log: the k8s-file format conmon writes, with a size cap: when the
// next record would pass it, the file is rotated to <log>.1 and a fresh one started.
import fs from 'node:fs';
import type {LogStream} from '../../engine/types.js';

/** RFC 3339 with nanoseconds, like conmon's timestamps (the fraction past ms is zero). */
export function k8sTimestamp(date = new Date()): string {
	return `${date.toISOString().slice(0, 23)}000000Z`;
}

/** Splits a chunk of output into k8s-file records; a trailing fragment becomes a partial (P) record. */
export function formatRecords(stream: LogStream, chunk: string, timestamp: string): string[] {
	const records: string[] = [];
	const lines = chunk.split('\n');
	const last = lines.pop()!;
	for (const line of lines) records.push(`${timestamp} ${stream} F ${line}\n`);
	if (last !== '') records.push(`${timestamp} ${stream} P ${last}\n`);
	return records;
}

export class K8sLogWriter {
	private fd: number;
	private size: number;

	constructor(
		private readonly file: string,
		private readonly sizeMax: number,
	) {
		this.fd = fs.openSync(file, 'a', 0o640);
		this.size = fs.fstatSync(this.fd).size;
	}

	write(stream: LogStream, chunk: string): void {
		for (const record of formatRecords(stream, chunk, k8sTimestamp())) {
			const bytes = Buffer.byteLength(record);
			if (this.size > 0 && this.size + bytes > this.sizeMax) this.rotate();
			fs.writeSync(this.fd, record);
			this.size += bytes;
		}
	}

	private rotate(): void {
		fs.closeSync(this.fd);
		fs.renameSync(this.file, `${this.file}.1`);
		this.fd = fs.openSync(this.file, 'w', 0o640);
		this.size = 0;
	}

	close(): void {
		fs.closeSync(this.fd);
	}
}
