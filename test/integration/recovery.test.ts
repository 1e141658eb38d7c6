// Nothing lost, nothing stuck (issue 7, items 10-15, 17, 18, 23, 27), with real containers:
// a full disk, damaged and lost state files, an interrupted stop, a killed exit command, a
// dead conmon, kill as a user stop, a container removed while waited for, the debug log.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {type TestContext, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {type ContainerEngine, getEngine} from '../../engine/index.js';
import {CLI_PATH, runCliSync} from '../cli/binary.js';
import {
	engineFor,
	expectCode,
	hostPidsWith,
	isAlive,
	makeTempDir,
	marker,
	needsRuntime,
	readIndexNames,
	removeAll,
	settledTracesOf,
	shell,
	tracesOf,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

/** A container that runs until stopped; SIGTERM ends it at once unless `ignoreTerm`. */
function sleeper(token: string, extra: Parameters<typeof shell>[1] = {}, ignoreTerm = false) {
	const trap = ignoreTerm ? `trap '' TERM;` : `trap 'exit 0' TERM;`;
	return shell(`${trap} echo ${token}; while :; do sleep 0.1; done`, {stopTimeout: 10, ...extra});
}

/** The host pids of processes whose command line names `id` and `program`. */
function pidsOf(id: string, program: string): number[] {
	return hostPidsWith(id).filter((pid) => {
		try {
			return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(program);
		} catch {
			return false;
		}
	});
}

function killAll(pids: number[]): void {
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
}

/**
 * An engine on a small tmpfs of its own. After the test its containers are removed first,
 * then the tmpfs is unmounted: the other way round, a failed test would leave them running.
 */
function smallStorageRoot(t: TestContext, sizeMb: number): {dir: string; engine: ReturnType<typeof getEngine>} {
	const dir = makeTempDir('c32-full-');
	execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir]);
	const engine = getEngine({storageDir: dir});
	t.after(async () => {
		try {
			await removeAll(engine);
		} finally {
			execFileSync('umount', ['-l', dir]);
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
	return {dir, engine};
}

test('with the storage root full, ps answers and stop and rm -f still act (item 10)', async (t) => {
	if (!needsRuntime(t)) return;
	const {dir, engine} = smallStorageRoot(t, 24);
	const token = marker();
	const other = marker();
	await engine.createContainer(sleeper(other, {name: 'bystander'}));
	await engine.startContainer('bystander');
	// The filler waits for its start to be recorded before it fills the disk: this test is about
	// what works on a full disk, not about a start racing it.
	const go = makeTempDir('c32-go-');
	t.after(() => fs.rmSync(go, {recursive: true, force: true}));
	await engine.createContainer(
		shell(
			`while [ ! -e /go/now ]; do sleep 0.05; done; dd if=/dev/zero of=/var/fill bs=64k 2>/dev/null; trap 'exit 0' TERM; echo ${token}; while :; do sleep 0.1; done`,
			{name: 'filler', volumes: [{source: go, destination: '/go', readOnly: true}]},
		),
	);
	await engine.startContainer('filler');
	fs.writeFileSync(path.join(go, 'now'), '');
	await waitFor(() => fs.statfsSync(dir).bavail === 0, 20_000, 'the storage root to fill up');
	await waitFor(() => hostPidsWith(token).length > 0, 10_000, 'the filler to keep running');

	const listed = await engine.listContainers();
	assert.deepEqual(listed.map((c) => [c.name, c.state]).sort(), [
		['bystander', 'running'],
		['filler', 'running'],
	]);
	const ps = runCliSync(dir, ['ps', '-a']);
	assert.equal(ps.code, 0, ps.stderr);
	assert.match(ps.stdout, /filler/);

	// The container filling the disk can be stopped; saying what could not be recorded is fine.
	await engine.stopContainer('filler', {timeout: 2}).catch((error) => assert.equal(error.code, 'STATE_NOT_SAVED', String(error)));
	await waitFor(() => hostPidsWith(token).length === 0, 5000, 'the filler to end');
	// rm -f acts too, and gives the space back.
	await engine.removeContainer('bystander', {force: true});
	await waitFor(() => hostPidsWith(other).length === 0, 5000, 'the bystander to end');
	await engine.removeContainer('filler', {force: true});
	assert.ok(fs.statfsSync(dir).bavail > 0, 'removing the filler did not free its space');
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.name),
		[],
	);
});

