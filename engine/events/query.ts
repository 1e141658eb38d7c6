// Reading the events log for `c32 events` and the API: a time window, filters (podman's
// rules: values of one key OR, different keys AND) and following the log as it grows,
// across a rotation to events.log.1.
import fs from 'node:fs';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error} from '../errors.js';
import type {StorageLayout} from '../paths.js';
import {normalizeEventName} from './hooks.js';
import {eventsFile, parseEvents, readEvents, rotatedEventsFile} from './log.js';
import type {C32Event, EventSubject} from './types.js';

export interface EventFilters {
	/** A name, a full id or an id prefix. */
	container?: string[];
	event?: string[];
	/** "key" (has the label) or "key=value". */
	label?: string[];
	type?: EventSubject[];
}

export interface EventsOptions {
	/** Only events at or after this time. */
	since?: Date | string;
	/** Only events at or before this time; a follow ends once it has passed. */
	until?: Date | string;
	filters?: EventFilters;
	/** Keep yielding events as they are recorded, until `signal` aborts or the consumer stops. */
	follow?: boolean;
	signal?: AbortSignal;
	/** How often a follow looks for new lines (ms); default 200. */
	pollMs?: number;
}

export const FILTER_KEYS = ['container', 'event', 'label', 'type'] as const;
const SUBJECTS: readonly EventSubject[] = ['container', 'image', 'network'];

/** `--filter key=value` words as EventFilters; INVALID_CONFIG names the keys there are. */
export function parseEventFilters(words: string[]): EventFilters {
	const filters: Required<EventFilters> = {container: [], event: [], label: [], type: []};
	for (const word of words) {
		const eq = word.indexOf('=');
		const key = eq < 0 ? word : word.slice(0, eq);
		const value = eq < 0 ? '' : word.slice(eq + 1);
		if (!(FILTER_KEYS as readonly string[]).includes(key)) {
			throw new C32Error('INVALID_CONFIG', `unknown filter ${JSON.stringify(key)}: use ${FILTER_KEYS.map((k) => `${k}=`).join(', ')}`);
		}
		if (value === '') throw new C32Error('INVALID_CONFIG', `filter ${JSON.stringify(word)} has no value: write ${key}=VALUE`);
		if (key === 'type') {
			if (!SUBJECTS.includes(value as EventSubject)) {
				throw new C32Error('INVALID_CONFIG', `unknown event type ${JSON.stringify(value)}: use container, image or network`);
			}
			filters.type.push(value as EventSubject);
		} else if (key === 'event') {
			filters.event.push(normalizeEventName(value));
		} else {
			filters[key as 'container' | 'label'].push(value);
		}
	}
	return filters;
}

/** Whether an event passes every filter key (any value of a key will do). */
export function matchesFilters(event: C32Event, filters: EventFilters = {}): boolean {
	const any = <T>(values: T[] | undefined, test: (value: T) => boolean) => values === undefined || values.length === 0 || values.some(test);
	return (
		any(filters.type, (type) => event.subject === type) &&
		any(
			filters.event,
			(name) =>
				event.event === name || (name === 'unhealthy' && event.event === 'health_status' && event.attributes['health'] === 'unhealthy'),
		) &&
		any(
			filters.container,
			(ref) => event.subject === 'container' && (event.name === ref || (ref.length > 0 && event.id.startsWith(ref))),
		) &&
		any(filters.label, (label) => {
			const eq = label.indexOf('=');
			if (eq < 0) return Object.hasOwn(event.labels, label);
			return event.labels[label.slice(0, eq)] === label.slice(eq + 1);
		})
	);
}

function toTime(value: Date | string | undefined, what: string): number | null {
	if (value === undefined) return null;
	const time = value instanceof Date ? value.getTime() : Date.parse(value);
	if (Number.isNaN(time))
		throw new C32Error('INVALID_CONFIG', `invalid ${what} time ${JSON.stringify(String(value))}: give an ISO 8601 timestamp`);
	return time;
}

/** The recorded events of the window and filters, oldest first; with `follow`, those recorded after too. */
export async function* queryEvents(layout: StorageLayout, options: EventsOptions = {}): AsyncGenerator<C32Event> {
	const since = toTime(options.since, 'since');
	const until = toTime(options.until, 'until');
	const wanted = (event: C32Event) => {
		const time = Date.parse(event.time);
		return (since === null || time >= since) && (until === null || time <= until) && matchesFilters(event, options.filters);
	};
	if (!options.follow) {
		for (const event of readEvents(layout)) if (wanted(event)) yield event;
		return;
	}
	const tail = new LogTail(layout);
	for (const event of tail.initial()) if (wanted(event)) yield event;
	const signal = options.signal;
	while (!signal?.aborted && (until === null || Date.now() <= until)) {
		await sleep(options.pollMs ?? 200, undefined, {signal}).catch(() => {});
		for (const event of tail.next()) if (wanted(event)) yield event;
	}
}

/**
 * Follows the current log file by inode and offset. When appendEvent rotates it, the rest of
 * the old inode is read from events.log.1 before the new file is read from its start.
 */
class LogTail {
	private ino: number | null = null;
	private offset = 0;

	constructor(private readonly layout: StorageLayout) {}

	/** Everything recorded so far (both generations); the tail starts where this ends. */
	initial(): C32Event[] {
		const rotated = parseEvents(readFrom(rotatedEventsFile(this.layout), 0).text);
		return [...rotated, ...this.next()];
	}

	next(): C32Event[] {
		const current = fs.statSync(eventsFile(this.layout), {throwIfNoEntry: false});
		let text = '';
		if (this.ino !== null && current?.ino !== this.ino) {
			// Rotated (or removed): finish the old generation, if it is the rotated one.
			const rotated = fs.statSync(rotatedEventsFile(this.layout), {throwIfNoEntry: false});
			if (rotated?.ino === this.ino) text += readFrom(rotatedEventsFile(this.layout), this.offset).text;
			this.ino = null;
			this.offset = 0;
		}
		if (current) {
			const read = readFrom(eventsFile(this.layout), this.offset);
			if (read.ino !== null && (this.ino === null || read.ino === this.ino)) {
				this.ino = read.ino;
				this.offset += read.bytes;
				text += read.text;
			}
		}
		return parseEvents(text);
	}
}

function readFrom(file: string, offset: number): {text: string; bytes: number; ino: number | null} {
	let fd: number;
	try {
		fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
	} catch {
		return {text: '', bytes: 0, ino: null};
	}
	try {
		const {size, ino} = fs.fstatSync(fd);
		if (size <= offset) return {text: '', bytes: 0, ino};
		const buffer = Buffer.alloc(size - offset);
		const read = fs.readSync(fd, buffer, 0, buffer.length, offset);
		// Only whole lines: a line being written now is read, whole, next time.
		const bytes = buffer.subarray(0, read).lastIndexOf(0x0a) + 1;
		return {text: buffer.subarray(0, bytes).toString('utf8'), bytes, ino};
	} finally {
		fs.closeSync(fd);
	}
}
