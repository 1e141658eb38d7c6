// Events recorded by the engine with real containers where no CLI command is involved: a
// death that only reconcile can notice (its monitor was killed) is recorded once however
// many readers race to notice it; an OOM kill gives die and oom; a policy's restart.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {readEvents} from '../../engine/events/log.js';
import {getEngine} from '../../engine/index.js';
import {engineFor, hostPidsWith, marker, needsRuntime, shell, waitFor, withTimeout} from '../helpers/engine.js';

const of = (dir: string, id: string) => readEvents({storageDir: dir, runtimeDir: ''}).filter((e) => e.id === id);

function monitorPids(id: string): number[] {
	return hostPidsWith(id).filter((pid) => {
		try {
			return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('conmon');
		} catch {
			return false;
		}
	});
}

test('a death only reconcile notices (its monitor was killed) is recorded once, however many readers race', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = marker();
	const c = await engine.createContainer(shell(`echo ${token}; while :; do sleep 0.1; done`, {name: 'orphaned', network: 'none'}));
	const started = await engine.startContainer(c.id);
	for (const pid of monitorPids(c.id)) process.kill(pid, 'SIGKILL');
	await waitFor(() => monitorPids(c.id).length === 0, 5000, 'conmon to die');
	process.kill(started.pid!, 'SIGKILL');
	await waitFor(() => hostPidsWith(token).length === 0, 5000, 'the container to die');
	// Two engines (as two c32 processes would be) read at once, then again.
	const other = getEngine({storageDir: dir});
	await Promise.all([
		engine.listContainers(),
		other.listContainers(),
		engine.getContainer(c.id),
		other.getContainer(c.id),
		engine.listContainers(),
	]);
	const ended = await waitFor(
		async () => {
			const meta = await other.getContainer(c.id);
			return meta.state === 'exited' ? meta : null;
		},
		10_000,
		'the end to be recorded',
	);
	await Promise.all([engine.listContainers(), other.listContainers()]);
	const dies = of(dir, c.id).filter((e) => e.event === 'die');
	assert.equal(dies.length, 1, JSON.stringify(dies));
	assert.equal(dies[0]!.attributes['error'], ended!.errorMessage);
	assert.deepEqual(
		of(dir, c.id).map((e) => e.event),
		['create', 'start', 'die'],
	);
});

test('an OOM kill is a die with oomKilled and an oom event', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer({
		entrypoint: 'python3',
		args: ['-c', 'b = b"x" * (256 << 20)'],
		resourceLimits: {memoryLimitMb: 48},
		network: 'none',
	});
	await engine.startContainer(c.id);
	assert.equal(await withTimeout(engine.waitContainer(c.id), 30_000, 'the OOM kill'), 137);
	await waitFor(() => of(dir, c.id).some((e) => e.event === 'oom'), 10_000, 'the oom event');
	const events = of(dir, c.id);
	assert.deepEqual(
		events.map((e) => e.event),
		['create', 'start', 'die', 'oom'],
	);
	assert.deepEqual([events[2]!.attributes['exitCode'], events[2]!.attributes['oomKilled']], [137, true]);
});

test("a policy's restart: die with the planned time, restart, start, then the last die", async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer({...shell('exit 1'), restartPolicy: 'on-failure:1', network: 'none'});
	await engine.startContainer(c.id);
	const names = () => of(dir, c.id).map((e) => e.event);
	await waitFor(() => names().filter((name) => name === 'die').length === 2, 30_000, 'the second die', 100);
	const events = of(dir, c.id);
	assert.deepEqual(names(), ['create', 'start', 'die', 'restart', 'start', 'die']);
	assert.equal(typeof events[2]!.attributes['nextRestartAt'], 'string');
	assert.equal(events[2]!.attributes['state'], 'restarting');
	assert.deepEqual([events[3]!.attributes['reason'], events[3]!.attributes['restartCount']], ['policy', 1]);
	assert.equal(events[5]!.attributes['state'], 'exited');
	assert.equal(events[5]!.attributes['nextRestartAt'], undefined);
});
