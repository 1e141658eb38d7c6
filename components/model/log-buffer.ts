// The log pane's memory: a capped ring of sanitised lines with absolute sequence numbers,
// so a scrolled-back view stays on the same lines while new ones arrive and old ones drop.
import type {LogEntry, LogStream} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';

export interface LogLine {
	seq: number;
	timestamp: string;
	stream: LogStream;
	text: string;
	/** In a merged log: the container that wrote it, and its place among them (its colour). */
	name?: string;
	source?: number;
}

/** What the buffer takes: a log entry, with its container in a merged log. */
export interface BufferEntry extends LogEntry {
	name?: string;
	source?: number;
}

/** Longer lines are cut: one runaway line must not cost megabytes per frame. */
export const MAX_LINE_LENGTH = 2000;

// CSI; OSC (ended by BEL or ST); DCS, PM and APC strings; any other escape (with its
// intermediate bytes, as in ESC ( B). Colours and titles mean nothing in a pane: they go.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[P^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?/g;

/**
 * Makes container output safe to put on our terminal: escape sequences removed, carriage
 * returns and tabs applied, and any control character left over shown escaped ("\x07").
 */
export function sanitizeLine(raw: string): string {
	let text = raw.replace(ANSI, '');
	// A carriage return redraws the line (progress bars): what shows is what came last.
	const cr = text.lastIndexOf('\r', text.length - 2);
	if (cr >= 0) text = text.slice(cr + 1);
	text = text.replace(/\r$/, '');
	if (text.includes('\t')) {
		let out = '';
		for (const char of text) out += char === '\t' ? ' '.repeat(8 - (out.length % 8)) : char;
		text = out;
	}
	text = escapeControl(text);
	return text.length > MAX_LINE_LENGTH ? `${text.slice(0, MAX_LINE_LENGTH - 1)}…` : text;
}

export class LogBuffer {
	private readonly ring: (LogLine | undefined)[];
	private start = 0;
	private size = 0;
	/** Sequence number the next appended line gets. */
	nextSeq = 0;
	/** Bumped on every change, for memoising work that depends on the contents. */
	version = 0;

	constructor(readonly capacity: number) {
		this.ring = new Array(capacity);
	}

	get length(): number {
		return this.size;
	}

	/** Sequence number of the oldest line still kept. */
	get firstSeq(): number {
		return this.nextSeq - this.size;
	}

	append(entries: readonly BufferEntry[]): void {
		if (entries.length === 0) return;
		// Of a batch larger than the ring only the tail could survive: skip the rest unsanitised.
		const skip = Math.max(0, entries.length - this.capacity);
		this.nextSeq += skip;
		for (let i = skip; i < entries.length; i++) {
			const entry = entries[i]!;
			const line: LogLine = {
				seq: this.nextSeq++,
				timestamp: entry.timestamp,
				stream: entry.stream,
				text: sanitizeLine(entry.line),
			};
			if (entry.name !== undefined) {
				line.name = escapeControl(entry.name);
				line.source = entry.source ?? 0;
			}
			const slot = (this.start + this.size) % this.capacity;
			this.ring[slot] = line;
			if (this.size < this.capacity) this.size++;
			else this.start = (this.start + 1) % this.capacity;
		}
		this.version++;
	}

	get(seq: number): LogLine | undefined {
		const offset = seq - this.firstSeq;
		if (offset < 0 || offset >= this.size) return undefined;
		return this.ring[(this.start + offset) % this.capacity];
	}

	/** Lines with fromSeq <= seq < toSeq that are still kept. */
	range(fromSeq: number, toSeq: number): LogLine[] {
		const out: LogLine[] = [];
		const from = Math.max(fromSeq, this.firstSeq);
		const to = Math.min(toSeq, this.nextSeq);
		for (let seq = from; seq < to; seq++) {
			const line = this.get(seq);
			if (line) out.push(line);
		}
		return out;
	}

	clear(): void {
		this.ring.fill(undefined);
		this.start = 0;
		this.size = 0;
		this.version++;
	}
}
