// The scheduled check of a container that was removed, before or while it ran: the schedule
// ends (TICK_DONE) and nothing is written, not even a debug log line, into the storage root.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {C32Error} from '../../engine/errors.js';
import {failedTick, TICK_DONE} from '../../engine/health/scheduler.js';
import {makeTempDir} from '../helpers/engine.js';

const TICK = fileURLToPath(new URL('../../engine/health/tick.js', import.meta.url));

test('a tick for a removed container ends its schedule quietly', (t) => {
	const dir = makeTempDir('c32-tick-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	fs.mkdirSync(path.join(dir, 'containers'), {mode: 0o700});
	const run = spawnSync(process.execPath, [TICK, dir, path.join(dir, 'run'), 'a'.repeat(64), '1'], {encoding: 'utf8'});
	assert.equal(run.status, TICK_DONE, run.stderr);
	assert.equal(fs.existsSync(path.join(dir, 'debug.log')), false, 'a removed container is not a failure to log');
});

test('a check that finds its container removed midway ends the schedule without a log line; other errors are logged', () => {
	const removed = new C32Error('NOT_FOUND', '/var/lib/c32/containers/x no longer exists: the container was removed');
	assert.deepEqual(failedTick(removed), {code: TICK_DONE, log: false});
	assert.deepEqual(failedTick(new C32Error('RUNTIME_ERROR', 'runc exec failed')), {code: 1, log: true});
	assert.deepEqual(failedTick(new Error('EIO')), {code: 1, log: true});
});
