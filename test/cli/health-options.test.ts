import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {UsageError} from '../../source/lib/errors.js';
import {buildHealthcheck, parseHealthCommand} from '../../source/lib/health-options.js';

const usage = (fn: () => unknown, pattern: RegExp) =>
	assert.throws(fn, (error: unknown) => error instanceof UsageError && pattern.test(error.message));

describe('health options', () => {
	it('gives nothing when no option is given, so the image applies', () => {
		assert.equal(buildHealthcheck({healthcheck: true}), undefined);
	});

	it('reads durations, disable, retries and the action', () => {
		assert.deepEqual(
			buildHealthcheck({
				healthCmd: 'test -e /tmp/ok',
				healthInterval: '1m30s',
				healthTimeout: '500ms',
				healthRetries: '5',
				healthStartPeriod: '10',
				healthOnFailure: 'restart',
			}),
			{command: 'test -e /tmp/ok', interval: 90, timeout: 0.5, retries: 5, startPeriod: 10, onFailure: 'restart'},
		);
		assert.deepEqual(buildHealthcheck({healthCmd: 'true', healthInterval: 'disable'}), {command: 'true', interval: 0});
	});

	it("reads podman's command forms", () => {
		assert.equal(parseHealthCommand('curl -f http://localhost/'), 'curl -f http://localhost/');
		assert.deepEqual(parseHealthCommand('["curl", "-f", "x"]'), ['curl', '-f', 'x']);
		assert.deepEqual(parseHealthCommand('["CMD", "curl", "-f"]'), ['curl', '-f']);
		assert.equal(parseHealthCommand('["CMD-SHELL", "test -e /a || exit 1"]'), 'test -e /a || exit 1');
		assert.equal(parseHealthCommand('none'), null);
		assert.equal(parseHealthCommand('["NONE"]'), null);
	});

	it('turns the check off with --no-healthcheck or --health-cmd none', () => {
		assert.equal(buildHealthcheck({healthcheck: false}), null);
		assert.equal(buildHealthcheck({healthCmd: 'NONE'}), null);
		usage(() => buildHealthcheck({healthcheck: false, healthInterval: '5s'}), /conflict/);
	});

	it('refuses bad values in one line', () => {
		usage(() => buildHealthcheck({healthCmd: ''}), /invalid --health-cmd "": give a command/);
		usage(() => buildHealthcheck({healthCmd: '[1, 2]'}), /JSON list of strings/);
		usage(() => buildHealthcheck({healthCmd: '["curl",'}), /JSON list of strings/);
		usage(() => buildHealthcheck({healthCmd: '["CMD"]'}), /CMD needs the command/);
		usage(() => buildHealthcheck({healthCmd: 'true', healthInterval: 'often'}), /invalid --health-interval "often"/);
		usage(() => buildHealthcheck({healthCmd: 'true', healthTimeout: '-1s'}), /invalid --health-timeout/);
		usage(() => buildHealthcheck({healthCmd: 'true', healthRetries: 'three'}), /invalid --health-retries "three": give a whole number/);
		usage(() => buildHealthcheck({healthCmd: 'true', healthStartPeriod: 'x'}), /invalid --health-start-period/);
		usage(
			() => buildHealthcheck({healthCmd: 'true', healthOnFailure: 'reboot'}),
			/invalid --health-on-failure "reboot": use none, kill, restart or stop/,
		);
	});
});