for (const [what, content] of [
	['an empty', ''],
	['a truncated', '{"formatVersion": 2, "metadata": {"id": '],
	['an empty-object', '{}'],
	['a non-JSON', 'not json at all'],
] as const) {
	test(`${what} state file shows as one damaged container; the others keep working; rm -f cleans it up (item 11)`, async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const victimToken = marker();
		const okToken = marker();
		const victim = await engine.createContainer(sleeper(victimToken, {name: 'victim'}));
		await engine.startContainer('victim');
		await engine.createContainer(sleeper(okToken, {name: 'healthy'}));
		await engine.startContainer('healthy');
		await waitFor(() => hostPidsWith(victimToken).length > 0, 10_000, 'the victim to run');
		const stateFile = path.join(dir, 'containers', victim.id, 'state.json');
		fs.writeFileSync(stateFile, content);

		const list = await engine.listContainers();
		const damaged = list.find((c) => c.id === victim.id);
		assert.equal(damaged?.state, 'damaged');
		assert.equal(damaged?.name, 'victim');
		assert.ok(damaged?.errorMessage?.includes(stateFile), `the message names the file: ${damaged?.errorMessage}`);
		assert.equal(list.find((c) => c.name === 'healthy')?.state, 'running');

		const ps = runCliSync(dir, ['ps', '-a']);
		assert.equal(ps.code, 0, ps.stderr);
		assert.match(ps.stdout, /victim/);
		assert.match(ps.stdout, /healthy/);
		const stop = runCliSync(dir, ['stop', 'victim']);
		assert.notEqual(stop.code, 0);
		assert.ok(stop.stderr.includes(stateFile) && stop.stderr.trim().split('\n').length === 1, stop.stderr);
		assert.notEqual(runCliSync(dir, ['rm', 'victim']).code, 0, 'rm without -f removed a damaged container');

		assert.equal(runCliSync(dir, ['logs', 'healthy']).code, 0);
		await engine.stopContainer('healthy', {timeout: 2});
		assert.equal((await engine.getContainer('healthy')).state, 'stopped');

		const rm = runCliSync(dir, ['rm', '-f', 'victim']);
		assert.equal(rm.code, 0, rm.stderr);
		assert.deepEqual(await settledTracesOf(dir, victim.id, victimToken), []);
		assert.deepEqual(
			(await engine.listContainers()).map((c) => c.name),
			['healthy'],
		);
	});
}

test('a damaged or lost index is rebuilt from the records; running containers keep their folders (items 11, 12)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = marker();
	const a = await engine.createContainer(sleeper(token, {name: 'alpha'}));
	await engine.startContainer('alpha');
	const b = await engine.createContainer(shell('true', {name: 'beta'}));
	const index = path.join(dir, 'index.json');
	const old = new Date(Date.now() - 3_600_000);

	for (const damage of ['garbage', 'lost']) {
		if (damage === 'garbage') fs.writeFileSync(index, '{"names": [1, 2');
		else fs.rmSync(index);
		// Folders older than the orphan grace period must survive: they hold readable records.
		for (const id of [a.id, b.id]) fs.utimesSync(path.join(dir, 'containers', id), old, old);
		const names = (await engine.listContainers()).map((c) => c.name).sort();
		assert.deepEqual(names, ['alpha', 'beta'], `after a ${damage} index`);
		const fresh = getEngine({storageDir: dir});
		assert.equal((await fresh.getContainer('alpha')).state, 'running');
		assert.deepEqual(readIndexNames(dir), {alpha: a.id, beta: b.id}, `the ${damage} index was written anew`);
		assert.ok(hostPidsWith(token).length > 0, 'the running container lost its process');
		assert.ok(fs.existsSync(path.join(dir, 'containers', a.id, 'state.json')));
	}
	await engine.stopContainer('alpha', {timeout: 2});
	assert.deepEqual(hostPidsWith(token), []);
});

