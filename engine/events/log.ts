// The events log: one JSON line per event under the storage root, appended by whichever c32
// process observed the change (the CLI, the exit command, the health scheduler). Bounded: past
// MAX_LOG_BYTES the file is rotated to one older generation, so at most twice that is kept.
// A line is written with one write(2) on an O_APPEND descriptor and kept under PIPE_BUF, so
// concurrent writers never interleave inside a line; one writer at a time rotates.
import fs from 'node:fs';
import path from 'node:path';
import type {StorageLayout} from '../paths.js';
import {dispatchEvent} from './dispatch.js';
import type {ContainerHook} from './hooks.js';
import type {C32Event, NewEvent} from './types.js';

export const MAX_LOG_BYTES = 1024 * 1024;
/** Longest line: POSIX guarantees an O_APPEND write this short is not interleaved with another. */
export const MAX_LINE_BYTES = 4096;

export const eventsDir = (layout: StorageLayout) => path.join(layout.storageDir, 'events');
export const eventsFile = (layout: StorageLayout) => path.join(eventsDir(layout), 'events.log');
export const rotatedEventsFile = (layout: StorageLayout) => `${eventsFile(layout)}.1`;

const {O_WRONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW} = fs.constants;

/** Completes an emitter's event: the time now, no labels, no attributes unless given. */
export function completeEvent(event: NewEvent, now: Date = new Date()): C32Event {
	return {
		time: event.time ?? now.toISOString(),
		subject: event.subject,
		event: event.event,
		id: event.id,
		name: event.name,
		labels: event.labels ?? {},
		attributes: event.attributes ?? {},
	};
}

/** The event's line, cut to fit MAX_LINE_BYTES: long attribute strings are shortened first. */
export function eventLine(event: C32Event): string {
	let line = `${JSON.stringify(event)}\n`;
	if (Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
	const attributes = Object.fromEntries(
		Object.entries(event.attributes).map(([key, value]) => [key, typeof value === 'string' ? value.slice(0, 256) : value]),
	);
	line = `${JSON.stringify({...event, attributes, labels: {}})}\n`;
	if (Buffer.byteLength(line) <= MAX_LINE_BYTES) return line;
	return `${JSON.stringify({...event, attributes: {truncated: true}, labels: {}})}\n`;
}

/**
 * Appends one event, then starts the hooks and webhooks it sets off (dispatch.ts), detached.
 * Never throws: an event that cannot be recorded (a full disk) must not break the lifecycle
 * change it describes. Returns the event as written, or null. `context.hooks`: the
 * container's own hooks when the caller has its record at hand (else they are read from it).
 */
export function appendEvent(layout: StorageLayout, event: NewEvent, context: {hooks?: ContainerHook[]} = {}): C32Event | null {
	const complete = completeEvent(event);
	try {
		const file = eventsFile(layout);
		fs.mkdirSync(eventsDir(layout), {recursive: true, mode: 0o700});
		rotateIfFull(layout, file);
		const fd = fs.openSync(file, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
		try {
			fs.writeSync(fd, eventLine(complete));
		} finally {
			fs.closeSync(fd);
		}
		dispatchEvent(layout, complete, context.hooks);
		return complete;
	} catch {
		return null;
	}
}

/**
 * Only one writer rotates: the one that creates the rotation lock (O_EXCL), and only if the
 * file is still full once it holds it, so two writers that both saw a full file never rotate
 * twice (which would drop a whole generation). Any failure here leaves the file as it is: the
 * event is still appended, a little past the cap.
 */
function rotateIfFull(layout: StorageLayout, file: string): void {
	if ((fs.lstatSync(file, {throwIfNoEntry: false})?.size ?? 0) < MAX_LOG_BYTES) return;
	const lock = path.join(eventsDir(layout), 'rotate.lock');
	let fd: number;
	try {
		fd = fs.openSync(lock, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
	} catch {
		clearStaleLock(lock);
		return;
	}
	try {
		if ((fs.lstatSync(file, {throwIfNoEntry: false})?.size ?? 0) >= MAX_LOG_BYTES) fs.renameSync(file, rotatedEventsFile(layout));
	} catch {
		// Another generation next time.
	} finally {
		fs.closeSync(fd);
		fs.rmSync(lock, {force: true});
	}
}

/** A rotation lock older than a few seconds belongs to a writer that died while rotating. */
function clearStaleLock(lock: string): void {
	try {
		const stat = fs.lstatSync(lock);
		if (Date.now() - stat.mtimeMs > 5000) fs.rmSync(lock, {force: true});
	} catch {}
}

/** Parses the log's text; a damaged line (a crash mid-write on a full disk) is skipped. */
export function parseEvents(text: string): C32Event[] {
	const events: C32Event[] = [];
	for (const line of text.split('\n')) {
		if (line === '') continue;
		try {
			const value = JSON.parse(line) as C32Event;
			if (typeof value?.time === 'string' && typeof value.event === 'string' && typeof value.id === 'string') events.push(value);
		} catch {}
	}
	return events;
}

/** Every recorded event, oldest first (the rotated generation, then the current one). */
export function readEvents(layout: StorageLayout): C32Event[] {
	return [rotatedEventsFile(layout), eventsFile(layout)].flatMap((file) => parseEvents(readIfThere(file)));
}

/** How much of the log's end latestEvents reads: enough for dozens of lines, cheap for every dashboard tick. */
const TAIL_BYTES = 64 * 1024;

/** The last `count` events, oldest first, from the end of the log only (the older generation when the current one is short). */
export function latestEvents(layout: StorageLayout, count: number): C32Event[] {
	if (count <= 0) return [];
	const bytes = Math.min(TAIL_BYTES, count * MAX_LINE_BYTES * 2);
	const current = parseEvents(readTail(eventsFile(layout), bytes));
	if (current.length >= count) return current.slice(-count);
	return [...parseEvents(readTail(rotatedEventsFile(layout), bytes)), ...current].slice(-count);
}

function readTail(file: string, bytes: number): string {
	let fd: number;
	try {
		fd = fs.openSync(file, fs.constants.O_RDONLY | O_NOFOLLOW);
	} catch {
		return '';
	}
	try {
		const {size} = fs.fstatSync(fd);
		const start = Math.max(0, size - bytes);
		const buffer = Buffer.alloc(size - start);
		const read = fs.readSync(fd, buffer, 0, buffer.length, start);
		const text = buffer.subarray(0, read).toString('utf8');
		// A read from the middle begins inside a line: drop that part.
		return start === 0 ? text : text.slice(text.indexOf('\n') + 1);
	} finally {
		fs.closeSync(fd);
	}
}

function readIfThere(file: string): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}
