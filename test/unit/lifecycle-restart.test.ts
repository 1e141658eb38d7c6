// Restart policies through the engine, run by the fake driver (no root): the restarting state,
// the backoff, giving up, and a pending restart overtaken by a user's stop, start or remove.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {type TestContext, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {waitFor} from '../helpers/engine.js';
import {
	editRecord,
	type FakeEngine,
	fakeEngine,
	isAlive,
	readRecordFile,
	sh,
	startSleeper,
	UNTIL_TERM,
	untilMeta,
} from '../helpers/fake-driver.js';

/**
 * Starts a restart-always container and crashes it (SIGKILL from outside) with the crash loop
 * at `attempt`, so its restart is `100 ms * 2^attempt` away. Returns once it is restarting,
 * with the time span in which the restart was planned.
 */
async function crashWithBackoff(fake: FakeEngine, attempt: number): Promise<{id: string; crashedAt: number; seenAt: number}> {
	const {engine, driver, dir} = fake;
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	editRecord(dir, id, (record) => (record.internal.backoffAttempt = attempt));
	const crashedAt = Date.now();
	process.kill(driver.run(id).pid, 'SIGKILL');
	await untilMeta(engine, id, (m) => m.state === 'restarting', 'the restart to be planned');
	return {id, crashedAt, seenAt: Date.now()};
}

test('restarting → running: while the restart is pending, list and inspect say restarting and when; it happens after the backoff', async (t) => {
	const fake = fakeEngine(t);
	const {engine, driver} = fake;
	const {id, crashedAt, seenAt} = await crashWithBackoff(fake, 3); // 800 ms
	const listed = (await engine.listContainers()).find((c) => c.id === id)!;
	assert.equal(listed.state, 'restarting');
	assert.equal(listed.exitCode, 137);
	const inspected = await engine.inspectContainer(id);
	const inspectedAt = Date.now();
	assert.equal(inspected.state, 'restarting');
	const due = Date.parse(inspected.nextRestartAt ?? '');
	// Planned between the crash and this read, each plus the 800 ms backoff: a reader may see
	// `restarting` before the exit command has recorded its plan, so the plan can follow seenAt.
	assert.ok(seenAt <= inspectedAt);
	assert.ok(
		due >= crashedAt + 800 && due <= inspectedAt + 800,
		`the restart is planned 800 ms after the crash was recorded (${due - crashedAt} ms after the crash)`,
	);
	assert.equal(listed.nextRestartAt, inspected.nextRestartAt);

	const running = await untilMeta(engine, id, (m) => m.state === 'running', 'the restart', 5000);
	assert.ok(driver.run(id).startedAt >= due - 5, 'not restarted before its time');
	assert.equal(running.restartCount, 1);
	assert.equal(running.nextRestartAt, null);
	assert.equal(running.exitCode, null, 'the new run has no exit code yet');
	assert.equal(driver.startsOf(id), 2);
	assert.equal(readRecordFile(engine.storageDir, id).internal.backoffAttempt, 4, 'the crash loop went on from attempt 3');
});

test('a crashed restart-always container reads as restarting even while another process is still recording its end', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	services.teardownDelayMs = 300; // a slow attachment teardown, under the exit command's lock
	process.kill(driver.run(id).pid, 'SIGKILL');
	await waitFor(() => services.events.of(id).includes('teardown network'), 2000, 'the exit command to be releasing the run');
	const seen = await engine.getContainer(id);
	assert.equal(seen.state, 'restarting', 'not exited: the restart policy applies');
	assert.ok(seen.nextRestartAt !== null, 'and it says when');
	assert.equal((await engine.listContainers())[0]!.state, 'restarting');
	services.teardownDelayMs = 0;
	await untilMeta(engine, id, (m) => m.state === 'running', 'the restart');
});

test('restarting → stopped by a stop: the pending restart is cancelled at once and never happens', async (t) => {
	const fake = fakeEngine(t);
	const {engine, driver} = fake;
	const {id} = await crashWithBackoff(fake, 3);
	const due = Date.parse((await engine.getContainer(id)).nextRestartAt ?? '');
	const stopped = await engine.stopContainer(id);
	assert.ok(Date.now() < due, 'stop does not wait for the backoff');
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.stopRequested, true);
	assert.equal(stopped.nextRestartAt, null);
	assert.ok(await driver.idle(), 'the pending exit command finished');
	const after = await engine.getContainer(id);
	assert.equal(after.state, 'stopped');
	assert.equal(after.restartCount, 0);
	assert.equal(driver.startsOf(id), 1, 'the overtaken restart did not start it');
});

