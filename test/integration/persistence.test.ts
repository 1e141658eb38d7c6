// Persistence and recovery without a daemon: another engine or process sees what the last
// one left; storage roots are separate; a c32 process killed with SIGKILL at any point, a
// container whose monitor died, and a record from an earlier boot are all reconciled; ten
// concurrent creates of one name from separate processes give exactly one container.
import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {type ContainerMetadata, getEngine} from '../../engine/index.js';
import {CHILD_SCRIPT, runChild} from '../helpers/child.js';
import {
	engineFor,
	expectCode,
	hostPidsWith,
	isAlive,
	listDir,
	needsRuntime,
	readIndexNames,
	removeAll,
	settledTracesOf,
	shell,
	stillRegistered,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

function uniqueToken(): string {
	return `${800 + Math.floor(Math.random() * 99)}.${Math.floor(Math.random() * 1e6)}`;
}

/** Metadata without the fields a reconcile may legitimately fill in later. */
const stable = (list: ContainerMetadata[]) =>
	list.map(({id, name, state, exitCode, pid, createdAt, startedAt, restartCount}) => ({
		id,
		name,
		state,
		exitCode,
		pid,
		createdAt,
		startedAt,
		restartCount,
	}));

test('a new engine instance and a new process see exactly what the last one left', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = uniqueToken();
	await engine.createContainer({name: 'one', entrypoint: 'sleep', args: [token], stopTimeout: 1});
	await engine.startContainer('one');
	await engine.createContainer(shell('exit 4', {name: 'two'}));
	await engine.startContainer('two');
	await engine.waitContainer('two');
	await engine.createContainer(shell('true', {name: 'three', labels: {k: 'v'}}));
	const seen = await engine.listContainers();
	assert.deepEqual(
		seen.map((c) => [c.name, c.state]),
		[
			['one', 'running'],
			['two', 'exited'],
			['three', 'created'],
		],
	);

	const other = getEngine({storageDir: dir});
	assert.deepEqual(await other.listContainers(), seen);

	const child = await runChild(dir, 'list');
	assert.equal(child.error, undefined, child.message);
	assert.deepEqual(stable(child.ok as ContainerMetadata[]), stable(seen));

	// A stop through another process is seen here.
	const stopped = await runChild(dir, 'stop', 'one');
	assert.equal(stopped.error, undefined, stopped.message);
	assert.equal((await engine.getContainer('one')).state, 'stopped');
	assert.deepEqual(hostPidsWith(token), []);
});

test("two storage roots never see each other's containers", async (t) => {
	if (!needsRuntime(t)) return;
	const x = engineFor(t).engine;
	const y = engineFor(t).engine;
	const a = await x.createContainer(shell('true', {name: 'same-name'}));
	const b = await y.createContainer(shell('true', {name: 'same-name'}));
	assert.notEqual(a.id, b.id);
	assert.deepEqual(
		(await x.listContainers()).map((c) => c.id),
		[a.id],
	);
	assert.deepEqual(
		(await y.listContainers()).map((c) => c.id),
		[b.id],
	);
	await expectCode(y.getContainer(a.id), 'NOT_FOUND');
	await x.removeContainer('same-name');
	assert.equal((await y.getContainer('same-name')).id, b.id);
});

test('a container whose monitor and process were SIGKILLed is reconciled and its runtime state cleaned', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = uniqueToken();
	const c = await engine.createContainer({name: 'victim', entrypoint: 'sleep', args: [token]});
	const running = await engine.startContainer('victim');
	const monitors = hostPidsWith(c.id).filter((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('conmon'));
	assert.equal(monitors.length, 1, `expected one conmon for the container, found ${monitors.length}`);
	for (const pid of [...monitors, running.pid!]) process.kill(pid, 'SIGKILL');
	await waitFor(() => !isAlive(running.pid!) && !isAlive(monitors[0]!), 5000, 'the processes to die');

	const meta = await engine.getContainer('victim');
	assert.ok(meta.state === 'failed' || meta.state === 'exited', `state is ${meta.state}`);
	assert.equal(meta.pid, null);
	assert.ok(meta.finishedAt !== null);
	// Stale runtime state (runc's, conmon's) is cleaned by that reconcile.
	const stale = await settledTracesOf(dir, c.id, token, stillRegistered(c.id));
	assert.deepEqual(stale, []);
	// And the container can run again.
	const again = await engine.startContainer('victim');
	assert.equal(again.state, 'running');
	assert.ok(isAlive(again.pid!));
});