test('Ctrl-C during c32 stop leaves the restart policy in force (item 13)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const token = marker();
	await engine.createContainer(sleeper(token, {name: 'stubborn', restartPolicy: 'always'}, true));
	const started = await engine.startContainer('stubborn');
	await waitFor(() => hostPidsWith(token).length > 0, 10_000, 'the container to run');

	const stopper = spawn(process.execPath, [CLI_PATH, 'stop', 'stubborn'], {env: {...process.env, C32_STORAGE_DIR: dir}, stdio: 'ignore'});
	await sleep(700);
	stopper.kill('SIGINT');
	await new Promise((resolve) => stopper.on('close', resolve));

	const after = await engine.getContainer('stubborn');
	assert.equal(after.state, 'running');
	assert.equal(after.stopRequested, false);
	// It crashes: the policy brings it back.
	process.kill(started.pid!, 'SIGKILL');
	const back = await waitFor(
		async () => {
			const meta = await engine.getContainer('stubborn');
			return meta.state === 'running' && meta.restartCount === 1 ? meta : null;
		},
		15_000,
		'the restart after the crash',
	);
	assert.ok(isAlive(back!.pid!));
});

test('a killed exit command: the next command carries out the pending restart, and logs -f ends (item 14)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const c = await engine.createContainer(shell('echo run; exit 1', {name: 'crashy', restartPolicy: 'on-failure:5'}));
	await engine.startContainer('crashy');
	// After three quick restarts the backoff is 800 ms: long enough to catch the exit command asleep.
	const pending = (await waitFor(
		async () => {
			const meta = await engine.getContainer('crashy');
			// Caught while the exit command sleeps, not while it already starts the next run.
			const asleep = meta.nextRestartAt !== null && Date.parse(meta.nextRestartAt) - Date.now() > 300;
			return meta.restartCount >= 3 && meta.state === 'restarting' && asleep ? meta : null;
		},
		20_000,
		'a pending restart',
		20,
	))!;
	assert.ok(
		pending.nextRestartAt !== null && Date.parse(pending.nextRestartAt) > Date.parse(pending.finishedAt!),
		`restarting says when: ${JSON.stringify(pending)}`,
	);
	const before = pending.restartCount;
	killAll(pidsOf(c.id, 'on-exit'));
	await waitFor(() => pidsOf(c.id, 'conmon').length === 0, 5000, 'conmon to end with its exit command');

	const follow = (async () => {
		let lines = 0;
		for await (const entry of engine.getLogs('crashy', {follow: true})) if (entry.line === 'run') lines++;
		return lines;
	})();
	const runs = await withTimeout(follow, 30_000, 'logs -f to end once the policy gives up');
	const final = await engine.getContainer('crashy');
	assert.equal(
		final.restartCount,
		5,
		`restarts: ${before} before the kill, ${final.restartCount} in the end: ${JSON.stringify(final)} ${fs.existsSync(path.join(engine.storageDir, 'debug.log')) ? fs.readFileSync(path.join(engine.storageDir, 'debug.log'), 'utf8') : ''}`,
	);
	assert.equal(final.state, 'exited');
	assert.equal(runs, 6);
});

test('rm -f of a container waiting to restart ends its conmon and exit command at once (item 14)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer(shell('exit 1', {name: 'looping', restartPolicy: 'always'}));
	await engine.startContainer('looping');
	await waitFor(
		async () => {
			const meta = await engine.getContainer('looping');
			return meta.restartCount >= 4 && meta.state === 'restarting';
		},
		30_000,
		'a long pending restart',
	);
	await engine.removeContainer('looping', {force: true});
	assert.deepEqual(await settledTracesOf(dir, c.id, undefined, undefined, 500), []);
});

