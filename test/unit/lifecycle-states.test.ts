// The lifecycle's states through the public engine API, run by the fake driver (no root):
// created → running → exited, stop, kill, pause, failed starts, and what each ending tears down.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {readEvents} from '../../engine/events/log.js';
import {expectCode, waitFor} from '../helpers/engine.js';
import {fakeEngine, IGNORES_TERM, isAlive, processState, readRecordFile, sh, UNTIL_TERM, untilMeta} from '../helpers/fake-driver.js';

const ENDING = ['cleanup', 'teardown network', 'teardown bundle'];

test('created → running → exited: the exit code is recorded; attachments are prepared before the start and torn down in reverse after the end', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const created = await engine.createContainer(sh('exit 3'));
	assert.equal(created.state, 'created');
	assert.equal(created.runtime, 'fake');
	const started = await engine.startContainer(created.id);
	assert.equal(started.state, 'running');
	assert.ok(started.pid !== null && started.pid > 0, 'a running container has a pid');
	assert.equal(await engine.waitContainer(created.id), 3);
	assert.ok(await driver.idle(), 'the exit command finished');
	const meta = await engine.getContainer(created.id);
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, 3);
	assert.equal(meta.pid, null);
	assert.equal(meta.stopRequested, false);
	assert.ok(meta.finishedAt !== null && meta.startedAt !== null, 'both times are recorded');
	assert.deepEqual(services.events.of(created.id), ['prepare bundle', 'prepare network', 'start', 'exit 3', ...ENDING]);
	assert.deepEqual(driver.exitCommandErrors, []);
});

test('an end that nobody recorded (the exit command died) is recorded by the next read, with the code from the exit file', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('exit 5'));
	driver.exitCommandKilled.add(id);
	await engine.startContainer(id);
	await waitFor(() => driver.run(id).exited && !isAlive(driver.run(id).monitorPid), 5000, 'the run and its monitor to end');
	assert.equal(readRecordFile(engine.storageDir, id).metadata.state, 'running', 'nobody recorded the end yet');
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, 5);
	assert.equal(readRecordFile(engine.storageDir, id).metadata.state, 'exited', 'the read wrote what it observed');
	assert.equal(driver.cleanupsOf(id), 1);
});

test('running → stopped by stop: the stop signal ends it, the stop is remembered and the restart policy does not undo it', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 10});
	assert.ok(Date.now() - began < 5000, 'a container that honours SIGTERM stops without waiting for the timeout');
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.stopRequested, true);
	assert.equal(stopped.exitCode, 0);
	assert.ok(await driver.idle(), 'the exit commands finished');
	const after = await engine.getContainer(id);
	assert.equal(after.state, 'stopped');
	assert.equal(after.restartCount, 0);
	assert.equal(driver.startsOf(id), 1);
	assert.deepEqual(services.events.of(id).slice(-3), ENDING);
	assert.equal(readRecordFile(engine.storageDir, id).internal.stopRequest, null, 'the request is settled once the stop took effect');
});

test('stop escalates to SIGKILL of the whole group after the timeout when SIGTERM is ignored (exit 137)', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(IGNORES_TERM));
	await engine.startContainer(id);
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 1});
	const took = Date.now() - began;
	assert.ok(took >= 950 && took < 6000, `stop waited the timeout, then killed (took ${took} ms)`);
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.exitCode, 137);
	assert.equal(isAlive(driver.run(id).pid), false);
});

test('stopping a container that is not running changes nothing and is no error', async (t) => {
	const {engine} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('exit 0'));
	assert.equal((await engine.stopContainer(id)).state, 'created');
	await engine.startContainer(id);
	await engine.waitContainer(id);
	const stopped = await engine.stopContainer(id);
	assert.equal(stopped.state, 'exited', 'an ended container keeps its state');
	assert.equal(stopped.stopRequested, false);
});

