// Containers on OCI image roots, run for real (runc + conmon) and checked from inside: the
// image's layers with a whiteout, its config against the flags, strict's read-only and
// shifted root, --base, exec, a memory limit, the upper layer across restarts, and nothing
// left behind. The layers are directories built here from busybox-static (test/helpers/images.ts),
// handed to the engine through its image seam (services.images), as the store hands its own.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {after, before, describe, test} from 'node:test';
import {ContainerEngine} from '../../engine/engine.js';
import {resolveStorage} from '../../engine/paths.js';
import {createServices} from '../../engine/services.js';
import type {ContainerConfig} from '../../engine/types.js';
import {expectCode, keyValues, makeTempDir, needsRuntime, removeAll, runToExit, settledTracesOf, withTimeout} from '../helpers/engine.js';
import {busyboxLayer, changeLayer, MemoryImages} from '../helpers/images.js';

let dir: string;
let engine: ContainerEngine;
const images = new MemoryImages();

before(() => {
	dir = makeTempDir('c32-oci-');
	const layers = path.join(dir, 'test-layers');
	fs.mkdirSync(layers);
	const base = busyboxLayer(path.join(layers, 'base'), {'/etc/doomed': 'to be deleted\n', '/etc/kept': 'kept\n'});
	const top = changeLayer(path.join(layers, 'top'), {'/opt/tool/run.sh': '#!/bin/sh\necho "tool $MODE $*"\n'}, ['/etc/doomed']);
	images.add('busybox', {cmd: ['sh']}, [base]);
	images.add('tool', {entrypoint: ['/opt/tool/run.sh'], cmd: ['default-arg'], env: ['PATH=/bin', 'MODE=image']}, [base, top]);
	images.add(
		'bot',
		{cmd: ['sh', '-c', 'echo "$(id -u):$(id -g) $HOME $(pwd)"'], env: ['PATH=/bin'], user: 'bot', workingDir: '/home/bot'},
		[base],
	);
	const layout = resolveStorage({storageDir: dir});
	engine = new ContainerEngine(createServices(layout, {images}), layout);
});

after(async () => {
	if (engine) await removeAll(engine);
	fs.rmSync(dir, {recursive: true, force: true});
});

const sh = (image: string, script: string, extra: ContainerConfig = {}): ContainerConfig => ({
	image,
	entrypoint: 'sh',
	args: ['-c', script],
	...extra,
});

describe('the root is the image', () => {
	test("a two-layer image: the whited-out file is gone, the lower layer's files are there, no host trees", async (t) => {
		if (!needsRuntime(t)) return;
		const run = await runToExit(
			engine,
			sh(
				'tool',
				'test -e /etc/doomed && echo doomed=present || echo doomed=gone; echo kept=$(cat /etc/kept); ls /usr >/dev/null 2>&1 && echo usr=yes || echo usr=no; echo tool=$(test -x /opt/tool/run.sh && echo yes)',
			),
		);
		assert.equal(run.exitCode, 0, run.stderr);
		const kv = keyValues(run.stdout);
		assert.equal(kv.get('doomed'), 'gone');
		assert.equal(kv.get('kept'), 'kept');
		assert.equal(kv.get('usr'), 'no', "the host's /usr must not be in an OCI root");
		assert.equal(kv.get('tool'), 'yes');
	});

	test("the image's Entrypoint, Cmd and Env apply; args replace Cmd, -e overrides Env", async (t) => {
		if (!needsRuntime(t)) return;
		const plain = await runToExit(engine, {image: 'tool'});
		assert.equal(plain.exitCode, 0, plain.stderr);
		assert.equal(plain.stdout, 'tool image default-arg');
		const flags = await runToExit(engine, {image: 'tool', args: ['given'], environment: {MODE: 'flag'}});
		assert.equal(flags.stdout, 'tool flag given');
		const meta = await engine.getContainer(plain.meta.id);
		assert.equal(meta.image, 'localhost/tool:latest');
	});

	test("WorkingDir and User: the image's user, looked up in its /etc/passwd, with its home", async (t) => {
		if (!needsRuntime(t)) return;
		const run = await runToExit(engine, {image: 'bot'});
		assert.equal(run.exitCode, 0, run.stderr);
		assert.equal(run.stdout, '1234:2345 /home/bot /home/bot');
		const root = await runToExit(engine, {image: 'bot', user: '0', workingDir: '/etc'});
		assert.equal(root.stdout, '0:0 /root /etc');
		const unknown = await engine.createContainer({image: 'bot', user: 'nobody'});
		await expectCode(engine.startContainer(unknown.id), 'INVALID_CONFIG');
	});

	test('a command the image lacks fails the start as on a host root (127 for the CLI), leaving no mount', async (t) => {
		if (!needsRuntime(t)) return;
		const created = await engine.createContainer({image: 'busybox', entrypoint: 'python3'});
		const error = await expectCode(engine.startContainer(created.id), 'START_FAILED');
		assert.match(error.message, /python3: executable file not found in \$PATH/);
		assert.deepEqual(
			await settledTracesOf(
				dir,
				created.id,
				undefined,
				(trace) => trace.includes(`/containers/${created.id}`) || trace.startsWith('index'),
			),
			[],
		);
	});
});

