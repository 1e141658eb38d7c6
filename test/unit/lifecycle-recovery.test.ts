// What a killed c32, a killed exit command or a killed monitor leaves, and how the next
// command settles it — run by the fake driver (no root).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {Store} from '../../engine/store.js';
import {expectCode, waitFor} from '../helpers/engine.js';
import {editRecord, fakeEngine, isAlive, readRecordFile, sh, startSleeper, UNTIL_TERM, untilMeta} from '../helpers/fake-driver.js';

/** A pid that is alive (pid 1) recorded with a start time it never had: a reused pid. */
const REUSED_PID = {pid: 1, startTime: 999_999_999};

test('an interrupted start (startingAt under a free lock) becomes failed with the reason; its process is killed and its attachments torn down', async (t) => {
	const {engine, services, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	const orphan = driver.run(id).pid;
	// As a c32 killed between the runtime's start and recording it leaves the record.
	editRecord(dir, id, (record) => {
		record.metadata.state = 'created';
		record.metadata.pid = null;
		record.internal.startingAt = new Date().toISOString();
	});
	services.events.clear(id);
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'failed');
	assert.match(meta.errorMessage ?? '', /interrupted while starting/);
	assert.equal(readRecordFile(dir, id).internal.startingAt, null);
	await waitFor(() => !isAlive(orphan), 2000, 'the half-started process to be killed');
	assert.deepEqual(services.events.of(id).slice(0, 3), ['cleanup', 'teardown network', 'teardown bundle']);
	assert.ok(await driver.idle());
	assert.equal((await engine.getContainer(id)).state, 'failed', 'the exit of the killed process changes nothing');
	assert.equal((await engine.startContainer(id)).state, 'running', 'and it starts again');
});

test('a start under way in another process (its lock held) is shown as it is, not taken for an interrupted one', async (t) => {
	const {engine, services, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	editRecord(dir, id, (record) => (record.internal.startingAt = new Date().toISOString()));
	const otherProcess = new Store(engine.layout);
	const seen = await otherProcess.withContainerLock(id, () => engine.getContainer(id));
	assert.equal(seen.state, 'created');
	assert.equal(seen.errorMessage, null);
	assert.deepEqual(services.events.of(id), [], 'nothing was torn down under the starter');
	assert.ok(readRecordFile(dir, id).internal.startingAt !== null);
});

test('an interrupted stop whose deadline passed while the container runs is voided: a later crash is restarted', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	editRecord(dir, id, (record) => (record.internal.stopRequest = {until: new Date(Date.now() - 1000).toISOString(), by: null}));
	assert.equal((await engine.getContainer(id)).state, 'running');
	assert.equal(readRecordFile(dir, id).internal.stopRequest, null, 'the read voided the expired request');
	process.kill(driver.run(id).pid, 'SIGKILL'); // a crash
	const meta = await untilMeta(engine, id, (m) => m.state === 'running' && m.restartCount === 1, 'the restart after the crash');
	assert.equal(meta.stopRequested, false);
});

test('a stop whose stopper was interrupted (Ctrl-C) is voided before its deadline: a later crash is restarted', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	editRecord(dir, id, (record) => (record.internal.stopRequest = {until: new Date(Date.now() + 60_000).toISOString(), by: REUSED_PID}));
	assert.equal((await engine.getContainer(id)).state, 'running');
	assert.equal(readRecordFile(dir, id).internal.stopRequest, null, 'the read voided the abandoned request');
	process.kill(driver.run(id).pid, 'SIGKILL');
	await untilMeta(engine, id, (m) => m.state === 'running' && m.restartCount === 1, 'the restart after the crash');
});

test("a stop under way in another process: the end it caused before its deadline is the user's stop, no restart", async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	const stopper = await startSleeper(t); // the other c32, waiting for the end
	editRecord(
		dir,
		id,
		(record) =>
			(record.internal.stopRequest = {
				until: new Date(Date.now() + 60_000).toISOString(),
				by: {pid: stopper.pid, startTime: stopper.startTime},
			}),
	);
	process.kill(driver.run(id).pid, 'SIGTERM'); // its stop signal
	assert.equal(await engine.waitContainer(id), 0);
	assert.ok(await driver.idle());
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.stopRequested, true);
	assert.equal(driver.startsOf(id), 1);
});

