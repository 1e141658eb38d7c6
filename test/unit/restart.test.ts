// Restart policies: parsing, the decision to restart, and the backoff schedule.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {
	BACKOFF_MAX_MS,
	BACKOFF_RESET_AFTER_MS,
	BACKOFF_START_MS,
	backoffDelayMs,
	nextBackoffAttempt,
	parseRestartPolicy,
	shouldRestart,
} from '../../engine/restart.js';

test('parseRestartPolicy accepts the four policies as strings and objects', () => {
	assert.deepEqual(parseRestartPolicy(undefined), {name: 'no', maxRetries: 0});
	assert.deepEqual(parseRestartPolicy('no'), {name: 'no', maxRetries: 0});
	assert.deepEqual(parseRestartPolicy('always'), {name: 'always', maxRetries: 0});
	assert.deepEqual(parseRestartPolicy('unless-stopped'), {name: 'unless-stopped', maxRetries: 0});
	assert.deepEqual(parseRestartPolicy('on-failure'), {name: 'on-failure', maxRetries: 0});
	assert.deepEqual(parseRestartPolicy('on-failure:5'), {name: 'on-failure', maxRetries: 5});
	assert.deepEqual(parseRestartPolicy(' on-failure:2 '), {name: 'on-failure', maxRetries: 2});
	assert.deepEqual(parseRestartPolicy({name: 'on-failure', maxRetries: 3}), {name: 'on-failure', maxRetries: 3});
	assert.deepEqual(parseRestartPolicy({name: 'always'}), {name: 'always', maxRetries: 0});
});

test('parseRestartPolicy refuses anything else with INVALID_CONFIG', () => {
	const bad: unknown[] = [
		'',
		'sometimes',
		'always:1',
		'no:1',
		'on-failure:',
		'on-failure:-1',
		'on-failure:x',
		'On-Failure',
		{name: 'bogus'},
		{name: 'always', maxRetries: 1},
		{name: 'on-failure', maxRetries: -1},
		{name: 'on-failure', maxRetries: 0.5},
	];
	for (const input of bad) {
		assert.throws(
			() => parseRestartPolicy(input as never),
			(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && /restart policy/.test(e.message),
			JSON.stringify(input),
		);
	}
});

test('shouldRestart: no never, always and unless-stopped always, on-failure on non-zero within the budget', () => {
	const exit = (exitCode: number, restartsSinceStart = 0, stopRequested = false) => ({exitCode, restartsSinceStart, stopRequested});
	assert.equal(shouldRestart({name: 'no', maxRetries: 0}, exit(1)), false);
	for (const name of ['always', 'unless-stopped'] as const) {
		assert.equal(shouldRestart({name, maxRetries: 0}, exit(0)), true, name);
		assert.equal(shouldRestart({name, maxRetries: 0}, exit(137, 1000)), true, name);
	}
	const onFailure3 = {name: 'on-failure' as const, maxRetries: 3};
	assert.equal(shouldRestart(onFailure3, exit(0)), false);
	assert.equal(shouldRestart(onFailure3, exit(1, 0)), true);
	assert.equal(shouldRestart(onFailure3, exit(1, 2)), true);
	assert.equal(shouldRestart(onFailure3, exit(1, 3)), false);
	assert.equal(shouldRestart({name: 'on-failure', maxRetries: 0}, exit(1, 10_000)), true, 'on-failure without N is unlimited');
});

test('shouldRestart: a user stop always wins', () => {
	for (const name of ['no', 'on-failure', 'always', 'unless-stopped'] as const) {
		assert.equal(shouldRestart({name, maxRetries: 0}, {exitCode: 1, restartsSinceStart: 0, stopRequested: true}), false, name);
	}
});

test('backoff starts at 100 ms, doubles and is capped at 30 s', () => {
	assert.equal(BACKOFF_START_MS, 100);
	assert.equal(BACKOFF_MAX_MS, 30_000);
	assert.deepEqual(
		[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((attempt) => backoffDelayMs(attempt)),
		[100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000],
	);
	assert.equal(backoffDelayMs(50), 30_000);
	assert.equal(backoffDelayMs(10_000), 30_000);
	assert.equal(backoffDelayMs(-1), 100);
});

test('backoff resets once a run lasted 10 s', () => {
	assert.equal(BACKOFF_RESET_AFTER_MS, 10_000);
	assert.equal(nextBackoffAttempt(5, 9_999), 6);
	assert.equal(nextBackoffAttempt(5, 10_000), 0);
	assert.equal(nextBackoffAttempt(0, 50), 1);
});
