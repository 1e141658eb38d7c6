// Reading container logs in the k8s-file format that conmon writes (at every isolation level):
// "<RFC3339Nano timestamp> <stdout|stderr> <F|P> <text>". P marks a partial line that
// continues in the next record.
import fs from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error} from './errors.js';
import {byCodeUnit} from './order.js';
import type {LogEntry, LogOptions, LogStream} from './types.js';

export interface LogRecord {
	timestamp: string;
	stream: LogStream;
	partial: boolean;
	text: string;
}

export function parseLogLine(line: string): LogRecord | null {
	const first = line.indexOf(' ');
	const second = line.indexOf(' ', first + 1);
	const third = line.indexOf(' ', second + 1);
	if (first < 0 || second < 0) return null;
	const stream = line.slice(first + 1, second);
	if (stream !== 'stdout' && stream !== 'stderr') return null;
	const tag = third < 0 ? line.slice(second + 1) : line.slice(second + 1, third);
	return {
		timestamp: line.slice(0, first),
		stream,
		partial: tag === 'P',
		text: third < 0 ? '' : line.slice(third + 1),
	};
}

/** Joins partial records into whole lines, per stream. Keeps state across chunks. */
export class LineAssembler {
	private pending: Partial<Record<LogStream, {timestamp: string; text: string}>> = {};

	push(record: LogRecord): LogEntry | null {
		const pending = this.pending[record.stream];
		const text = (pending?.text ?? '') + record.text;
		const timestamp = pending?.timestamp ?? record.timestamp;
		if (record.partial) {
			this.pending[record.stream] = {timestamp, text};
			return null;
		}
		delete this.pending[record.stream];
		return {timestamp: normalizeTimestamp(timestamp), stream: record.stream, line: text};
	}

	/** The partial lines still pending, as entries: output that ended without a newline. */
	flush(): LogEntry[] {
		const entries = Object.entries(this.pending).map(([stream, p]) => ({
			timestamp: normalizeTimestamp(p.timestamp),
			stream: stream as LogStream,
			line: p.text,
		}));
		this.pending = {};
		return entries.sort((a, b) => byCodeUnit(a.timestamp, b.timestamp));
	}
}

/** conmon writes local time with an offset and nanoseconds; entries carry UTC ISO with ns kept. */
export function normalizeTimestamp(timestamp: string): string {
	const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(timestamp);
	if (!match) return timestamp;
	const fraction = (match[2] ?? '.0').slice(1).padEnd(9, '0').slice(0, 9);
	const base = new Date(`${match[1]}${match[3]}`);
	return `${base.toISOString().slice(0, 19)}.${fraction}Z`;
}