for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
	test(`kill with ${signal} is a user stop: stopped, and a restart-always container stays stopped`, async (t) => {
		const {engine, driver} = fakeEngine(t);
		const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
		await engine.startContainer(id);
		await engine.killContainer(id, signal);
		const meta = await untilMeta(engine, id, (m) => m.state !== 'running', 'the container to end');
		assert.equal(meta.state, 'stopped');
		assert.equal(meta.stopRequested, true);
		assert.equal(meta.exitCode, signal === 'SIGKILL' ? 137 : 0);
		assert.ok(await driver.idle(), 'the exit commands finished');
		assert.equal((await engine.getContainer(id)).state, 'stopped');
		assert.equal(driver.startsOf(id), 1, 'not restarted');
	});
}

test('kill with SIGUSR1 only signals: the container exits on it and its restart policy restarts it', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('trap "exit 3" USR1; while :; do sleep 0.05; done', {restartPolicy: 'always'}));
	await engine.startContainer(id);
	const signalled = await engine.killContainer(id, 'usr1');
	assert.equal(signalled.stopRequested, false);
	const meta = await untilMeta(engine, id, (m) => m.state === 'running' && m.restartCount === 1, 'the restart after SIGUSR1');
	assert.equal(meta.stopRequested, false);
	assert.equal(driver.startsOf(id), 2);
	assert.equal(readRecordFile(engine.storageDir, id).internal.stopRequest, null, 'no stop request was left for SIGUSR1');
});

test("the container's own stop signal: stop sends it, and kill with it is a user stop", async (t) => {
	const {engine, driver} = fakeEngine(t);
	const script = 'trap "exit 0" INT; trap "" TERM; while :; do sleep 0.05; done';
	const {id} = await engine.createContainer(sh(script, {stopSignal: 'INT', restartPolicy: 'always'}));
	await engine.startContainer(id);
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 10});
	assert.ok(Date.now() - began < 5000, 'SIGINT ended it without waiting for the timeout');
	assert.equal(stopped.exitCode, 0);
	await engine.startContainer(id);
	await engine.killContainer(id, 'SIGINT');
	const meta = await untilMeta(engine, id, (m) => m.state !== 'running', 'the end');
	assert.equal(meta.state, 'stopped');
	assert.ok(await driver.idle());
	assert.equal(driver.startsOf(id), 2, 'not restarted');
});

test('kill of a container that is not running is BAD_STATE', async (t) => {
	const {engine} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('exit 0'));
	await expectCode(engine.killContainer(id, 'SIGKILL'), 'BAD_STATE');
});

test('running ⇄ paused: pause stops every process of the container, resume continues it; only the right state may change', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	const pid = driver.run(id).pid;
	const paused = await engine.pauseContainer(id);
	assert.equal(paused.state, 'paused');
	// T: stopped; D: sh waits in vfork for a child that was stopped before it could exec.
	await waitFor(() => ['T', 'D'].includes(processState(pid) ?? ''), 2000, 'the process to be stopped');
	await expectCode(engine.pauseContainer(id), 'BAD_STATE');
	assert.equal((await engine.getContainer(id)).state, 'paused', 'a read of a paused container keeps it paused');
	const resumed = await engine.resumeContainer(id);
	assert.equal(resumed.state, 'running');
	await waitFor(() => ['S', 'R'].includes(processState(pid) ?? ''), 2000, 'the process to run again');
	await expectCode(engine.resumeContainer(id), 'BAD_STATE');
});

test('a paused container is stopped: it is resumed for its stop signal and ends stopped', async (t) => {
	const {engine} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await engine.pauseContainer(id);
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 10});
	assert.ok(Date.now() - began < 5000, 'the paused container saw its SIGTERM once resumed');
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.exitCode, 0);
});

