// With the real image store: a container of an imported image, commit (its changes and a
// deletion as a whiteout become a layer of a new image that runs), and a container archive
// (export --with-image) imported into another storage root. Checked from inside containers.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {after, before, describe, test} from 'node:test';
import {type ContainerEngine, getEngine} from '../../engine/index.js';
import {expectCode, keyValues, makeTempDir, needsRuntime, removeAll, runToExit, settledTracesOf, withTimeout} from '../helpers/engine.js';
import {busyboxLayer} from '../helpers/images.js';

let dir: string;
let other: string;
let engine: ContainerEngine;
let otherEngine: ContainerEngine;
let rootfsTar: string;
let workDir: string;

before(() => {
	dir = makeTempDir('c32-commit-');
	other = makeTempDir('c32-commit-other-');
	const work = makeTempDir('c32-commit-work-');
	const root = busyboxLayer(path.join(work, 'root'), {'/etc/kept': 'kept\n'});
	rootfsTar = path.join(work, 'rootfs.tar');
	execFileSync('tar', ['--create', '--numeric-owner', '--file', rootfsTar, '--directory', root, '.']);
	engine = getEngine({storageDir: dir});
	otherEngine = getEngine({storageDir: other});
	workDir = work;
});

after(async () => {
	for (const e of [engine, otherEngine]) if (e) await removeAll(e);
	for (const d of [dir, other, workDir]) if (d) fs.rmSync(d, {recursive: true, force: true});
});

async function execText(e: ContainerEngine, ref: string, command: string[]): Promise<string> {
	const out = new PassThrough();
	let text = '';
	out.on('data', (chunk) => (text += chunk));
	const code = await withTimeout(e.execInContainer(ref, {command, stdio: {stdout: out, stderr: out}}), 20_000, 'exec');
	assert.equal(code, 0, text);
	return text;
}

