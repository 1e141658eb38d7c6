// The liveness check of a listing's running containers: a full read of /proc/<pid>/stat
// (start time, zombie) the first time and every few seconds, else only whether /proc/<pid>
// still exists; a process gone, a pid reused or a zombie is never taken for the container.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {once} from 'node:events';
import fs from 'node:fs';
import {test} from 'node:test';
import {processStartTime} from '../../engine/host-facts.js';
import {mainIsRunning, observe} from '../../engine/lifecycle/observe.js';
import type {ContainerPaths} from '../../engine/paths.js';
import type {ContainerRecord} from '../../engine/record.js';
import {waitFor} from '../helpers/engine.js';

function statReadsOf(pid: number, t: {mock: {method: typeof import('node:test').mock.method}}): () => number {
	const read = t.mock.method(fs, 'readFileSync');
	return () => read.mock.calls.filter((call) => call.arguments[0] === `/proc/${pid}/stat`).length;
}

test('a process found alive is checked again by its /proc entry only, until the full check is due', (t) => {
	const child = spawn('sleep', ['30'], {stdio: 'ignore'});
	t.after(() => child.kill('SIGKILL'));
	const ref = {pid: child.pid!, startTime: processStartTime(child.pid!)};
	const reads = statReadsOf(ref.pid, t);
	const at = performance.now();
	assert.equal(mainIsRunning(ref, at), true);
	assert.equal(reads(), 1, 'the first check reads the start time');
	assert.equal(mainIsRunning(ref, at + 1000), true);
	assert.equal(mainIsRunning(ref, at + 1900), true);
	assert.equal(reads(), 1, 'the next ones within the guard do not');
	assert.equal(mainIsRunning(ref, at + 4500), true, 'a gap longer than the pid-reuse guard');
	assert.equal(reads(), 2, 'is a full check again');
	assert.equal(mainIsRunning(ref, at + 60_000), true);
	assert.equal(reads(), 3);
});

test('a pid with another start time (reused) is not the container, cached or not', (t) => {
	const child = spawn('sleep', ['30'], {stdio: 'ignore'});
	t.after(() => child.kill('SIGKILL'));
	const startTime = processStartTime(child.pid!)!;
	const at = performance.now();
	assert.equal(mainIsRunning({pid: child.pid!, startTime}, at), true);
	assert.equal(mainIsRunning({pid: child.pid!, startTime: startTime + 1}, at + 10), false);
	assert.equal(mainIsRunning({pid: child.pid!, startTime}, at + 20), true);
});

test('a process that ended and was reaped is seen gone at once, within the guard', async (t) => {
	const child = spawn('sleep', ['30'], {stdio: 'ignore'});
	const ref = {pid: child.pid!, startTime: processStartTime(child.pid!)};
	const at = performance.now();
	assert.equal(mainIsRunning(ref, at), true);
	child.kill('SIGKILL');
	await once(child, 'exit');
	await waitFor(() => !fs.existsSync(`/proc/${ref.pid}`), 2000, 'the pid to be released');
	assert.equal(mainIsRunning(ref, at + 10), false);
	t.diagnostic(`pid ${ref.pid}`);
});

test('a process that ended but nobody reaped (a zombie) is seen gone by the next full check', async (t) => {
	// The shell starts `sleep 0.2` and execs a sleep that never reaps it: it stays a zombie.
	const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {stdio: ['ignore', 'pipe', 'ignore']});
	t.after(() => parent.kill('SIGKILL'));
	const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
	const pid = Number(line.toString().trim());
	const ref = {pid, startTime: processStartTime(pid)};
	const at = performance.now();
	assert.equal(mainIsRunning(ref, at), true);
	await waitFor(() => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 3000, 'the zombie');
	assert.equal(mainIsRunning(ref, at + 60_000), false);
});

test('only a listing takes the shortcut: observe for a stop or a wait sees a zombie main process ended at once', async (t) => {
	const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], {stdio: ['ignore', 'pipe', 'ignore']});
	t.after(() => parent.kill('SIGKILL'));
	const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
	const pid = Number(line.toString().trim());
	// A running container whose monitor is gone (none recorded), as its record holds it.
	const record = {
		metadata: {state: 'running', pid},
		internal: {pidStartTime: processStartTime(pid), bootId: null, monitorPid: null, monitorStartTime: null, stopRequest: null},
	} as unknown as ContainerRecord;
	const paths = {exitFile: '/nonexistent/c32-exit', oomFile: '/nonexistent/c32-oom'} as ContainerPaths;
	assert.equal(observe(record, paths, mainIsRunning), 'running');
	await waitFor(() => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 3000, 'the zombie');
	assert.equal(observe(record, paths, mainIsRunning), 'running', 'a listing within the guard still shows it running');
	const seen = observe(record, paths);
	assert.notEqual(seen, 'running');
	assert.equal(typeof seen === 'object' && seen.cause, 'monitor-lost');
});