test('stop with timeout 0 kills at once; rm -f of a paused container kills it too', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(IGNORES_TERM));
	await engine.startContainer(id);
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 0});
	assert.ok(Date.now() - began < 2000, 'no grace period');
	assert.equal(stopped.exitCode, 137);
	await engine.startContainer(id);
	await engine.pauseContainer(id);
	const pid = driver.run(id).pid;
	await engine.removeContainer(id, {force: true});
	assert.equal(isAlive(pid), false);
	assert.deepEqual(await engine.listContainers(), []);
	await expectCode(engine.getContainer(id), 'NOT_FOUND');
});

test('rm -f holds the monitor before the kill: no exit command runs, and the end is recorded as 137', async (t) => {
	const {engine, driver, services} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	const {pid, monitorPid} = driver.run(id);
	await engine.removeContainer(id, {force: true});
	assert.equal(isAlive(pid), false);
	assert.equal(isAlive(monitorPid), false);
	assert.ok(await driver.idle());
	assert.deepEqual(
		services.events.of(id).filter((event) => event.startsWith('exit')),
		[],
		'the monitor recorded nothing and started no exit command',
	);
	assert.equal(driver.startsOf(id), 1, 'no restart was planned for a container being removed');
	const own = readEvents(engine.layout).filter((event) => event.id === id);
	assert.deepEqual(
		own.map((event) => event.event),
		['create', 'start', 'die', 'remove'],
	);
	assert.equal(own.find((event) => event.event === 'die')?.attributes?.['exitCode'], 137);
});

test('a monitor left held by a killed rm -f is let go by the next read: the end is recorded, not "running" with a dead process', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	const {pid, monitorPid} = driver.run(id);
	// What rm -f had done when it was killed: the monitor held, the container killed.
	process.kill(monitorPid, 'SIGSTOP');
	process.kill(-pid, 'SIGKILL');
	await waitFor(() => !isAlive(pid), 2000, 'the container process to die');
	const seen = await engine.getContainer(id);
	assert.equal(seen.state, 'exited');
	assert.equal(seen.exitCode, 137);
	assert.ok(await driver.idle());
});

test('rm without force refuses a running container and leaves it running', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await expectCode(engine.removeContainer(id), 'BAD_STATE');
	assert.equal((await engine.getContainer(id)).state, 'running');
	assert.ok(isAlive(driver.run(id).pid));
	await engine.stopContainer(id);
	await engine.removeContainer(id);
	assert.deepEqual(await engine.listContainers(), []);
});

test('→ failed on a start error: a missing command is START_FAILED, exit code 127, and what was prepared is torn down in reverse', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer({entrypoint: 'c32-no-such-command', isolationLevel: 'minimal'});
	const error = await expectCode(engine.startContainer(id), 'START_FAILED');
	assert.match(error.message, /c32-no-such-command/);
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'failed');
	assert.equal(meta.exitCode, 127);
	assert.match(meta.errorMessage ?? '', /executable file not found/);
	assert.deepEqual(services.events.of(id), ['prepare bundle', 'prepare network', 'start', ...ENDING]);
	assert.equal(readRecordFile(engine.storageDir, id).internal.startingAt, null);
	assert.equal(driver.startsOf(id), 0, 'no run was left');
});

test('a failed attachment fails the start before the driver runs, and every attachment prepared so far is torn down in reverse', async (t) => {
	const {engine, services} = fakeEngine(t);
	services.failingPrepare = 'network';
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	const error = await expectCode(engine.startContainer(id), 'START_FAILED');
	assert.match(error.message, /cannot prepare network/);
	assert.deepEqual(services.events.of(id), ['prepare bundle', 'prepare network', 'teardown network', 'teardown bundle', ...ENDING]);
	assert.equal((await engine.getContainer(id)).state, 'failed');
	// Fixed: the same container starts.
	services.failingPrepare = null;
	assert.equal((await engine.startContainer(id)).state, 'running');
});