describe('an image of the store', () => {
	test('volumes (read-write and read-only), metrics, logs and a restart policy work as on a host root', async (t) => {
		if (!needsRuntime(t)) return;
		// The restart comes from the monitor's exit command, a process of its own: it finds the
		// image in the real store, as every container's restart does.
		await engine.importImage(rootfsTar, 'bb-volumes', {changes: ['ENV PATH=/bin']});
		const data = makeTempDir('c32-oci-volume-');
		const config = makeTempDir('c32-oci-config-');
		t.after(() => {
			fs.rmSync(data, {recursive: true, force: true});
			fs.rmSync(config, {recursive: true, force: true});
		});
		fs.writeFileSync(path.join(config, 'setting'), 'on\n');
		const script =
			'echo run >> /data/runs; cat /config/setting; touch /config/x 2>/dev/null && echo ro=no || echo ro=yes; ' +
			'[ "$(wc -l < /data/runs)" -ge 2 ] && exec sleep 60; exit 3';
		const created = await engine.createContainer({
			image: 'bb-volumes',
			entrypoint: 'sh',
			args: ['-c', script],
			restartPolicy: 'on-failure:2',
			volumes: [
				{source: data, destination: '/data'},
				{source: config, destination: '/config', readOnly: true},
			],
		});
		await engine.startContainer(created.id);
		const meta = await withTimeout(
			(async () => {
				for (;;) {
					const current = await engine.getContainer(created.id);
					if (current.restartCount === 1 && current.state === 'running') return current;
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
			})(),
			20_000,
			'the restart after exit 3',
		);
		assert.equal(meta.restartCount, 1);
		assert.equal(fs.readFileSync(path.join(data, 'runs'), 'utf8'), 'run\nrun\n', 'both runs wrote to the host directory');
		const metrics = await engine.getContainerMetrics(created.id);
		assert.ok(metrics.memoryMb > 0, `memory ${metrics.memoryMb} MB`);
		assert.ok(metrics.pids >= 1, `pids ${metrics.pids}`);
		const lines: string[] = [];
		for await (const entry of engine.getLogs(created.id)) lines.push(entry.line);
		assert.deepEqual(
			lines.filter((line) => line !== ''),
			['on', 'ro=yes', 'on', 'ro=yes'],
		);
		await engine.removeContainer(created.id, {force: true});
	});

	test('an imported root filesystem runs, with its --change config', async (t) => {
		if (!needsRuntime(t)) return;
		await engine.importImage(rootfsTar, 'bb', {
			changes: ['CMD ["sh", "-c", "echo cmd $GREETING; cat /etc/kept"]', 'ENV GREETING=hello PATH=/bin'],
		});
		const run = await runToExit(engine, {image: 'bb'});
		assert.equal(run.exitCode, 0, run.stderr);
		assert.equal(run.stdout, 'cmd hello\nkept');
		assert.equal(run.meta.image, 'localhost/bb:latest');
		const info = await engine.inspectContainer(run.meta.id);
		const image = await engine.inspectImage('bb');
		assert.deepEqual(info.config.ociImage, {id: image.id, name: 'localhost/bb:latest', digest: image.digest});
	});

	test('an image the store does not have is IMAGE_NOT_FOUND', async (t) => {
		if (!needsRuntime(t)) return;
		await expectCode(engine.createContainer({image: 'nosuch'}), 'IMAGE_NOT_FOUND');
	});
});

describe('commit', () => {
	test("a running container's writes and a deletion become a layer; the new image runs with them", async (t) => {
		if (!needsRuntime(t)) return;
		const created = await engine.createContainer({
			image: 'bb',
			name: 'to-commit',
			args: ['sh', '-c', 'echo made > /new.txt; rm /etc/kept; mkdir -p /var/data && echo x > /var/data/y; touch /ready; sleep 120'],
		});
		await engine.startContainer(created.id);
		await withTimeout(
			(async () => {
				while (!(await execText(engine, created.id, ['sh', '-c', 'test -e /ready && echo yes || true'])).includes('yes'));
			})(),
			15_000,
			'the container to write its files',
		);
		await expectCode(engine.commitContainer(created.id, 'Bad Name!'), 'INVALID_CONFIG');
		const summary = await engine.commitContainer(created.id, 'committed:1', {changes: ['ENV COMMITTED=yes']});
		assert.deepEqual(summary.names, ['localhost/committed:1']);
		assert.equal((await engine.getContainer(created.id)).state, 'running', 'unpaused after the commit');
		assert.match(await execText(engine, created.id, ['cat', '/new.txt']), /made/);

		const details = await engine.inspectImage('committed:1');
		assert.equal(details.layers.length, 2, 'the parent layer and the new one');
		const run = await runToExit(engine, {
			image: 'committed:1',
			args: [
				'sh',
				'-c',
				'echo new=$(cat /new.txt); echo data=$(cat /var/data/y); test -e /etc/kept && echo kept=present || echo kept=gone; echo env=$COMMITTED',
			],
		});
		assert.equal(run.exitCode, 0, run.stderr);
		const kv = keyValues(run.stdout);
		assert.equal(kv.get('new'), 'made');
		assert.equal(kv.get('data'), 'x');
		assert.equal(kv.get('kept'), 'gone', 'the deletion is a whiteout in the new layer');
		assert.equal(kv.get('env'), 'yes');
		// The committed image keeps the container's command as its Cmd.
		assert.deepEqual(details.config.cmd?.slice(0, 2), ['sh', '-c']);
	});

	test('a container on the host trees cannot be committed, and no image appears', async (t) => {
		if (!needsRuntime(t)) return;
		const created = await engine.createContainer({entrypoint: 'true'});
		const before = (await engine.listImages()).length;
		const error = await expectCode(engine.commitContainer(created.id, 'nope'), 'UNSUPPORTED');
		assert.match(error.message, /host's own trees/);
		assert.equal((await engine.listImages()).length, before);
		assert.deepEqual(
			fs.readdirSync(dir).filter((name) => name.startsWith('.commit-')),
			[],
		);
	});
});

describe('export --with-image and import into another storage root', () => {
	test('the archive carries the image: the container runs in a store that never had it', async (t) => {
		if (!needsRuntime(t)) return;
		const source = await engine.createContainer({
			image: 'committed:1',
			name: 'travels',
			args: ['sh', '-c', 'cat /new.txt; echo $COMMITTED'],
		});
		const archive = path.join(dir, 'travels.tar');
		await engine.exportContainerArchive(source.id, archive);
		assert.equal(await engine.archiveKind(archive), 'container-archive');
		assert.deepEqual(await otherEngine.listImages(), []);

		const imported = await otherEngine.importContainerArchive(archive);
		assert.equal(imported.name, 'travels');
		await otherEngine.startContainer(imported.id);
		assert.equal(await withTimeout(otherEngine.waitContainer(imported.id), 20_000, 'imported container'), 0);
		const lines: string[] = [];
		for await (const entry of otherEngine.getLogs(imported.id)) lines.push(entry.line);
		assert.deepEqual(lines, ['made', 'yes']);
		assert.equal((await otherEngine.listImages()).length, 1);

		// Again: the name is taken now. Nothing is created, and the image stays as it was.
		await expectCode(otherEngine.importContainerArchive(archive), 'NAME_IN_USE');
		assert.equal((await otherEngine.listContainers()).length, 1);
		assert.equal((await otherEngine.listImages()).length, 1);

		// Under another name it is a second container of the same image; a bad name is refused.
		await expectCode(otherEngine.importContainerArchive(archive, {name: 'no spaces'}), 'INVALID_CONFIG');
		const second = await otherEngine.importContainerArchive(archive, {name: 'travels-2'});
		assert.equal(second.name, 'travels-2');
		assert.equal((await otherEngine.listContainers()).length, 2);
		assert.equal((await otherEngine.listImages()).length, 1);
	});

	test('a name in use in a fresh store: NAME_IN_USE before the image is loaded', async (t) => {
		if (!needsRuntime(t)) return;
		const fresh = makeTempDir('c32-commit-fresh-');
		const freshEngine = getEngine({storageDir: fresh});
		t.after(async () => {
			await removeAll(freshEngine);
			fs.rmSync(fresh, {recursive: true, force: true});
		});
		const holder = await freshEngine.createContainer({entrypoint: 'true', name: 'travels'});
		await expectCode(freshEngine.importContainerArchive(path.join(dir, 'travels.tar')), 'NAME_IN_USE');
		assert.deepEqual(await freshEngine.listImages(), []);
		assert.deepEqual(
			(await freshEngine.listContainers()).map((c) => c.id),
			[holder.id],
		);
		assert.deepEqual(await settledTracesOf(fresh, '0'.repeat(64)), []);
	});
});
