// Remove leaves nothing: no process, cgroup, mount, runtime state, container files, index
// entry or unused image snapshot.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {
	cgroupDirsOf,
	engineFor,
	expectCode,
	hostMountsWith,
	hostPidsWith,
	listDir,
	makeTempDir,
	needsRuntime,
	readIndexNames,
	settledTracesOf,
	waitFor,
} from '../helpers/engine.js';

function token(): string {
	return `${700 + Math.floor(Math.random() * 99)}.${Math.floor(Math.random() * 1e6)}`;
}

test('force-removing a running container with an image, a volume and limits leaves nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const work = makeTempDir('c32-rm-');
	t.after(() => fs.rmSync(work, {recursive: true, force: true}));
	const image = path.join(work, 'svc.sh');
	const tok = token();
	// A main process and a child, both ignoring SIGTERM.
	fs.writeFileSync(image, `trap '' TERM\n(trap '' TERM; exec sleep ${tok}) &\nexec sleep ${tok}\n`);
	fs.mkdirSync(path.join(work, 'vol'));
	const c = await engine.createContainer({
		name: 'doomed',
		image,
		volumes: [{source: path.join(work, 'vol'), destination: '/data'}],
		resourceLimits: {memoryLimitMb: 64, cpuLimitPercent: 50, maxProcesses: 20},
	});
	await engine.startContainer('doomed');
	await waitFor(() => hostPidsWith(tok).length >= 2, 5000, 'both processes');
	assert.ok(cgroupDirsOf(c.id).length > 0, 'a running container has cgroups (or this check sees nothing)');
	assert.ok(fs.existsSync(path.join(dir, 'run', 'runtime', c.id)), 'a running container has runtime state (or this check sees nothing)');

	await engine.removeContainer('doomed', {force: true});
	assert.deepEqual(await settledTracesOf(dir, c.id, tok), []);
	assert.deepEqual(listDir(path.join(dir, 'images')), [], 'the image snapshot of the removed container stayed');
	assert.deepEqual(listDir(path.join(dir, 'containers')), []);
	assert.deepEqual(hostMountsWith(dir), []);
	assert.deepEqual(readIndexNames(dir), {});
	// The volume's host directory is the user's: it stays.
	assert.ok(fs.existsSync(path.join(work, 'vol')));
	await expectCode(engine.getContainer('doomed'), 'NOT_FOUND');
	await expectCode(engine.getContainer(c.id), 'NOT_FOUND');
	// The name is free again.
	const reused = await engine.createContainer({name: 'doomed', entrypoint: 'true'});
	assert.notEqual(reused.id, c.id);
});

test('force-removing a paused container leaves nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const tok = token();
	const c = await engine.createContainer({name: 'frozen', entrypoint: 'sleep', args: [tok]});
	await engine.startContainer('frozen');
	await engine.pauseContainer('frozen');
	await engine.removeContainer('frozen', {force: true});
	assert.deepEqual(await settledTracesOf(dir, c.id, tok), []);
});

test('removing an exited container needs no force and leaves nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const c = await engine.createContainer({name: 'finished', entrypoint: 'sh', args: ['-c', 'echo bye']});
	await engine.startContainer('finished');
	await engine.waitContainer('finished');
	await engine.removeContainer('finished');
	assert.deepEqual(await settledTracesOf(dir, c.id), []);
	assert.deepEqual(listDir(path.join(dir, 'containers')), []);
});

test('removing a running container without force is BAD_STATE and changes nothing', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const tok = token();
	const c = await engine.createContainer({name: 'keep', entrypoint: 'sleep', args: [tok]});
	await engine.startContainer('keep');
	const error = await expectCode(engine.removeContainer('keep'), 'BAD_STATE');
	assert.match(error.message, /force|stop/i);
	assert.equal((await engine.getContainer('keep')).state, 'running');
	assert.equal(hostPidsWith(tok).length, 1);
	assert.ok(fs.existsSync(path.join(dir, 'containers', c.id)));
	await expectCode(engine.removeContainer('no-such-container'), 'NOT_FOUND');
});

test('force-removing running containers ends the exit commands their monitors started for them at once', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const tok = token();
	const ids: string[] = [];
	for (let i = 0; i < 3; i++) {
		const c = await engine.createContainer({name: `killed-${i}`, entrypoint: 'sleep', args: [tok]});
		await engine.startContainer(c.id);
		ids.push(c.id);
	}
	await waitFor(() => hostPidsWith(tok).length >= 3, 5000, 'the three containers');
	await Promise.all(ids.map((id) => engine.removeContainer(id, {force: true})));
	// Each monitor saw its container die and started its exit command (a whole Node process);
	// with the container removed it has nothing to do, and is gone as soon as rm returns.
	assert.deepEqual(
		ids.flatMap((id) => hostPidsWith(id)),
		[],
		'an exit command or a monitor of a removed container still runs',
	);
});