test('restarting → running by a user start: the pending restart is overtaken (a new generation), no second start', async (t) => {
	const fake = fakeEngine(t);
	const {engine, driver, dir} = fake;
	const {id} = await crashWithBackoff(fake, 3);
	const generation = readRecordFile(dir, id).internal.generation;
	const started = await engine.startContainer(id);
	assert.equal(started.state, 'running');
	assert.equal(readRecordFile(dir, id).internal.generation, generation + 1);
	assert.equal(readRecordFile(dir, id).internal.backoffAttempt, 0, 'a user start resets the crash loop');
	assert.ok(await driver.idle(), 'the overtaken exit command finished');
	const after = await engine.getContainer(id);
	assert.equal(after.state, 'running');
	assert.equal(after.pid, started.pid, 'still the run the user started');
	assert.equal(after.restartCount, 0, 'a user start is no restart');
	assert.equal(driver.startsOf(id), 2);
	assert.equal(readRecordFile(dir, id).internal.generation, generation + 1);
});

test('a restart overtaken by a newer generation: the old plan wakes while a newer one is pending and does nothing', async (t) => {
	const fake = fakeEngine(t);
	const {engine, driver, dir} = fake;
	const {id} = await crashWithBackoff(fake, 2); // plan A: 400 ms
	const dueA = Date.parse((await engine.getContainer(id)).nextRestartAt ?? '');
	await engine.startContainer(id); // overtakes plan A
	editRecord(dir, id, (record) => (record.internal.backoffAttempt = 4));
	process.kill(driver.run(id).pid, 'SIGKILL');
	const planB = await untilMeta(engine, id, (m) => m.state === 'restarting', 'plan B');
	const dueB = Date.parse(planB.nextRestartAt ?? '');
	assert.ok(dueB > dueA + 500, 'plan B is due well after plan A');
	await waitFor(() => Date.now() > dueA + 200, 2000, 'plan A to have woken');
	const between = await engine.getContainer(id);
	assert.equal(between.state, 'restarting', 'plan A did not carry out plan B early');
	assert.equal(between.restartCount, 0);
	assert.equal(driver.startsOf(id), 2);
	const running = await untilMeta(engine, id, (m) => m.state === 'running', 'plan B', 5000);
	assert.ok(driver.run(id).startedAt >= dueB - 5, 'restarted when plan B was due');
	assert.equal(running.restartCount, 1);
	assert.equal(driver.startsOf(id), 3);
});

/** A stopped restart-always container made to wait for a restart that a process of its own (a sleeper) is to carry out. */
async function pendingInAnotherProcess(t: TestContext, {engine, dir}: FakeEngine): Promise<{id: string; scheduler: number}> {
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	await engine.stopContainer(id);
	const scheduler = await startSleeper(t);
	editRecord(dir, id, (record) => {
		record.metadata.state = 'restarting';
		record.metadata.stopRequested = false;
		record.metadata.nextRestartAt = new Date(Date.now() + 60_000).toISOString();
		record.internal.scheduler = {pid: scheduler.pid, startTime: scheduler.startTime};
	});
	assert.equal((await engine.getContainer(id)).state, 'restarting', 'its scheduler lives: nothing to take over');
	return {id, scheduler: scheduler.pid};
}

test("a user start ends a pending restart's scheduler in another process", async (t) => {
	const fake = fakeEngine(t);
	const {id, scheduler} = await pendingInAnotherProcess(t, fake);
	await fake.engine.startContainer(id);
	await waitFor(() => !isAlive(scheduler), 1000, 'the overtaken scheduler to be ended');
	assert.equal((await fake.engine.getContainer(id)).state, 'running');
	assert.equal(fake.driver.startsOf(id), 2);
});

test("a stop ends a pending restart's scheduler in another process", async (t) => {
	const fake = fakeEngine(t);
	const {id, scheduler} = await pendingInAnotherProcess(t, fake);
	assert.equal((await fake.engine.stopContainer(id)).state, 'stopped');
	await waitFor(() => !isAlive(scheduler), 1000, 'the cancelled scheduler to be ended');
	assert.equal(fake.driver.startsOf(id), 1);
});

test('on-failure:3 restarts a failing container three times with a growing backoff, then gives up', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('exit 1', {restartPolicy: 'on-failure:3'}));
	await engine.startContainer(id);
	await waitFor(() => driver.startsOf(id) === 4 && driver.runsOf(id)[3]!.exited, 5000, 'three restarts, the last one ended');
	assert.ok(await driver.idle(), 'the last exit command finished');
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, 1);
	assert.equal(meta.restartCount, 3);
	assert.equal(driver.startsOf(id), 4, 'no fourth restart');
	const starts = driver.runsOf(id).map((run) => run.startedAt);
	const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
	for (const [i, gap] of gaps.entries()) assert.ok(gap >= 100 * 2 ** i - 5, `gap ${i} is at least ${100 * 2 ** i} ms: ${gaps.join(', ')}`);
	assert.ok(gaps[2]! > gaps[0]!, `the backoff grows: ${gaps.join(', ')}`);

	// A user start gives the policy its budget again.
	await engine.startContainer(id);
	await waitFor(() => driver.startsOf(id) === 8 && driver.runsOf(id)[7]!.exited, 5000, 'three more restarts, the last one ended');
	assert.ok(await driver.idle());
	assert.equal((await engine.getContainer(id)).restartCount, 6);
});

