// The lifecycle of real containers: states and timestamps, pause/resume (the whole container
// freezes), stop (stop signal, then SIGKILL to every process after the timeout), kill, restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ContainerMetadata} from '../../engine/index.js';
import {
	engineFor,
	expectCode,
	hostPidsWith,
	isAlive,
	makeTempDir,
	needsRuntime,
	readIndexNames,
	readLogs,
	settledTracesOf,
	shell,
	stillRegistered,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

function hostDir(t: {after(fn: () => void): void}): string {
	const dir = makeTempDir('c32-life-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

/** A `sleep` whose argument is unique, so its processes can be found on the host. */
function uniqueSleep(): {token: string; command: string} {
	const token = `${900 + Math.floor(Math.random() * 99)}.${Math.floor(Math.random() * 1e6)}`;
	return {token, command: `sleep ${token}`};
}

const ms = (iso: string | null) => (iso === null ? NaN : Date.parse(iso));

test('states and timestamps: created → running → exited with the exit code', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = hostDir(t);
	const {token} = uniqueSleep();
	// The container waits for the test's go-ahead, so "running" is observed for sure.
	const script = `echo ${token} >/dev/null; while [ ! -e /data/go ]; do sleep 0.05; done; exit 3`;
	const before = Date.now();
	const created = await engine.createContainer(shell(script, {name: 'life', volumes: [{source: dir, destination: '/data'}]}));
	assert.equal(created.state, 'created');
	assert.equal(created.pid, null);
	assert.equal(created.exitCode, null);
	assert.equal(created.startedAt, null);
	assert.equal(created.finishedAt, null);
	assert.equal(created.restartCount, 0);
	assert.ok(ms(created.createdAt) >= before - 1000 && ms(created.createdAt) <= Date.now(), created.createdAt);

	const started = await engine.startContainer('life');
	assert.equal(started.state, 'running');
	assert.ok(started.pid !== null && isAlive(started.pid), 'the reported pid is not a live host process');
	assert.match(fs.readFileSync(`/proc/${started.pid}/cmdline`, 'utf8'), new RegExp(token.replace('.', '\\.')));
	assert.ok(ms(started.startedAt) >= ms(created.createdAt));
	assert.equal((await engine.getContainer('life')).state, 'running');

	fs.writeFileSync(path.join(dir, 'go'), '');
	assert.equal(await withTimeout(engine.waitContainer('life'), 10_000, 'exit'), 3);
	const exited = await engine.getContainer('life');
	assert.equal(exited.state, 'exited');
	assert.equal(exited.exitCode, 3);
	assert.equal(exited.pid, null);
	assert.equal(exited.oomKilled, false);
	assert.ok(ms(exited.finishedAt) >= ms(exited.startedAt), `finishedAt ${exited.finishedAt} < startedAt ${exited.startedAt}`);
	assert.ok(!isAlive(started.pid!), 'the process is still alive after exit');

	// An exited container starts again.
	fs.rmSync(path.join(dir, 'go'));
	const again = await engine.startContainer('life');
	assert.equal(again.state, 'running');
	assert.ok(ms(again.startedAt) > ms(exited.startedAt));
	assert.equal(again.finishedAt, null);
	assert.equal(again.exitCode, null);
	const stopped = await engine.stopContainer('life', {timeout: 1});
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.stopRequested, true);
});

test('a command that cannot run leaves the container failed with an error message', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer({name: 'broken', entrypoint: 'no-such-program-c32'});
	await expectCode(engine.startContainer('broken'), 'START_FAILED');
	const meta = await engine.getContainer('broken');
	assert.equal(meta.state, 'failed');
	assert.match(meta.errorMessage ?? '', /no-such-program-c32/);
	assert.equal(meta.exitCode, 127);
	assert.equal(meta.pid, null);
	assert.ok(meta.finishedAt !== null);
	// Nothing of the failed start is left running or registered with the runtime.
	// (its record and directory stay until it is removed).
	const traces = await settledTracesOf(dir, c.id, undefined, stillRegistered(c.id));
	assert.deepEqual(traces, []);
});

/** Reads an integer the container keeps writing to a file on a volume. */
function counter(file: string): number {
	try {
		return Number(fs.readFileSync(file, 'utf8').trim() || '0');
	} catch {
		return 0;
	}
}