test('a stopper interrupted after its signal: the end that follows is no user stop, and the policy restarts the container', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	const stopper = await startSleeper(t);
	editRecord(
		dir,
		id,
		(record) =>
			(record.internal.stopRequest = {
				until: new Date(Date.now() + 60_000).toISOString(),
				by: {pid: stopper.pid, startTime: stopper.startTime},
			}),
	);
	stopper.child.kill('SIGKILL'); // Ctrl-C of the stopper...
	await waitFor(() => !isAlive(stopper.pid), 2000, 'the stopper to be gone');
	process.kill(driver.run(id).pid, 'SIGTERM'); // ...after it sent the signal
	const meta = await untilMeta(engine, id, (m) => m.state === 'running' && m.restartCount === 1, 'the restart');
	assert.equal(meta.stopRequested, false);
});

test('an interrupted start of a restart-always container is restarted, not failed', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	editRecord(dir, id, (record) => (record.internal.startingAt = new Date().toISOString()));
	const seen = await engine.getContainer(id);
	assert.equal(seen.state, 'restarting');
	assert.match(seen.errorMessage ?? '', /interrupted while starting/);
	const meta = await untilMeta(engine, id, (m) => m.state === 'running', 'the restart');
	assert.equal(meta.restartCount, 1);
	assert.equal(meta.errorMessage, null);
	assert.equal(driver.startsOf(id), 1);
});

test('a killed exit command (the end never recorded): the next read records it and carries out the restart', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	driver.exitCommandKilled.add(id);
	const {pid, monitorPid} = driver.run(id);
	process.kill(pid, 'SIGKILL');
	await waitFor(() => !isAlive(monitorPid), 2000, 'the monitor to end without an exit command');
	const seen = await engine.getContainer(id);
	assert.equal(seen.state, 'restarting');
	assert.deepEqual(services.schedulersStarted, [id]);
	const meta = await untilMeta(engine, id, (m) => m.state === 'running', 'the restart');
	assert.equal(meta.restartCount, 1);
	assert.equal(driver.startsOf(id), 2);
});

test('a restart whose scheduler was killed during the backoff (its pid reused, no monitor): the next read takes it over, and logs -f follows through it', async (t) => {
	const {engine, services, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(`echo hello; ${UNTIL_TERM}`, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	driver.exitCommandKilled.add(id);
	const {pid, monitorPid} = driver.run(id);
	process.kill(pid, 'SIGKILL');
	await waitFor(() => !isAlive(monitorPid), 2000, 'the monitor to end');
	// What the exit command wrote before it was killed in its backoff sleep.
	editRecord(dir, id, (record) => {
		record.metadata.state = 'restarting';
		record.metadata.pid = null;
		record.metadata.exitCode = 137;
		record.metadata.finishedAt = new Date().toISOString();
		record.metadata.nextRestartAt = new Date(Date.now() + 100).toISOString();
		record.internal.scheduler = REUSED_PID;
	});

	const lines: string[] = [];
	const followed = (async () => {
		for await (const entry of engine.getLogs(id, {follow: true})) lines.push(entry.line);
	})();
	await waitFor(() => lines.length >= 2, 5000, "the second run's output through the follow");
	assert.deepEqual(lines, ['hello', 'hello']);
	assert.deepEqual(services.schedulersStarted, [id], 'one scheduler took over');
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'running');
	assert.equal(meta.restartCount, 1);
	await engine.stopContainer(id);
	await waitFor(
		async () => {
			const done = await Promise.race([followed.then(() => true), new Promise((resolve) => setTimeout(resolve, 10, false))]);
			return done;
		},
		3000,
		'logs -f to end once the container stopped',
	);
	assert.equal(driver.startsOf(id), 2);
});

test('a dead monitor while the container runs: reads still say running; stop finishes in under 2 s and reports stopped', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	await driver.killMonitor(id);
	assert.equal((await engine.getContainer(id)).state, 'running', 'the container itself lives');
	const began = Date.now();
	const stopped = await engine.stopContainer(id, {timeout: 5});
	assert.ok(Date.now() - began < 2000, `stop took ${Date.now() - began} ms`);
	assert.equal(stopped.state, 'stopped');
	assert.equal(isAlive(driver.run(id).pid), false);
	assert.ok(await driver.idle());
	assert.equal((await engine.getContainer(id)).state, 'stopped');
	assert.equal(driver.startsOf(id), 1);
});

