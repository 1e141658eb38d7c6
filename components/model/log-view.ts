// Scrolling and searching the log pane, as pure functions of the buffer and a small view state.
import type {LogBuffer} from './log-buffer.js';

export interface LogView {
	/** Following: the newest lines are shown and new ones scroll in. */
	follow: boolean;
	/** When not following: the sequence number shown on the bottom row. */
	bottomSeq: number;
}

export const FOLLOWING: LogView = {follow: true, bottomSeq: 0};

export interface LogWindow {
	fromSeq: number;
	toSeq: number;
	/** Lines that arrived below the window while following was paused. */
	newBelow: number;
}

function clampBottom(buffer: LogBuffer, bottomSeq: number, height: number): number {
	const last = buffer.nextSeq - 1;
	const lowest = Math.min(last, buffer.firstSeq + Math.max(height, 1) - 1);
	return Math.max(lowest, Math.min(bottomSeq, last));
}

export function logWindow(buffer: LogBuffer, view: LogView, height: number): LogWindow {
	if (buffer.length === 0 || height <= 0) return {fromSeq: buffer.nextSeq, toSeq: buffer.nextSeq, newBelow: 0};
	const bottom = view.follow ? buffer.nextSeq - 1 : clampBottom(buffer, view.bottomSeq, height);
	const toSeq = bottom + 1;
	return {fromSeq: Math.max(buffer.firstSeq, toSeq - height), toSeq, newBelow: buffer.nextSeq - toSeq};
}

/** Scrolls by `delta` lines (negative = back in time). Scrolling back pauses following. */
export function scrollLog(buffer: LogBuffer, view: LogView, height: number, delta: number): LogView {
	if (buffer.length === 0) return view;
	const current = view.follow ? buffer.nextSeq - 1 : clampBottom(buffer, view.bottomSeq, height);
	if (view.follow && delta >= 0) return view;
	return {follow: false, bottomSeq: clampBottom(buffer, current + delta, height)};
}

export function scrollToTop(buffer: LogBuffer, height: number): LogView {
	return {follow: false, bottomSeq: clampBottom(buffer, buffer.firstSeq, height)};
}

/** Freezes the view where it is (pause following) or resumes following. */
export function toggleFollow(buffer: LogBuffer, view: LogView): LogView {
	return view.follow ? {follow: false, bottomSeq: buffer.nextSeq - 1} : FOLLOWING;
}

/** Smart case: a query with a capital letter matches case-sensitively. */
export function isCaseSensitive(query: string): boolean {
	return query !== query.toLowerCase();
}

/** [start, end) character ranges of `query` in `text`. */
export function matchRanges(text: string, query: string): [number, number][] {
	if (!query) return [];
	const haystack = isCaseSensitive(query) ? text : text.toLowerCase();
	const needle = isCaseSensitive(query) ? query : query.toLowerCase();
	const out: [number, number][] = [];
	let at = haystack.indexOf(needle);
	while (at >= 0) {
		out.push([at, at + needle.length]);
		at = haystack.indexOf(needle, at + needle.length);
	}
	return out;
}

/** Sequence numbers of the kept lines that contain `query`, oldest first. */
export function findMatches(buffer: LogBuffer, query: string): number[] {
	if (!query) return [];
	const sensitive = isCaseSensitive(query);
	const needle = sensitive ? query : query.toLowerCase();
	const out: number[] = [];
	for (let seq = buffer.firstSeq; seq < buffer.nextSeq; seq++) {
		const text = buffer.get(seq)?.text;
		if (text !== undefined && (sensitive ? text : text.toLowerCase()).includes(needle)) out.push(seq);
	}
	return out;
}

/**
 * The match to jump to from `fromSeq`: the next newer one (direction 1) or older one (-1),
 * wrapping around the ends. Null when nothing matches.
 */
export function nextMatch(matches: readonly number[], fromSeq: number | null, direction: 1 | -1): number | null {
	if (matches.length === 0) return null;
	if (fromSeq === null) return direction === 1 ? matches[0]! : matches[matches.length - 1]!;
	if (direction === 1) return matches.find((seq) => seq > fromSeq) ?? matches[0]!;
	for (let i = matches.length - 1; i >= 0; i--) if (matches[i]! < fromSeq) return matches[i]!;
	return matches[matches.length - 1]!;
}

/** A paused view that puts `seq` in the middle of the pane, or as near as the ends allow. */
export function revealLine(buffer: LogBuffer, seq: number, height: number): LogView {
	return {follow: false, bottomSeq: clampBottom(buffer, seq + Math.floor((height - 1) / 2), height)};
}