test('pause freezes every process of the container; resume thaws them', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = hostDir(t);
	// Two counters: the main process and a child.
	const script = `
( c=0; while :; do c=$((c+1)); echo $c > /data/child; sleep 0.02; done ) &
i=0; while :; do i=$((i+1)); echo $i > /data/main; sleep 0.02; done`;
	await engine.createContainer(shell(script, {name: 'freezer', volumes: [{source: dir, destination: '/data'}]}));
	await engine.startContainer('freezer');
	const main = path.join(dir, 'main');
	const child = path.join(dir, 'child');
	await waitFor(() => counter(main) > 3 && counter(child) > 3, 5000, 'both counters to run');

	const paused = await engine.pauseContainer('freezer');
	assert.equal(paused.state, 'paused');
	assert.equal((await engine.getContainer('freezer')).state, 'paused');
	await sleep(100); // a write in flight when the freeze landed
	const [m1, c1] = [counter(main), counter(child)];
	await sleep(500);
	assert.equal(counter(main), m1, 'the main process kept counting while paused');
	assert.equal(counter(child), c1, 'a child process kept counting while paused');
	await expectCode(engine.pauseContainer('freezer'), 'BAD_STATE');

	const resumed = await engine.resumeContainer('freezer');
	assert.equal(resumed.state, 'running');
	await waitFor(() => counter(main) > m1 + 3 && counter(child) > c1 + 3, 5000, 'counters to advance after resume');
	await expectCode(engine.resumeContainer('freezer'), 'BAD_STATE');

	// A paused container can be stopped (it is thawed to receive the signal).
	await engine.pauseContainer('freezer');
	const t0 = Date.now();
	const stopped = await engine.stopContainer('freezer', {timeout: 2});
	assert.equal(stopped.state, 'stopped');
	assert.ok(Date.now() - t0 < 8000);
});

test('stop sends SIGTERM first: a container that handles it exits cleanly and quickly', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = `trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 0.05; done`;
	await engine.createContainer(shell(script, {name: 'polite'}));
	await engine.startContainer('polite');
	await waitFor(async () => (await readLogs(engine, 'polite')).stdout.includes('ready'), 5000, 'ready');
	const t0 = Date.now();
	const meta = await engine.stopContainer('polite', {timeout: 10});
	const elapsed = Date.now() - t0;
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.exitCode, 0);
	assert.ok(elapsed < 3000, `stop took ${elapsed} ms although the container exits on SIGTERM`);
	assert.match((await readLogs(engine, 'polite')).stdout, /got-term/);
});

test('stop escalates to SIGKILL for every process after the timeout when SIGTERM is ignored', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const {token, command} = uniqueSleep();
	// The main process and a child both ignore SIGTERM (an ignored signal stays ignored across exec).
	const script = `trap '' TERM; (trap '' TERM; exec ${command}) & echo ready; while :; do sleep 0.05; done`;
	const c = await engine.createContainer(shell(script, {name: 'stubborn'}));
	await engine.startContainer('stubborn');
	await waitFor(() => hostPidsWith(token).length > 0, 5000, 'the child sleep to run');
	const t0 = Date.now();
	const meta = await engine.stopContainer('stubborn', {timeout: 1});
	const elapsed = Date.now() - t0;
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.exitCode, 137);
	assert.ok(elapsed >= 900, `stop returned after ${elapsed} ms, before the 1 s timeout`);
	assert.ok(elapsed < 6000, `stop took ${elapsed} ms with a 1 s timeout`);
	await waitFor(() => hostPidsWith(token).length === 0, 2000, 'the child to be gone').catch(() => undefined);
	assert.deepEqual(hostPidsWith(token), [], 'a process of the container survived the stop');
	assert.deepEqual(await settledTracesOf(dir, c.id, token, (x) => !x.startsWith('process')), []);
});

