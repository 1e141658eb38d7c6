// Running one hook for real (sh on the host, no container): the event on stdin and in the
// environment, a failure with its stderr, a timeout that kills the whole process group, a
// background child that does not hold the hook up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {runHook} from '../../engine/events/run-hook.js';
import type {C32Event} from '../../engine/events/types.js';
import {makeTempDir, waitFor} from '../helpers/engine.js';

const EVENT: C32Event = {
	time: '2030-01-01T00:00:00.000Z',
	subject: 'container',
	event: 'die',
	id: 'b'.repeat(64),
	name: 'web',
	labels: {},
	attributes: {exitCode: 4},
};

function tempDir(t: {after: (fn: () => void) => void}): string {
	const dir = makeTempDir('c32-hook-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const alive = (pid: number) => {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
};

test('the hook reads the event on stdin and sees C32_* variables; 0 is success', async (t) => {
	const dir = tempDir(t);
	const out = path.join(dir, 'out');
	const hook = {
		command: ['sh', '-c', `cat > ${out}; echo "$C32_EVENT $C32_EXIT_CODE $C32_CONTAINER_NAME $(pwd)" >> ${out}`],
		timeoutSeconds: 5,
		source: 'container',
	};
	assert.equal(await runHook(hook, EVENT, dir), null);
	const [json, line] = fs.readFileSync(out, 'utf8').trim().split('\n');
	assert.deepEqual(JSON.parse(json!), EVENT);
	assert.equal(line, 'die 4 web /');
});

test('a failure says how it ended, with the start of its stderr; a missing program too', async (t) => {
	const dir = tempDir(t);
	const failed = await runHook({command: ['sh', '-c', 'echo nope >&2; exit 3'], timeoutSeconds: 5, source: 'global'}, EVENT, dir);
	assert.equal(failed, 'exited with 3: nope');
	const missing = await runHook({command: ['/nonexistent/hook'], timeoutSeconds: 5, source: 'global'}, EVENT, dir);
	assert.match(missing!, /^cannot run it: .*ENOENT/);
	// A hook that does not read its stdin is not a failure.
	assert.equal(await runHook({command: ['true'], timeoutSeconds: 5, source: 'global'}, EVENT, dir), null);
});

test('past its timeout the whole process group is killed', async (t) => {
	const dir = tempDir(t);
	const pids = path.join(dir, 'pids');
	const began = Date.now();
	const outcome = await runHook(
		{command: ['sh', '-c', `sleep 600 & echo $! > ${pids}; echo $$ >> ${pids}; wait`], timeoutSeconds: 1, source: 'container'},
		EVENT,
		dir,
	);
	assert.equal(outcome, 'timed out after 1 s: its process group was killed');
	assert.ok(Date.now() - began < 8000);
	const [child, shell] = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
	await waitFor(() => !alive(child!) && !alive(shell!), 5000, 'the hook and its child to be gone');
});

test('a hook that exits while a child it started runs on is done', async (t) => {
	const dir = tempDir(t);
	const pidFile = path.join(dir, 'pid');
	const began = Date.now();
	const outcome = await runHook(
		{command: ['sh', '-c', `sleep 30 & echo $! > ${pidFile}; exit 0`], timeoutSeconds: 20, source: 'container'},
		EVENT,
		dir,
	);
	assert.equal(outcome, null);
	assert.ok(Date.now() - began < 5000, `it took ${Date.now() - began} ms`);
	process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
});
