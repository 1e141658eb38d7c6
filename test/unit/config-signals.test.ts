// resolveSignal / signalNumber: every signal 1-64 by number, the standard names, and the
// real-time names (Linux: SIGRTMIN = 34, SIGRTMAX = 64).
import assert from 'node:assert/strict';
import {constants as osConstants} from 'node:os';
import {describe, test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {parseSignal, resolveSignal, SIGRTMAX, SIGRTMIN, signalNumber} from '../../engine/signals.js';

const refused = (signal: string) =>
	assert.throws(
		() => resolveSignal(signal),
		(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && !e.message.includes('\n'),
		signal,
	);

describe('signals', () => {
	test('every number from 1 to 64 is accepted and keeps its number', () => {
		for (let n = 1; n <= 64; n++) {
			const name = resolveSignal(String(n));
			assert.equal(signalNumber(name), n, `${n} -> ${name}`);
		}
		for (const bad of ['0', '65', '100', '-1', '1.5', '']) refused(bad);
	});

	test('standard names with or without SIG, in any case', () => {
		assert.equal(resolveSignal('TERM'), 'SIGTERM');
		assert.equal(resolveSignal('sigint'), 'SIGINT');
		assert.equal(resolveSignal('Hup'), 'SIGHUP');
		assert.equal(resolveSignal('9'), 'SIGKILL');
		assert.equal(resolveSignal('15'), 'SIGTERM');
		assert.equal(resolveSignal('SIGUSR1'), 'SIGUSR1');
		assert.equal(signalNumber('SIGUSR2'), osConstants.signals.SIGUSR2);
		for (const bad of ['SIGNOPE', 'NOPE', 'SIG', 'SIGTERM2', 'TERM ', 'SIGTERM;rm', 'SIGRT']) {
			if (bad === 'TERM ') continue; // surrounding blanks are trimmed
			refused(bad);
		}
	});

	test('real-time names: SIGRTMIN+n, RTMIN+n, SIGRTMAX-n, RTMAX-n', () => {
		assert.equal(SIGRTMIN, 34);
		assert.equal(SIGRTMAX, 64);
		assert.equal(parseSignal('SIGRTMIN'), 34);
		assert.equal(parseSignal('RTMIN'), 34);
		assert.equal(parseSignal('SIGRTMIN+3'), 37);
		assert.equal(parseSignal('rtmin+3'), 37);
		assert.equal(parseSignal('SIGRTMAX'), 64);
		assert.equal(parseSignal('RTMAX-1'), 63);
		assert.equal(parseSignal('sigrtmax-30'), 34);
		assert.equal(parseSignal('SIGRTMIN+30'), 64);
		for (const bad of ['SIGRTMIN+31', 'SIGRTMAX-31', 'SIGRTMIN-1', 'SIGRTMAX+1', 'RTMIN+', 'RTMIN+x', 'RTMID']) refused(bad);
	});

	test('the stored name of a real-time signal is the one kill -l prints', () => {
		assert.equal(resolveSignal('34'), 'SIGRTMIN');
		assert.equal(resolveSignal('37'), 'SIGRTMIN+3');
		assert.equal(resolveSignal('49'), 'SIGRTMIN+15');
		assert.equal(resolveSignal('50'), 'SIGRTMAX-14');
		assert.equal(resolveSignal('RTMAX-1'), 'SIGRTMAX-1');
		assert.equal(resolveSignal('64'), 'SIGRTMAX');
		// 32 and 33 have no name (the threads library uses them): stored as numbers.
		assert.equal(resolveSignal('32'), '32');
		assert.equal(signalNumber('33'), 33);
	});

	test('the message names the signal and says what to give', () => {
		assert.throws(
			() => resolveSignal('FOO'),
			(e: unknown) => isC32Error(e) && /unknown signal "FOO": use a name such as TERM/.test(e.message) && /1 to 64/.test(e.message),
		);
	});
});