test('an attachment that tears down alongside does so beside the runtime cleanup and the others, which keep their order', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	services.alongside = 'network';
	services.teardownDelayMs = 200;
	services.traceTeardownEnd = true;
	const {id} = await engine.createContainer(sh('exit 0'));
	await engine.startContainer(id);
	assert.equal(await engine.waitContainer(id), 0);
	assert.ok(await driver.idle(), 'the exit command finished');
	const all = services.events.of(id);
	const events = all.slice(all.indexOf('exit 0') + 1);
	assert.deepEqual([...events].sort(), ['bundle torn down', 'cleanup', 'network torn down', 'teardown bundle', 'teardown network']);
	const at = (event: string) => events.indexOf(event);
	assert.ok(at('cleanup') < at('teardown bundle'), `the runtime first, then the ordered ones: ${events.join(', ')}`);
	assert.ok(at('teardown bundle') < at('network torn down'), `the network's teardown runs beside the others: ${events.join(', ')}`);
});

test('attachments finish (ready) in order inside the start, after the runtime created the container', async (t) => {
	const {engine, services} = fakeEngine(t);
	services.traceReady = true;
	const {id} = await engine.createContainer(sh('exit 0'));
	await engine.startContainer(id);
	assert.equal(await engine.waitContainer(id), 0);
	assert.deepEqual(services.events.of(id).slice(0, 5), ['prepare bundle', 'prepare network', 'start', 'ready bundle', 'ready network']);
});

test('a failed ready fails the start before the process runs, and tears down every attachment in reverse', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	services.failingReady = 'network';
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	const error = await expectCode(engine.startContainer(id), 'START_FAILED');
	assert.match(error.message, /cannot finish network/);
	assert.deepEqual(services.events.of(id), ['prepare bundle', 'prepare network', 'start', ...ENDING]);
	assert.equal((await engine.getContainer(id)).state, 'failed');
	assert.equal(driver.startsOf(id), 0, 'the process never ran');
	services.failingReady = null;
	assert.equal((await engine.startContainer(id)).state, 'running');
});

test('start of a running container is BAD_STATE and leaves it running', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await expectCode(engine.startContainer(id), 'BAD_STATE');
	assert.equal((await engine.getContainer(id)).state, 'running');
	assert.equal(driver.startsOf(id), 1);
});

test('an OOM kill is recorded from the oom file', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	driver.oomOnNextExit.add(id);
	process.kill(driver.run(id).pid, 'SIGKILL'); // as the OOM killer does
	assert.equal(await engine.waitContainer(id), 137);
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'exited');
	assert.equal(meta.oomKilled, true);
	// The next run starts with a clean slate.
	await engine.startContainer(id);
	assert.equal((await engine.getContainer(id)).oomKilled, false);
	assert.equal(fs.existsSync(`${engine.storageDir}/containers/${id}/userdata/oom`), false);
});

test('restart of a running container stops it and starts a new generation', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	const first = await engine.startContainer(id);
	const generation = readRecordFile(engine.storageDir, id).internal.generation;
	const again = await engine.restartContainer(id, {timeout: 5});
	assert.equal(again.state, 'running');
	assert.notEqual(again.pid, first.pid);
	assert.equal(isAlive(first.pid!), false);
	assert.equal(readRecordFile(engine.storageDir, id).internal.generation, generation + 1);
	assert.equal(again.stopRequested, false, 'the start clears the stop of the restart');
	assert.equal(driver.startsOf(id), 2);
});

test('logs carry what the container wrote, per stream', async (t) => {
	const {engine} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('echo out; echo err >&2'));
	await engine.startContainer(id);
	await engine.waitContainer(id);
	const entries = [];
	for await (const entry of engine.getLogs(id)) entries.push({stream: entry.stream, line: entry.line});
	assert.deepEqual(
		entries.sort((a, b) => a.stream.localeCompare(b.stream)),
		[
			{stream: 'stderr', line: 'err'},
			{stream: 'stdout', line: 'out'},
		],
	);
});