/** "10m", "2h", "30s", "1d" or an ISO date → epoch ms. */
export function parseSince(since: string, now = Date.now()): number {
	const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(since.trim());
	if (duration) {
		const unit = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000}[duration[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
		return now - Number(duration[1]) * unit;
	}
	const time = Date.parse(since);
	if (Number.isNaN(time)) {
		throw new C32Error('INVALID_CONFIG', `invalid since ${JSON.stringify(since)}: use a duration such as 10m, 2h, 30s or an ISO date`);
	}
	return time;
}

/**
 * conmon 2.1 truncates a full log by renaming a fresh file over it. Keeping a hard link to
 * each generation turns that into a rotation: ctr.log.1 holds the previous generation.
 * Called whenever c32 touches the log, so any reader keeps the chain going.
 */
export function preserveLogGeneration(log: string): void {
	const keep = `${log}.keep`;
	try {
		const current = fs.statSync(log);
		let kept: fs.Stats | null = null;
		try {
			kept = fs.statSync(keep);
		} catch {
			kept = null;
		}
		if (kept && kept.ino === current.ino) return;
		if (kept) fs.renameSync(keep, `${log}.1`);
		fs.linkSync(log, keep);
	} catch {
		// No log yet, or another process did the same at the same moment.
	}
}

interface Window {
	stream: LogOptions['stream'];
	sinceMs: number | null;
	untilMs: number | null;
}

function windowOf(options: LogOptions): Window {
	return {
		stream: options.stream,
		sinceMs: options.since === undefined ? null : parseSince(options.since),
		untilMs: options.until === undefined ? null : parseUntil(options.until),
	};
}

/** --until: the same forms as since; a duration counts back from now too. */
function parseUntil(until: string): number {
	try {
		return parseSince(until);
	} catch {
		throw new C32Error('INVALID_CONFIG', `invalid until ${JSON.stringify(until)}: use a duration such as 10m, 2h, 30s or an ISO date`);
	}
}

function matches(entry: LogEntry, window: Window): boolean {
	if (window.stream && window.stream !== 'both' && entry.stream !== window.stream) return false;
	if (window.sinceMs === null && window.untilMs === null) return true;
	const time = Date.parse(entry.timestamp);
	return (window.sinceMs === null || time >= window.sinceMs) && (window.untilMs === null || time <= window.untilMs);
}

/** Every entry in the rotated and current log files, oldest first. */
export function readLogEntries(
	log: string,
	options: LogOptions & {truncatingWriter?: boolean; keepPartial?: boolean} = {},
	assembler = new LineAssembler(),
	/** Filled with where reading the current file stopped, for a follow to go on from. */
	position?: {inode: number; offset: number},
): LogEntry[] {
	if (options.truncatingWriter) preserveLogGeneration(log);
	const window = windowOf(options);
	const entries: LogEntry[] = [];
	for (const file of [`${log}.1`, log]) {
		let text: string;
		try {
			const fd = fs.openSync(file, 'r');
			try {
				let content = fs.readFileSync(fd);
				if (file === log && position) {
					// The writer may be in the middle of a record: a follow goes on from the last whole one.
					content = content.subarray(0, content.lastIndexOf(0x0a) + 1);
					position.inode = fs.fstatSync(fd).ino;
					position.offset = content.length;
				}
				text = content.toString('utf8');
			} finally {
				fs.closeSync(fd);
			}
		} catch {
			continue;
		}
		for (const line of text.split('\n')) {
			const record = line ? parseLogLine(line) : null;
			const entry = record && assembler.push(record);
			if (entry && matches(entry, window)) entries.push(entry);
		}
	}
	if (!options.keepPartial) entries.push(...assembler.flush().filter((entry) => matches(entry, window)));
	return options.tail === undefined ? entries : options.tail <= 0 ? [] : entries.slice(-options.tail);
}

export interface FollowOptions extends LogOptions {
	/** The writer truncates instead of rotating (conmon 2.1): keep each generation by hard link. */
	truncatingWriter?: boolean;
	signal?: AbortSignal;
	/** True while the container may still write: following ends once it is false and the log is drained. */
	isLive: () => Promise<boolean>;
	pollMs?: number;
}

/** The existing entries (per tail/since/until), then new ones as they are written, across rotations. */
export async function* followLog(log: string, options: FollowOptions): AsyncGenerator<LogEntry> {
	const {existing, updates} = openFollow(log, options);
	yield* existing;
	yield* updates;
}

/**
 * A follow in two parts: the entries recorded so far (read now), and an iterable of those
 * written after them. Following ends once the writer is gone (isLive) or the until time passed.
 */
export function openFollow(log: string, options: FollowOptions): {existing: LogEntry[]; updates: AsyncGenerator<LogEntry>} {
	// A trailing partial line stays in the assembler: the follow sees how it continues.
	const assembler = new LineAssembler();
	const start = {inode: -1, offset: 0};
	const existing = readLogEntries(log, {...options, keepPartial: true}, assembler, start);
	return {existing, updates: followUpdates(log, options, assembler, start)};
}

async function* followUpdates(
	log: string,
	options: FollowOptions,
	assembler: LineAssembler,
	start: {inode: number; offset: number},
): AsyncGenerator<LogEntry> {
	const window = windowOf(options);
	const pollMs = options.pollMs ?? 100;

	let fd: number | null = null;
	let inode = -1;
	let position = 0;
	try {
		fd = fs.openSync(log, 'r');
		inode = fs.fstatSync(fd).ino;
		position = inode === start.inode ? start.offset : 0;
	} catch {
		fd = null;
	}
	let carry = '';
	const buffer = Buffer.alloc(256 * 1024);

	const drain = function* (): Generator<LogEntry> {
		if (fd === null) return;
		for (;;) {
			const read = fs.readSync(fd, buffer, 0, buffer.length, position);
			if (read <= 0) break;
			position += read;
			const lines = (carry + buffer.toString('utf8', 0, read)).split('\n');
			carry = lines.pop() ?? '';
			for (const line of lines) {
				// Aborted while the reader handled the last entry: nothing more, not even the rest of this read.
				if (options.signal?.aborted) return;
				const record = line ? parseLogLine(line) : null;
				const entry = record && assembler.push(record);
				if (entry && matches(entry, window)) yield entry;
			}
		}
	};

	try {
		for (;;) {
			if (options.signal?.aborted) return;
			yield* drain();
			let rotated = false;
			try {
				const stat = fs.statSync(log);
				if (stat.ino !== inode) {
					// The old generation is complete: read its tail, then switch to the new file.
					yield* drain();
					if (fd !== null) fs.closeSync(fd);
					fd = fs.openSync(log, 'r');
					inode = stat.ino;
					position = 0;
					carry = '';
					rotated = true;
					if (options.truncatingWriter) preserveLogGeneration(log);
				} else if (stat.size < position) {
					position = 0; // truncated in place
					carry = '';
					rotated = true;
				}
			} catch {
				// No log file yet.
			}
			if (rotated) continue;
			const pastUntil = window.untilMs !== null && Date.now() > window.untilMs;
			if (pastUntil || !(await options.isLive())) {
				yield* drain();
				for (const entry of assembler.flush()) if (matches(entry, window)) yield entry;
				return;
			}
			await sleep(pollMs, undefined, {signal: options.signal}).catch(() => {});
		}
	} finally {
		if (fd !== null) fs.closeSync(fd);
	}
}
