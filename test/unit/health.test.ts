// Health checks: the config's check and the image's HEALTHCHECK, and how results change the status.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {commandFromTest, HEALTH_DEFAULTS, parseImageHealthcheck, resolveHealthcheck} from '../../engine/health/config.js';
import {applyResult, HEALTH_OUTPUT_MAX, type HealthFile, healthForRun, trimOutput} from '../../engine/health/state.js';
import type {HealthcheckConfig, HealthLogEntry} from '../../engine/health/types.js';
import {runtimeConfig} from '../../engine/image/oci-json.js';

const noRemove = {autoRemove: false};
const invalid = (fn: () => unknown, pattern: RegExp) =>
	assert.throws(fn, (error: unknown) => isC32Error(error) && error.code === 'INVALID_CONFIG' && pattern.test(error.message));

describe('resolveHealthcheck', () => {
	it('runs a string through /bin/sh -c and a list as it is, with the defaults', () => {
		assert.deepEqual(resolveHealthcheck({command: 'test -e /tmp/ok'}, null, noRemove), {
			command: ['/bin/sh', '-c', 'test -e /tmp/ok'],
			...HEALTH_DEFAULTS,
		});
		assert.deepEqual(resolveHealthcheck({command: ['curl', '-f', 'x']}, null, noRemove)?.command, ['curl', '-f', 'x']);
	});

	it('has no check without a command, and null turns the image off', () => {
		const image = {test: ['CMD-SHELL', 'true'], interval: 5, timeout: 0, startPeriod: 0, retries: 0};
		assert.equal(resolveHealthcheck(undefined, null, noRemove), null);
		assert.equal(resolveHealthcheck(null, image, noRemove), null);
		invalid(() => resolveHealthcheck({interval: 5}, null, noRemove), /need a command: give healthcheck.command/);
	});

	it("takes the image's check and settings where the input gives none", () => {
		const image = {test: ['CMD', 'check', '--quick'], interval: 5, timeout: 2, startPeriod: 10, retries: 0};
		assert.deepEqual(resolveHealthcheck(undefined, image, noRemove), {
			command: ['check', '--quick'],
			interval: 5,
			timeout: 2,
			startPeriod: 10,
			retries: 3,
			onFailure: 'none',
		});
		const mixed = resolveHealthcheck({interval: 2, onFailure: 'restart'}, image, noRemove);
		assert.deepEqual([mixed?.command, mixed?.interval, mixed?.timeout, mixed?.onFailure], [['check', '--quick'], 2, 2, 'restart']);
	});

	it('refuses values out of range with the fix', () => {
		const bad = (healthcheck: object, pattern: RegExp) =>
			invalid(() => resolveHealthcheck({command: 'true', ...healthcheck}, null, noRemove), pattern);
		bad({interval: 0.5}, /interval 0.5: give 1 to 86400 seconds, or 0 \(disable\)/);
		bad({interval: -1}, /interval -1/);
		bad({timeout: 0}, /timeout 0: give 0.1/);
		bad({startPeriod: -2}, /start period -2/);
		bad({retries: 0}, /retries 0: give a whole number/);
		bad({retries: 1.5}, /retries 1.5/);
		bad({onFailure: 'reboot'}, /action "reboot": use none, kill, restart or stop/);
		invalid(() => resolveHealthcheck({command: '  '}, null, noRemove), /command is empty/);
		invalid(() => resolveHealthcheck({command: []}, null, noRemove), /non-empty list/);
		invalid(() => resolveHealthcheck({command: ['', 'x']}, null, noRemove), /names no program/);
		invalid(() => resolveHealthcheck({command: 'true', onFailure: 'restart'}, null, {autoRemove: true}), /--rm conflict/);
		assert.equal(resolveHealthcheck({command: 'true', interval: 0}, null, noRemove)?.interval, 0);
	});
});

describe("an image's HEALTHCHECK", () => {
	it("reads docker's test forms", () => {
		assert.deepEqual(commandFromTest(['CMD', 'a', 'b']), ['a', 'b']);
		assert.deepEqual(commandFromTest(['CMD-SHELL', 'a && b']), ['/bin/sh', '-c', 'a && b']);
		assert.equal(commandFromTest(['NONE']), null);
		assert.equal(commandFromTest([]), null);
	});

	it('comes from a docker-format config, durations in nanoseconds', () => {
		const raw = {Test: ['CMD-SHELL', 'test -e /ready'], Interval: 2e9, Timeout: 5e8, StartPeriod: 0, Retries: 4};
		const config = runtimeConfig({rootfs: {type: 'layers', diff_ids: []}, config: {Healthcheck: raw}});
		assert.deepEqual(config.healthcheck, {test: ['CMD-SHELL', 'test -e /ready'], interval: 2, timeout: 0.5, startPeriod: 0, retries: 4});
		assert.equal('healthcheck' in runtimeConfig({rootfs: {type: 'layers', diff_ids: []}, config: {}}), false);
		assert.equal(parseImageHealthcheck({Test: 'true'}), null);
		assert.equal(parseImageHealthcheck({Test: ['CMD', 'a\0b']}), null);
	});
});

describe('results', () => {
	const check: HealthcheckConfig = {command: ['true'], interval: 1, timeout: 1, retries: 2, startPeriod: 10, onFailure: 'none'};
	const since = '2026-01-01T00:00:00.000Z';
	const at = (seconds: number, exitCode: number): HealthLogEntry => {
		const start = new Date(Date.parse(since) + seconds * 1000).toISOString();
		return {start, end: start, exitCode, output: ''};
	};
	const run = (health: HealthFile, ...results: HealthLogEntry[]) => results.reduce((h, r) => applyResult(h, r, check), health);

	it('does not count failures in the start period while starting', () => {
		const health = run(healthForRun(null, 1, since), at(1, 1), at(2, 1), at(3, 1));
		assert.deepEqual([health.status, health.failingStreak], ['starting', 0]);
		assert.deepEqual([run(health, at(11, 1)).status, run(health, at(11, 1), at(12, 1)).status], ['starting', 'unhealthy']);
	});

	it('turns healthy on a success, and unhealthy after retries failures in a row, even in the start period', () => {
		const healthy = run(healthForRun(null, 1, since), at(1, 0));
		assert.equal(healthy.status, 'healthy');
		const once = run(healthy, at(2, 1));
		assert.deepEqual([once.status, once.failingStreak], ['healthy', 1]);
		assert.deepEqual([run(once, at(3, 1)).status, run(once, at(3, 0)).failingStreak], ['unhealthy', 0]);
	});

	it('keeps the last five results; a new run starts over but keeps them', () => {
		const health = run(healthForRun(null, 1, since), ...[1, 2, 3, 4, 5, 6, 7].map((s) => at(s + 20, s)));
		assert.deepEqual(
			health.log.map((r) => r.exitCode),
			[3, 4, 5, 6, 7],
		);
		const next = healthForRun(health, 2, since);
		assert.deepEqual([next.status, next.failingStreak, next.generation, next.log.length], ['starting', 0, 2, 5]);
	});

	it('trims output to its last 4 KiB', () => {
		const text = trimOutput(Buffer.from(`${'a'.repeat(10_000)}end`));
		assert.equal(text.length, HEALTH_OUTPUT_MAX);
		assert.ok(text.endsWith('end'));
		// A multi-byte character cut in half is dropped, not shown as a replacement.
		assert.equal(trimOutput(Buffer.concat([Buffer.from('é'.repeat(3000)), Buffer.from('x')])).startsWith('\uFFFD'), false);
	});
});