describe('strict on an OCI root', () => {
	test('read-only root, writable /tmp, the files owned by the container root (a shifted copy of the layers)', async (t) => {
		if (!needsRuntime(t)) return;
		const run = await runToExit(
			engine,
			sh(
				'tool',
				'touch /x 2>/dev/null && echo root=writable || echo root=readonly; touch /tmp/x && echo tmp=writable; echo owner=$(stat -c %u:%g /bin/busybox); echo home=$(stat -c %u /home/bot); test -e /etc/doomed && echo doomed=present || echo doomed=gone',
				{isolationLevel: 'strict'},
			),
		);
		assert.equal(run.exitCode, 0, run.stderr);
		const kv = keyValues(run.stdout);
		assert.equal(kv.get('root'), 'readonly');
		assert.equal(kv.get('tmp'), 'writable');
		assert.equal(kv.get('owner'), '0:0');
		assert.equal(kv.get('home'), '1234', "the image's own owners, mapped");
		assert.equal(kv.get('doomed'), 'gone');
		assert.ok(
			images.layerRequests.some((r) => r.idShift === 100_000),
			'strict asks the store for layers shifted into its user namespace',
		);
	});
});

describe('--base: a host-path image on an OCI root', () => {
	for (const isolationLevel of ['standard', 'strict'] as const) {
		test(`${isolationLevel}: the script is at /app and runs with the image's sh`, async (t) => {
			if (!needsRuntime(t)) return;
			const scriptDir = path.join(dir, `script-${isolationLevel}`);
			fs.mkdirSync(scriptDir);
			const script = path.join(scriptDir, 'bot.sh');
			fs.writeFileSync(
				script,
				'echo "pwd=$(pwd)"\necho "passwd=$(grep -c ^bot: /etc/passwd)"\nls /usr >/dev/null 2>&1 && echo usr=yes || echo usr=no\necho "sh=$(readlink /bin/sh)"\n',
			);
			const run = await runToExit(engine, {image: script, base: 'busybox', isolationLevel});
			assert.equal(run.exitCode, 0, run.stderr);
			const kv = keyValues(run.stdout);
			assert.equal(kv.get('pwd'), '/app');
			assert.equal(kv.get('passwd'), '1', "the image's /etc/passwd");
			assert.equal(kv.get('usr'), 'no');
			assert.equal(kv.get('sh'), 'busybox');
			const meta = await engine.getContainer(run.meta.id);
			assert.equal(meta.image, script);
		});
	}
});

describe('a running OCI container', () => {
	test("exec: the image's programs, as a user of its /etc/passwd", async (t) => {
		if (!needsRuntime(t)) return;
		const created = await engine.createContainer(sh('tool', 'sleep 60'));
		await engine.startContainer(created.id);
		const out = new PassThrough();
		let text = '';
		out.on('data', (chunk) => (text += chunk));
		const code = await withTimeout(
			engine.execInContainer(created.id, {command: ['sh', '-c', 'echo $(id -u) $HOME; cat /etc/kept'], user: 'bot', stdio: {stdout: out}}),
			20_000,
			'exec',
		);
		assert.equal(code, 0);
		assert.equal(text, '1234 /home/bot\nkept\n');
		const missing = await expectCode(engine.execInContainer(created.id, {command: ['python3']}), 'START_FAILED');
		assert.match(missing.message, /python3/);
		await engine.removeContainer(created.id, {force: true});
	});

	test('a memory limit is enforced: going past it is an OOM kill', async (t) => {
		if (!needsRuntime(t)) return;
		const over = await runToExit(
			engine,
			sh('busybox', 'dd if=/dev/zero of=/dev/null bs=128M count=1 2>/dev/null && echo survived', {resourceLimits: {memoryLimitMb: 48}}),
		);
		assert.equal(over.exitCode, 137, over.stderr);
		assert.equal(over.meta.oomKilled, true);
		// Control: under the limit the same program runs.
		const under = await runToExit(
			engine,
			sh('busybox', 'dd if=/dev/zero of=/dev/null bs=16M count=1 2>/dev/null && echo survived', {resourceLimits: {memoryLimitMb: 48}}),
		);
		assert.equal(under.exitCode, 0, under.stderr);
		assert.equal(under.stdout, 'survived');
		assert.doesNotMatch(over.stdout, /survived/);
	});

	test('stop, start and restart keep the upper layer; rm leaves no mount and no container dir', async (t) => {
		if (!needsRuntime(t)) return;
		const created = await engine.createContainer(
			sh('busybox', 'echo run >> /state.log; rm -f /etc/kept; cat /state.log | wc -l; sleep 60'),
		);
		await engine.startContainer(created.id);
		await engine.stopContainer(created.id, {timeout: 0});
		await engine.startContainer(created.id);
		await engine.restartContainer(created.id, {timeout: 0});
		const out = new PassThrough();
		let text = '';
		out.on('data', (chunk) => (text += chunk));
		await engine.execInContainer(created.id, {
			command: ['sh', '-c', 'wc -l < /state.log; test -e /etc/kept || echo kept-deleted'],
			stdio: {stdout: out},
		});
		assert.equal(text, '3\nkept-deleted\n');
		await engine.removeContainer(created.id, {force: true});
		assert.deepEqual(await settledTracesOf(dir, created.id), []);
		const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
		assert.ok(!mounts.includes(created.id), 'a mount of the container is left');
	});
});

describe('bad input', () => {
	test('an image the store does not have is IMAGE_NOT_FOUND, and nothing is created', async (t) => {
		if (!needsRuntime(t)) return;
		const before = (await engine.listContainers()).length;
		const error = await expectCode(engine.createContainer({image: 'nosuch:1'}), 'IMAGE_NOT_FOUND');
		assert.match(error.message, /pull it first/);
		assert.equal((await engine.listContainers()).length, before);
	});

	test('minimal isolation refuses an OCI image, saying why', async (t) => {
		if (!needsRuntime(t)) return;
		const error = await expectCode(engine.createContainer({image: 'busybox', isolationLevel: 'minimal'}), 'INVALID_CONFIG');
		assert.match(error.message, /minimal isolation .* use --isolation standard/);
	});
});