test('a record from an earlier boot shows as exited, and its (reused) pid is left alone', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer(shell('true', {name: 'old-boot'}));
	// An unrelated live process that happens to have the recorded pid after the "reboot".
	const bystander = spawn('sleep', ['30'], {stdio: 'ignore'});
	t.after(() => bystander.kill('SIGKILL'));
	const stat = fs.readFileSync(`/proc/${bystander.pid}/stat`, 'utf8');
	const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
	const file = path.join(dir, 'containers', c.id, 'state.json');
	const record = JSON.parse(fs.readFileSync(file, 'utf8'));
	record.metadata.state = 'running';
	record.metadata.pid = bystander.pid;
	record.metadata.startedAt = new Date(Date.now() - 3_600_000).toISOString();
	record.internal.pidStartTime = startTime;
	record.internal.monitorPid = null;
	record.internal.bootId = '00000000-0000-0000-0000-000000000000';
	fs.writeFileSync(file, JSON.stringify(record));

	const meta = await engine.getContainer('old-boot');
	assert.equal(meta.state, 'exited');
	assert.equal(meta.pid, null);
	assert.equal((await engine.listContainers())[0]?.state, 'exited');
	assert.ok(isAlive(bystander.pid!), 'the engine touched a process from another boot');
});

/** Runs `op` in a child c32 process and SIGKILLs it `ms` after its engine is loaded. Returns what it printed. */
async function killChildAfter(dir: string, ms: number, op: string, arg: unknown): Promise<string> {
	const child: ChildProcess = spawn(process.execPath, [CHILD_SCRIPT, '--c32-child', dir, op, JSON.stringify(arg)], {
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	let out = '';
	let ready: () => void = () => {};
	const isReady = new Promise<void>((resolve) => (ready = resolve));
	child.stdout!.on('data', (d: Buffer) => {
		out += d.toString();
		if (out.includes('"ready"')) ready();
	});
	const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
	await Promise.race([isReady, exited]);
	await sleep(ms);
	child.kill('SIGKILL');
	await exited;
	return out;
}

const idsIn = (out: string) => [...out.matchAll(/"id":"([0-9a-f]{64})"/g)].map((m) => m[1]!);

test('a c32 process killed with SIGKILL at any point leaves state the next call reconciles', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = uniqueToken();
	const ids = new Set<string>();
	for (const [i, delay] of [0, 25, 60, 110, 200].entries()) {
		const out = await killChildAfter(dir, delay, 'create-start-many', {
			count: 4,
			config: {name: `k${i}`, entrypoint: 'sleep', args: [token], stopTimeout: 1},
		});
		for (const id of idsIn(out)) ids.add(id);
		// The next mutating call must work (a lock held by the killed process expires)...
		const probe = await withTimeout(
			engine.createContainer(shell('true', {name: `after-kill-${i}`})),
			20_000,
			'create after a SIGKILLed c32',
		);
		await engine.removeContainer(probe.id);
		// ...and reads tell the truth.
		const list = await withTimeout(engine.listContainers(), 20_000, 'listContainers after a SIGKILLed c32');
		for (const c of list) {
			ids.add(c.id);
			assert.ok(['created', 'running', 'exited', 'failed'].includes(c.state), `${c.name} is ${c.state}`);
			if (c.state === 'running') assert.ok(c.pid !== null && isAlive(c.pid), `${c.name} is "running" but its process is gone`);
			else assert.equal(c.pid, null, `${c.name} is ${c.state} with a pid`);
		}
	}
	t.diagnostic(`${ids.size} containers were created by the killed processes`);
	// Every container can be started (or is running) and then removed without a trace.
	for (const c of await engine.listContainers()) {
		if (c.state !== 'running') await engine.startContainer(c.id);
	}
	await removeAll(engine);
	await waitFor(() => hostPidsWith(token).length === 0, 5000, 'every container process to end').catch(() => undefined);
	assert.deepEqual(hostPidsWith(token), [], 'a container process survived');
	for (const id of ids)
		assert.deepEqual(await settledTracesOf(dir, id, undefined, (x) => x.endsWith(`/containers/${id}`)), [], `traces of ${id}`);
	assert.deepEqual(readIndexNames(dir), {});
	assert.deepEqual(listDir(path.join(dir, 'run', 'runtime')), []);
	// Directories of creates killed before they reached the index have no state to run.
	for (const id of listDir(path.join(dir, 'containers'))) {
		assert.ok(!ids.has(id) || !fs.existsSync(path.join(dir, 'containers', id, 'userdata', 'monitor.pid')), `${id} was left with a monitor`);
	}
});

test('a c32 killed during stop, restart or remove: the next calls finish the job and leave nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const plan: [string, number][] = [
		['stop', 0],
		['stop', 300],
		['stop', 1100],
		['restart', 200],
		['restart', 1150],
		['remove', 0],
		['remove', 40],
		['remove', 120],
	];
	for (const [i, [op, delay]] of plan.entries()) {
		const token = uniqueToken();
		// sleep as pid 1 ignores SIGTERM: stop waits its timeout (1 s), then kills.
		const c = await engine.createContainer({name: `victim-${i}`, entrypoint: 'sleep', args: [token], stopTimeout: 1});
		await engine.startContainer(c.id);
		await killChildAfter(dir, delay, op, c.id);
		const label = `${op} killed after ${delay} ms`;
		// The next calls tell the truth...
		const list = await withTimeout(engine.listContainers(), 20_000, `list after ${label}`);
		let meta = list.find((x) => x.id === c.id);
		// The killed stop may have sent SIGKILL already: the process can die between the list's
		// look and ours, and the next read must then say so.
		if (meta && meta.state === 'running' && meta.pid !== null && !isAlive(meta.pid)) meta = await engine.getContainer(c.id);
		if (meta) {
			if (meta.state === 'running' || meta.state === 'paused')
				assert.ok(meta.pid !== null && isAlive(meta.pid), `${label}: ${meta.state} without a live process`);
			else assert.equal(meta.pid, null, `${label}: ${meta.state} with a pid`);
			// ...and finish the job.
			await withTimeout(engine.removeContainer(c.id, {force: true}), 20_000, `remove after ${label}`);
		}
		await waitFor(() => hostPidsWith(token).length === 0, 3000, 'the container process to end').catch(() => undefined);
		assert.deepEqual(await settledTracesOf(dir, c.id, token), [], label);
	}
	assert.deepEqual(readIndexNames(dir), {});
});

