import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {ago, humanDuration, parseDurationMs, parseSecondsOrDuration, parseSince} from '../../source/lib/duration.js';
import {UsageError} from '../../source/lib/errors.js';

describe('parseDurationMs', () => {
	it('adds up compound durations', () => {
		assert.equal(parseDurationMs('10m'), 600_000);
		assert.equal(parseDurationMs('1h30m'), 5_400_000);
		assert.equal(parseDurationMs('500ms'), 500);
		assert.equal(parseDurationMs('1.5s'), 1500);
		assert.equal(parseDurationMs('2d'), 172_800_000);
	});
	it('returns null for what is not a duration', () => {
		assert.equal(parseDurationMs('10'), null);
		assert.equal(parseDurationMs('ten minutes'), null);
		assert.equal(parseDurationMs('2025-01-01'), null);
	});
});

describe('parseSecondsOrDuration', () => {
	it('takes plain numbers as seconds', () => {
		assert.equal(parseSecondsOrDuration('10', 't'), 10_000);
		assert.equal(parseSecondsOrDuration('250ms', 't'), 250);
	});
	it('rejects anything else', () => {
		assert.throws(() => parseSecondsOrDuration('soon', '--time'), /invalid --time "soon"/);
	});
});

describe('parseSince', () => {
	const now = new Date('2025-06-01T12:00:00.000Z');
	it('counts a duration back from now', () => {
		assert.equal(parseSince('10m', now), '2025-06-01T11:50:00.000Z');
	});
	it('passes timestamps through as ISO', () => {
		assert.equal(parseSince('2025-05-31T00:00:00Z', now), '2025-05-31T00:00:00.000Z');
		assert.equal(parseSince('1748779200', now), '2025-06-01T12:00:00.000Z');
	});
	it('rejects nonsense with a usage error', () => {
		assert.throws(() => parseSince('yesterday-ish', now), UsageError);
	});
});

describe('humanDuration', () => {
	it('words durations as docker does', () => {
		assert.equal(humanDuration(300), 'Less than a second');
		assert.equal(humanDuration(1000), '1 second');
		assert.equal(humanDuration(42_000), '42 seconds');
		assert.equal(humanDuration(61_000), 'About a minute');
		assert.equal(humanDuration(3 * 60_000), '3 minutes');
		assert.equal(humanDuration(3_600_000), 'About an hour');
		assert.equal(humanDuration(5 * 3_600_000), '5 hours');
		assert.equal(humanDuration(3 * 86_400_000), '3 days');
		assert.equal(humanDuration(21 * 86_400_000), '3 weeks');
		assert.equal(humanDuration(90 * 86_400_000), '3 months');
		assert.equal(humanDuration(800 * 86_400_000), '2 years');
	});
	it('says "ago" for past timestamps', () => {
		assert.equal(ago('2025-06-01T11:58:00Z', new Date('2025-06-01T12:00:00Z')), '2 minutes ago');
	});
});
