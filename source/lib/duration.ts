// Durations typed on the command line (10m, 1h30m) and durations shown to people.
import {UsageError} from './errors.js';

const UNIT_MS: Record<string, number> = {
	ms: 1,
	s: 1000,
	m: 60_000,
	h: 3_600_000,
	d: 86_400_000,
	w: 604_800_000,
};

const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;
const PART_PATTERN = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;

/** Milliseconds in "500ms", "30s", "10m", "1h30m", "2d"; null when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
	const trimmed = text.trim().toLowerCase();
	if (!DURATION_PATTERN.test(trimmed)) return null;
	let total = 0;
	for (const [, amount, unit] of trimmed.matchAll(PART_PATTERN)) total += Number(amount) * UNIT_MS[unit!]!;
	return total;
}

/** Seconds, or a duration: "10" -> 10000 ms, "2s" -> 2000, "500ms" -> 500. */
export function parseSecondsOrDuration(text: string, what: string): number {
	const trimmed = text.trim();
	if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
	const ms = parseDurationMs(trimmed);
	if (ms === null) throw new UsageError(`invalid ${what} "${text}": give seconds (10) or a duration such as 500ms or 2m`);
	return ms;
}

/** --since (--until): a duration back from now ("10m"), unix seconds or a timestamp; returned as an ISO timestamp. */
export function parseSince(text: string, now: Date, flag = '--since'): string {
	const ms = parseDurationMs(text);
	if (ms !== null) return new Date(now.getTime() - ms).toISOString();
	const trimmed = text.trim();
	const date = /^\d+(?:\.\d+)?$/.test(trimmed) ? new Date(Number(trimmed) * 1000) : new Date(trimmed);
	if (trimmed === '' || Number.isNaN(date.getTime())) {
		throw new UsageError(`invalid ${flag} "${text}": give a duration such as 10m or 2h, or a timestamp such as 2025-01-31T12:00:00Z`);
	}
	return date.toISOString();
}

/** "Less than a second", "About a minute", "3 minutes", "2 hours", "5 days": as docker says it. */
export function humanDuration(ms: number): string {
	const seconds = Math.max(0, Math.round(ms / 1000));
	if (seconds < 1) return 'Less than a second';
	if (seconds === 1) return '1 second';
	if (seconds < 60) return `${seconds} seconds`;
	const minutes = Math.round(seconds / 60);
	if (minutes === 1) return 'About a minute';
	if (minutes < 60) return `${minutes} minutes`;
	const hours = Math.round(seconds / 3600);
	if (hours === 1) return 'About an hour';
	if (hours < 48) return `${hours} hours`;
	const days = Math.round(hours / 24);
	if (days < 14) return `${days} days`;
	if (days < 60) return `${Math.round(days / 7)} weeks`;
	if (days < 730) return `${Math.round(days / 30)} months`;
	return `${Math.round(days / 365)} years`;
}

/** "3 minutes ago" for a past ISO timestamp. */
export function ago(iso: string, now: Date): string {
	return `${humanDuration(now.getTime() - Date.parse(iso))} ago`;
}