test('two processes starting the same container at once: one starts it, the other gets BAD_STATE', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = uniqueToken();
	const c = await engine.createContainer({name: 'raced', entrypoint: 'sleep', args: [token]});
	const results = await Promise.all([runChild(dir, 'start', c.id), runChild(dir, 'start', c.id), runChild(dir, 'start', c.id)]);
	assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
	assert.deepEqual(
		results.filter((r) => !r.ok).map((r) => r.error),
		['BAD_STATE', 'BAD_STATE'],
	);
	await waitFor(() => hostPidsWith(token).length > 0, 3000, 'the container process');
	assert.equal(hostPidsWith(token).length, 1, 'more than one container process runs');
	assert.equal((await engine.getContainer('raced')).state, 'running');
});

test('ten concurrent creates with one name from separate processes: one succeeds, nine get NAME_IN_USE', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const results = await Promise.all(Array.from({length: 10}, () => runChild(dir, 'create', shell('true', {name: 'contested'}))));
	const ok = results.filter((r) => r.ok);
	const inUse = results.filter((r) => r.error === 'NAME_IN_USE');
	assert.equal(ok.length, 1, JSON.stringify(results));
	assert.equal(inUse.length, 9, JSON.stringify(results));
	const winner = ok[0]!.ok as ContainerMetadata;
	assert.deepEqual(readIndexNames(dir), {contested: winner.id});
	assert.deepEqual(listDir(path.join(dir, 'containers')), [winner.id]);
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.id),
		[winner.id],
	);
});