test('the configured stopSignal is what stop sends', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = `trap 'echo got-usr1; exit 0' USR1; trap 'echo got-term; exit 0' TERM; echo ready; while :; do sleep 0.05; done`;
	await engine.createContainer(shell(script, {name: 'usr1', stopSignal: 'SIGUSR1'}));
	await engine.startContainer('usr1');
	await waitFor(async () => (await readLogs(engine, 'usr1')).stdout.includes('ready'), 5000, 'ready');
	const meta = await engine.stopContainer('usr1', {timeout: 5});
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.exitCode, 0);
	const out = (await readLogs(engine, 'usr1')).stdout;
	assert.match(out, /got-usr1/);
	assert.doesNotMatch(out, /got-term/);
});

test('kill delivers the given signal; the default is SIGKILL', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = `trap 'echo got-usr2' USR2; trap 'echo got-hup' HUP; echo ready; while :; do sleep 0.05; done`;
	await engine.createContainer(shell(script, {name: 'target'}));
	await engine.startContainer('target');
	await waitFor(async () => (await readLogs(engine, 'target')).stdout.includes('ready'), 5000, 'ready');
	let meta: ContainerMetadata = await engine.killContainer('target', 'SIGUSR2');
	assert.equal(meta.state, 'running');
	meta = await engine.killContainer('target', 'HUP');
	assert.equal(meta.state, 'running');
	await waitFor(
		async () => /got-usr2[\s\S]*got-hup|got-hup[\s\S]*got-usr2/.test((await readLogs(engine, 'target')).stdout),
		5000,
		'both traps to run',
	);
	await expectCode(engine.killContainer('target', 'SIGNOPE'), 'INVALID_CONFIG');
	meta = await engine.killContainer('target');
	// As docker kill does: the user ended it, so it is stopped and its restart policy waits for the next start.
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.exitCode, 137);
	assert.equal(meta.stopRequested, true);
	await expectCode(engine.killContainer('target', 'SIGTERM'), 'BAD_STATE');
});

test('restart stops a running container and starts it again with a new process', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell(`echo started; trap 'exit 0' TERM; while :; do sleep 0.05; done`, {name: 'again'}));
	const first = await engine.startContainer('again');
	const second = await engine.restartContainer('again', {timeout: 2});
	assert.equal(second.state, 'running');
	assert.notEqual(second.pid, first.pid);
	assert.ok(!isAlive(first.pid!), 'the first process is still alive');
	assert.ok(ms(second.startedAt) > ms(first.startedAt));
	assert.equal(second.stopRequested, false);
	await waitFor(async () => (await readLogs(engine, 'again')).stdout === 'started\nstarted', 5000, 'two runs in the log');
	// Restarting an exited container starts it.
	await engine.killContainer('again');
	assert.equal((await engine.restartContainer('again')).state, 'running');
	await waitFor(async () => (await readLogs(engine, 'again')).stdout === 'started\nstarted\nstarted', 5000, 'three runs in the log');
});

test('operations invalid in the current state are BAD_STATE and change nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('exit 0', {name: 'done'}));
	await expectCode(engine.pauseContainer('done'), 'BAD_STATE'); // created
	await engine.startContainer('done');
	await engine.waitContainer('done');
	await expectCode(engine.pauseContainer('done'), 'BAD_STATE'); // exited
	await expectCode(engine.resumeContainer('done'), 'BAD_STATE');
	await expectCode(engine.killContainer('done'), 'BAD_STATE');
	await expectCode(engine.getContainerMetrics('done'), 'BAD_STATE');
	assert.equal((await engine.getContainer('done')).state, 'exited');

	await engine.createContainer(shell(`trap 'exit 0' TERM; while :; do sleep 0.05; done`, {name: 'busy'}));
	await engine.startContainer('busy');
	await expectCode(engine.startContainer('busy'), 'BAD_STATE');
	await expectCode(engine.resumeContainer('busy'), 'BAD_STATE');
	await expectCode(engine.removeContainer('busy'), 'BAD_STATE');
	assert.equal((await engine.getContainer('busy')).state, 'running');
	await engine.stopContainer('busy', {timeout: 2});
	await expectCode(engine.pauseContainer('busy'), 'BAD_STATE'); // stopped
});