test('a dead monitor: rm -f finishes in under 2 s and leaves no process', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await driver.killMonitor(id);
	const began = Date.now();
	await engine.removeContainer(id, {force: true});
	assert.ok(Date.now() - began < 2000, `rm -f took ${Date.now() - began} ms`);
	assert.equal(isAlive(driver.run(id).pid), false);
	assert.deepEqual(await engine.listContainers(), []);
});

test('a restart-always container whose monitor died and whose process then exits is restarted, not failed', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	await driver.killMonitor(id);
	process.kill(driver.run(id).pid, 'SIGKILL');
	const meta = await untilMeta(engine, id, (m) => m.state === 'running' && m.restartCount === 1, 'the restart');
	assert.equal(meta.errorMessage, null);
	assert.deepEqual(services.schedulersStarted, [id], 'with no monitor to run the exit command, a read started a scheduler');
	assert.equal(driver.startsOf(id), 2);
});

test('a container whose monitor died ends without a code, and says why', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await driver.killMonitor(id);
	process.kill(driver.run(id).pid, 'SIGKILL');
	const meta = await untilMeta(engine, id, (m) => m.state !== 'running', 'the end to be seen');
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, null);
	assert.match(meta.errorMessage ?? '', /monitor .*was killed/);
	assert.equal(await engine.waitContainer(id), -1);
});

test('listings repeated as c32 top makes them see a container killed along with its monitor between two of them', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	const {pid} = driver.run(id);
	for (let i = 0; i < 3; i++) assert.equal((await engine.listContainers()).find((c) => c.id === id)?.state, 'running');
	await driver.killMonitor(id);
	process.kill(pid, 'SIGKILL');
	// Gone from /proc, as once its parent (or init) has reaped it.
	await waitFor(() => !fs.existsSync(`/proc/${pid}`), 2000, 'the process to be reaped');
	const listed = (await engine.listContainers()).find((c) => c.id === id);
	assert.equal(listed?.state, 'exited', 'the very next listing');
	assert.match(listed?.errorMessage ?? '', /monitor .*was killed/);
});

test('a record whose pid and monitor pid now belong to other processes (reused pids) is seen as ended', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	driver.exitCommandKilled.add(id);
	const {pid, monitorPid} = driver.run(id);
	await driver.killMonitor(id);
	process.kill(pid, 'SIGKILL');
	await waitFor(() => !isAlive(pid) && !isAlive(monitorPid), 2000, 'the run to end');
	editRecord(dir, id, (record) => {
		record.metadata.pid = REUSED_PID.pid;
		record.internal.pidStartTime = REUSED_PID.startTime;
		record.internal.monitorPid = process.pid;
		record.internal.monitorStartTime = REUSED_PID.startTime;
	});
	assert.equal((await engine.getContainer(id)).state, 'exited');
});

test('a record from an earlier boot is ended, its remains cleaned up, and it says the host rebooted', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	editRecord(dir, id, (record) => (record.internal.bootId = '00000000-0000-0000-0000-000000000000'));
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'exited');
	assert.match(meta.errorMessage ?? '', /rebooted/);
	assert.ok(driver.cleanupsOf(id) >= 1, 'the runtime state was released');
	await expectCode(engine.killContainer(id), 'BAD_STATE');
});

// An autoRemove container whose exit command never ran (killed, or its monitor was) is
// removed by an exit command the next read starts, as a pending restart is carried out.
for (const how of ['its exit command was killed', 'its monitor was killed'] as const) {
	test(`an autoRemove container is removed although ${how}`, async (t) => {
		const {engine, driver} = fakeEngine(t);
		const {id} = await engine.createContainer(sh(UNTIL_TERM, {autoRemove: true}));
		await engine.startContainer(id);
		const {pid, monitorPid} = driver.run(id);
		if (how === 'its monitor was killed') await driver.killMonitor(id);
		else driver.exitCommandKilled.add(id);
		process.kill(pid, 'SIGKILL');
		await waitFor(() => !isAlive(pid) && !isAlive(monitorPid), 2000, 'the run and its monitor to end');
		await waitFor(async () => (await engine.listContainers()).length === 0, 3000, 'the container to be removed');
	});
}