test('on-failure does not restart after exit 0; always does', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const onFailure = await engine.createContainer(sh('exit 0', {restartPolicy: 'on-failure'}));
	const always = await engine.createContainer(sh('exit 0', {restartPolicy: 'always'}));
	await engine.startContainer(onFailure.id);
	await engine.startContainer(always.id);
	await untilMeta(engine, always.id, (m) => m.restartCount >= 2, 'always to restart after exit 0 twice');
	assert.equal((await engine.stopContainer(always.id)).state, 'stopped');
	assert.equal(await engine.waitContainer(onFailure.id), 0);
	assert.ok(await driver.idle());
	assert.equal((await engine.getContainer(always.id)).state, 'stopped', 'the stop holds');
	const exited = await engine.getContainer(onFailure.id);
	assert.equal(exited.state, 'exited');
	assert.equal(exited.exitCode, 0);
	assert.equal(exited.restartCount, 0);
	assert.equal(driver.startsOf(onFailure.id), 1);
});

test('stop racing a restart: whenever the stop comes in a crash loop, the container ends stopped and stays stopped', async (t) => {
	const {engine, driver} = fakeEngine(t);
	for (const delay of [0, 20, 60, 110, 160, 250]) {
		const {id} = await engine.createContainer(sh('exit 1', {restartPolicy: 'always'}));
		await engine.startContainer(id);
		await sleep(delay); // the race's variable: where in the loop the stop lands
		const stopped = await engine.stopContainer(id, {timeout: 1});
		assert.equal(stopped.state, 'stopped', `stop after ${delay} ms`);
		assert.ok(await driver.idle(), `exit commands finish (stop after ${delay} ms)`);
		const after = await engine.getContainer(id);
		assert.equal(after.state, 'stopped', `still stopped after the exit commands (stop after ${delay} ms)`);
		assert.ok(
			driver.runsOf(id).every((run) => !isAlive(run.pid)),
			`no run left (stop after ${delay} ms)`,
		);
		assert.deepEqual(driver.exitCommandErrors, []);
	}
});

test('remove during a pending restart ends the waiting monitor at once, and the woken exit command brings nothing back', async (t) => {
	const fake = fakeEngine(t);
	const {engine, driver, dir} = fake;
	const {id} = await crashWithBackoff(fake, 4); // 1.6 s
	const monitor = driver.run(id).monitorPid;
	assert.ok(isAlive(monitor), 'the monitor waits for its exit command during the backoff');
	const due = Date.parse((await engine.getContainer(id)).nextRestartAt ?? '');
	await engine.removeContainer(id, {force: true});
	assert.ok(Date.now() < due, 'remove does not wait for the backoff');
	await waitFor(() => !isAlive(monitor), 500, 'the monitor to be ended');
	assert.ok(await driver.idle(), 'the pending exit command finished');
	assert.equal(driver.startsOf(id), 1, 'not restarted after its removal');
	assert.equal(fs.existsSync(`${dir}/containers/${id}`), false);
	assert.deepEqual(await engine.listContainers(), []);
	assert.deepEqual(driver.exitCommandErrors, []);
});

test('remove of a container waiting to restart ends its scheduler in another process at once', async (t) => {
	const fake = fakeEngine(t);
	const {id, scheduler} = await pendingInAnotherProcess(t, fake);
	await fake.engine.removeContainer(id, {force: true});
	await waitFor(() => !isAlive(scheduler), 1000, 'the scheduler to be ended');
	assert.deepEqual(await fake.engine.listContainers(), []);
});

test('waitContainer answers 137 when the container is force-removed while waited for', async (t) => {
	const {engine} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	const waited = engine.waitContainer(id);
	await sleep(50); // let the wait begin
	await engine.removeContainer(id, {force: true});
	assert.equal(await waited, 137);
});

test('waitContainer answers 137 when a container whose monitor died is force-removed while waited for', async (t) => {
	const {engine, services, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	await engine.startContainer(id);
	await driver.killMonitor(id); // no exit file will tell the code
	const waited = engine.waitContainer(id);
	await sleep(50); // let the wait begin
	services.teardownDelayMs = 300; // rm -f holds the lock a while: the waiter sees the end before the removal
	await engine.removeContainer(id, {force: true});
	assert.equal(await waited, 137);
});

test('autoRemove removes the container once it exited, and when its start failed', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const {id} = await engine.createContainer(sh('exit 4', {autoRemove: true}));
	await engine.startContainer(id);
	await waitFor(async () => (await engine.listContainers()).length === 0, 5000, 'the exited container to remove itself');
	assert.ok(await driver.idle());
	assert.equal(fs.existsSync(`${engine.storageDir}/containers/${id}`), false);
	assert.deepEqual(driver.exitCommandErrors, []);

	const broken = await engine.createContainer({entrypoint: 'c32-no-such-command', isolationLevel: 'minimal', autoRemove: true});
	await assert.rejects(engine.startContainer(broken.id), /c32-no-such-command/);
	assert.deepEqual(await engine.listContainers(), []);
	assert.equal(fs.existsSync(`${engine.storageDir}/containers/${broken.id}`), false);
});