test('a dead conmon: stop finishes in under 2 s without a false error, and the policy still restarts a crash (item 15)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const token = marker();
	const c = await engine.createContainer(sleeper(token, {name: 'orphan', restartPolicy: 'always'}));
	await engine.startContainer('orphan');
	await waitFor(() => hostPidsWith(token).length > 0, 10_000, 'the container to run');
	killAll(pidsOf(c.id, 'conmon'));
	await waitFor(() => pidsOf(c.id, 'conmon').length === 0, 5000, 'conmon to die');
	assert.equal((await engine.getContainer('orphan')).state, 'running');
	const began = Date.now();
	const stopped = await engine.stopContainer('orphan');
	const took = Date.now() - began;
	assert.equal(stopped.state, 'stopped');
	assert.ok(took < 2000, `stop took ${took} ms`);
	assert.deepEqual(hostPidsWith(token), []);

	// Without its monitor, a crash is noticed by the next command, which restarts it.
	const again = await engine.startContainer('orphan');
	killAll(pidsOf(c.id, 'conmon'));
	await waitFor(() => pidsOf(c.id, 'conmon').length === 0, 5000, 'conmon to die');
	process.kill(again.pid!, 'SIGKILL');
	const back = await waitFor(
		async () => {
			const meta = await engine.getContainer('orphan');
			return meta.state === 'running' && meta.restartCount === 1 ? meta : null;
		},
		15_000,
		'a restart after the crash',
	);
	assert.ok(isAlive(back!.pid!));
	await engine.removeContainer('orphan', {force: true});
});

test('c32 kill is a user stop: a restart-always container stays stopped; a non-fatal signal keeps it (item 17)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const token = marker();
	await engine.createContainer(
		shell(`trap 'echo usr1' USR1; echo ${token}; while :; do sleep 0.1; done`, {name: 'target', restartPolicy: 'always'}),
	);
	await engine.startContainer('target');
	await waitFor(() => hostPidsWith(token).length > 0, 10_000, 'the container to run');
	assert.equal((await engine.killContainer('target', 'USR1')).state, 'running');
	const killed = await engine.killContainer('target');
	assert.equal(killed.state, 'stopped');
	assert.equal(killed.stopRequested, true);
	await sleep(1500);
	const later = await engine.getContainer('target');
	assert.equal(later.state, 'stopped');
	assert.equal(later.restartCount, 0);
});

test('a container force-removed while waited for ends the wait with 137 (item 18)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const token = marker();
	await engine.createContainer(sleeper(token, {name: 'doomed'}));
	await engine.startContainer('doomed');
	const waited = engine.waitContainer('doomed');
	await sleep(200);
	await engine.removeContainer('doomed', {force: true});
	assert.equal(await withTimeout(waited, 10_000, 'the wait to end'), 137);
});

test('failures the engine survives go to the debug log that doctor names (item 27)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer(shell('sleep 0.5', {name: 'short'}));
	await engine.startContainer('short');
	// The exit command (run by conmon, whose stderr nobody reads) finds a damaged record.
	fs.writeFileSync(path.join(dir, 'containers', c.id, 'state.json'), '{');
	const report = await engine.doctor();
	assert.equal(report.debugLog, path.join(dir, 'debug.log'));
	await waitFor(
		() => fs.existsSync(report.debugLog) && fs.readFileSync(report.debugLog, 'utf8').includes(c.id.slice(0, 12)),
		10_000,
		'the exit command to log its failure',
	);
	assert.match(fs.readFileSync(report.debugLog, 'utf8'), /exit command for [0-9a-f]{12}: the state file .* is not valid JSON/);
	assert.equal(fs.statSync(report.debugLog).mode & 0o077, 0, 'the debug log is readable by others');
	runCliSync(dir, ['rm', '-f', 'short']);
	assert.deepEqual(tracesOf(dir, c.id), []);
});

test('a record of format 1 with a pending restart reads as restarting (on-disk upgrade)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer(shell('true', {name: 'legacy'}));
	const file = path.join(dir, 'containers', c.id, 'state.json');
	const record = JSON.parse(fs.readFileSync(file, 'utf8'));
	const at = new Date(Date.now() + 3_600_000).toISOString();
	record.formatVersion = 1;
	record.metadata.state = 'exited';
	delete record.metadata.nextRestartAt;
	record.internal = {...record.internal, nextRestartAt: at, scheduler: undefined, stopRequest: undefined};
	fs.writeFileSync(file, JSON.stringify(record));
	const meta = await (getEngine({storageDir: dir}) as ContainerEngine).getContainer('legacy');
	assert.equal(meta.state, 'restarting');
	assert.equal(meta.nextRestartAt, at);
	await expectCode(engine.removeContainer('legacy'), 'BAD_STATE');
	await engine.stopContainer('legacy');
	assert.equal((await engine.getContainer('legacy')).state, 'stopped');
});