test('waitContainer resolves with the exit code when the container ends', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('sleep 0.3; exit 42', {name: 'waiter'}));
	await engine.startContainer('waiter');
	const t0 = Date.now();
	assert.equal(await withTimeout(engine.waitContainer('waiter'), 10_000, 'wait'), 42);
	assert.ok(Date.now() - t0 >= 150, 'wait returned before the container could have exited');
	// Waiting on an ended container returns at once.
	assert.equal(await withTimeout(engine.waitContainer('waiter'), 2000, 'second wait'), 42);
});

test('references: name, full id and a unique id prefix all work; unknown is NOT_FOUND', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const c = await engine.createContainer(shell('true', {name: 'refs', labels: {team: 'ops'}}));
	assert.equal((await engine.getContainer('refs')).id, c.id);
	assert.equal((await engine.getContainer(c.id)).id, c.id);
	assert.equal((await engine.getContainer(c.id.slice(0, 12))).id, c.id);
	assert.deepEqual((await engine.getContainer('refs')).labels, {team: 'ops'});
	await expectCode(engine.getContainer('nope'), 'NOT_FOUND');
	await expectCode(engine.getContainer(''), 'NOT_FOUND');
	const info = await engine.inspectContainer('refs');
	assert.equal(info.config.name, 'refs');
	assert.equal(info.config.workingDir, '/app');
});

test('listContainers returns every container, oldest first', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const names = ['first', 'second', 'third'];
	for (const name of names) {
		await engine.createContainer(shell('true', {name}));
		await sleep(5);
	}
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.name),
		names,
	);
});

test('cleanupAll stops every running container', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {token} = uniqueSleep();
	for (const name of ['a', 'b']) {
		await engine.createContainer({name, entrypoint: 'sleep', args: [token], stopTimeout: 1});
		await engine.startContainer(name);
	}
	await engine.createContainer(shell('true', {name: 'idle'}));
	assert.equal(hostPidsWith(token).length, 2);
	await withTimeout(engine.cleanupAll(), 20_000, 'cleanupAll');
	const states = Object.fromEntries((await engine.listContainers()).map((c) => [c.name, c.state]));
	assert.deepEqual(states, {a: 'stopped', b: 'stopped', idle: 'created'});
	assert.deepEqual(hostPidsWith(token), []);
});

test('export and import: the state moves to another storage root', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const other = engineFor(t).engine;
	await engine.createContainer(
		shell('echo "v=$V"', {name: 'mover', environment: {V: 'carried'}, restartPolicy: 'on-failure:3', resourceLimits: {memoryLimitMb: 64}}),
	);
	const state = await engine.exportContainerState('mover');
	const json = JSON.parse(JSON.stringify(state)) as typeof state;
	const imported = await other.importContainerState(json);
	assert.equal(imported.name, 'mover');
	assert.equal(imported.state, 'created');
	const info = await other.inspectContainer('mover');
	assert.deepEqual(info.config.restartPolicy, {name: 'on-failure', maxRetries: 3});
	assert.equal(info.config.resourceLimits.memoryLimitMb, 64);
	await other.startContainer('mover');
	await other.waitContainer('mover');
	assert.equal((await readLogs(other, 'mover')).stdout, 'v=carried');
	await expectCode(other.importContainerState({...json, formatVersion: 999}), 'UNSUPPORTED');
	await expectCode(other.importContainerState({} as typeof json), 'INVALID_CONFIG');
});

test('autoRemove: a container that ends by itself or by a stop removes itself, leaving nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storageDir} = engineFor(t);
	for (const isolationLevel of ['standard', 'minimal'] as const) {
		const ends = await engine.createContainer(shell('echo bye', {autoRemove: true, isolationLevel}));
		await engine.startContainer(ends.id);
		const stopped = await engine.createContainer(shell('sleep 60', {autoRemove: true, isolationLevel, stopTimeout: 1}));
		await engine.startContainer(stopped.id);
		await engine.stopContainer(stopped.id);
		for (const id of [ends.id, stopped.id]) {
			await waitFor(() => !Object.values(readIndexNames(storageDir)).includes(id), 10_000, `${isolationLevel} ${id} removed`);
			assert.deepEqual(await settledTracesOf(storageDir, id), [], `${isolationLevel}: traces of the removed container`);
		}
	}
	await expectCode(engine.createContainer(shell('true', {autoRemove: true, restartPolicy: 'always'})), 'INVALID_CONFIG');
});
