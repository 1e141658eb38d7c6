// OCI test images built from Debian packages (never downloaded): busybox-static for a tiny
// root, umoci to make layers, skopeo to write archives and push, docker-registry on
// 127.0.0.1 for pulls. Built once per test process, on first use, in a temporary directory
// removed when the process ends. Importing this module does nothing.
import assert from 'node:assert/strict';
import {type ChildProcess, execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {IN_CI, makeTempDir} from './engine.js';

/** What the two-layer image holds, for checks from inside a container. */
export const TWO_LAYER = {
	/** In layer 1, deleted by layer 2 (a whiteout). */
	deletedFile: '/etc/to-delete',
	/** Added by layer 2, with this content. */
	addedFile: '/etc/added',
	addedContent: 'added by layer two',
	/** The config's Env (besides PATH) and what its Cmd prints. */
	env: 'GREETING=hello-from-image',
	cmdOutput: 'hello-from-image',
	/** Its name in the archives. */
	name: 'localhost/test/two-layer:1',
} as const;

/** The second image: layer 1 of the two-layer image, plus its own file. */
export const SHARED = {
	file: '/etc/shared',
	content: 'second image',
	name: 'localhost/test/shared:1',
} as const;

const APPLETS = [
	'sh',
	'ls',
	'cat',
	'echo',
	'env',
	'id',
	'test',
	'sleep',
	'rm',
	'touch',
	'mkdir',
	'stat',
	'wc',
	'grep',
	'true',
	'false',
	'ps',
	'sync',
];
const TOOLS = ['skopeo', 'umoci', 'docker-registry'];

export interface OciFixtures {
	dir: string;
	/** umoci's OCI layout: tags "two-layer" and "shared". */
	layout: string;
	ociArchive: string;
	dockerArchive: string;
	/** The shared image as an oci-archive. */
	sharedArchive: string;
	/** A root filesystem (busybox, /etc/passwd) as a plain tar and as a tar.gz, for import. */
	rootfsTar: string;
	rootfsTarGz: string;
}

function which(name: string): string | null {
	for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
		try {
			fs.accessSync(path.join(dir, name), fs.constants.X_OK);
			return path.join(dir, name);
		} catch {
			// keep looking
		}
	}
	return null;
}

/** Why the image tests cannot run here, or null. */
export function imageToolsProblem(): string | null {
	const missing = TOOLS.filter((tool) => !which(tool));
	if (!fs.existsSync('/bin/busybox')) missing.push('busybox-static');
	if (process.getuid?.() !== 0) return 'not running as root';
	return missing.length ? `missing ${missing.join(', ')} (apt-get install -y skopeo umoci docker-registry busybox-static)` : null;
}

/** Gate for a test that needs the image tools: skips without them, fails in CI (like needsRuntime). */
export function needsImageTools(t: TestContext): boolean {
	const problem = imageToolsProblem();
	if (problem === null) return true;
	if (IN_CI) assert.fail(`this test needs the OCI image tools and CI must provide them: ${problem}`);
	t.skip(problem);
	return false;
}

const run = (command: string, args: string[], cwd?: string) =>
	execFileSync(command, args, {cwd, stdio: ['ignore', 'pipe', 'pipe']}).toString();

let built: OciFixtures | undefined;

/** The fixture images, built on first call in this process. */
export function ociFixtures(): OciFixtures {
	if (built) return built;
	const dir = makeTempDir('c32-oci-fixtures-');
	process.once('exit', () => fs.rmSync(dir, {recursive: true, force: true}));
	const layout = path.join(dir, 'layout');
	const bundle = (name: string) => path.join(dir, `bundle-${name}`);
	run('umoci', ['init', '--layout', layout]);
	run('umoci', ['new', '--image', `${layout}:base`]);

	// Layer 1: busybox, its applets, users, and a file layer 2 deletes.
	run('umoci', ['unpack', '--image', `${layout}:base`, bundle('base')]);
	writeBaseRoot(path.join(bundle('base'), 'rootfs'));
	run('umoci', ['repack', '--image', `${layout}:base`, bundle('base')]);
	const rootfsTar = path.join(dir, 'rootfs.tar');
	run('tar', ['-C', path.join(bundle('base'), 'rootfs'), '--numeric-owner', '-cf', rootfsTar, '.']);
	const rootfsTarGz = path.join(dir, 'rootfs.tar.gz');
	run('tar', ['-C', path.join(bundle('base'), 'rootfs'), '--numeric-owner', '-czf', rootfsTarGz, '.']);

	// The two-layer image: layer 2 deletes a file (a whiteout) and adds one.
	run('umoci', ['tag', '--image', `${layout}:base`, 'two-layer']);
	run('umoci', ['unpack', '--image', `${layout}:two-layer`, bundle('two')]);
	fs.rmSync(path.join(bundle('two'), 'rootfs', TWO_LAYER.deletedFile));
	fs.writeFileSync(path.join(bundle('two'), 'rootfs', TWO_LAYER.addedFile), `${TWO_LAYER.addedContent}\n`);
	run('umoci', ['repack', '--image', `${layout}:two-layer`, bundle('two')]);
	run('umoci', [
		'config',
		'--image',
		`${layout}:two-layer`,
		'--config.env=PATH=/bin',
		`--config.env=${TWO_LAYER.env}`,
		'--config.cmd=/bin/sh',
		'--config.cmd=-c',
		'--config.cmd=echo $GREETING',
	]);

	// The shared image: the same layer 1, its own layer 2.
	run('umoci', ['tag', '--image', `${layout}:base`, 'shared']);
	run('umoci', ['unpack', '--image', `${layout}:shared`, bundle('shared')]);
	fs.writeFileSync(path.join(bundle('shared'), 'rootfs', SHARED.file), `${SHARED.content}\n`);
	run('umoci', ['repack', '--image', `${layout}:shared`, bundle('shared')]);
	run('umoci', ['config', '--image', `${layout}:shared`, '--config.env=PATH=/bin', `--config.cmd=/bin/cat`, `--config.cmd=${SHARED.file}`]);
	for (const name of ['base', 'two', 'shared']) fs.rmSync(bundle(name), {recursive: true, force: true});

	const ociArchive = path.join(dir, 'two-layer.oci.tar');
	const dockerArchive = path.join(dir, 'two-layer.docker.tar');
	const sharedArchive = path.join(dir, 'shared.oci.tar');
	run('skopeo', ['copy', '--quiet', `oci:${layout}:two-layer`, `oci-archive:${ociArchive}:${TWO_LAYER.name}`]);
	run('skopeo', ['copy', '--quiet', `oci:${layout}:two-layer`, `docker-archive:${dockerArchive}:${TWO_LAYER.name}`]);
	run('skopeo', ['copy', '--quiet', `oci:${layout}:shared`, `oci-archive:${sharedArchive}:${SHARED.name}`]);
	built = {dir, layout, ociArchive, dockerArchive, sharedArchive, rootfsTar, rootfsTarGz};
	return built;
}

function writeBaseRoot(root: string): void {
	for (const dir of ['bin', 'etc', 'root', 'tmp']) fs.mkdirSync(path.join(root, dir), {recursive: true});
	fs.chmodSync(path.join(root, 'tmp'), 0o1777);
	fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
	fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
	for (const applet of APPLETS) fs.symlinkSync('busybox', path.join(root, 'bin', applet));
	fs.writeFileSync(
		path.join(root, 'etc', 'passwd'),
		'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
	);
	fs.writeFileSync(path.join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
	fs.writeFileSync(path.join(root, TWO_LAYER.deletedFile), 'deleted by layer two\n');
}

// ---- a registry on loopback

export interface TestRegistry {
	/** "127.0.0.1:<port>" */
	host: string;
	stop(): Promise<void>;
}

/** A port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Starts docker-registry on 127.0.0.1 (filesystem storage in a temp dir, no auth); stopped after the test. */
export async function startRegistry(t: TestContext): Promise<TestRegistry> {
	const dir = makeTempDir('c32-registry-');
	const port = await freePort();
	const config = path.join(dir, 'config.yml');
	fs.writeFileSync(
		config,
		[
			'version: 0.1',
			'log:',
			'  level: error',
			'storage:',
			'  filesystem:',
			`    rootdirectory: ${dir}/data`,
			'http:',
			`  addr: 127.0.0.1:${port}`,
			'',
		].join('\n'),
	);
	const child: ChildProcess = spawn('docker-registry', ['serve', config], {stdio: ['ignore', 'ignore', 'pipe']});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		stderr = (stderr + chunk.toString()).slice(-4000);
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await exited;
		fs.rmSync(dir, {recursive: true, force: true});
	};
	t.after(stop);
	const deadline = Date.now() + 10_000;
	while (!(await answers(port))) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await stop();
			assert.fail(`docker-registry did not start on 127.0.0.1:${port}: ${stderr.trim()}`);
		}
		await sleep(50);
	}
	return {host: `127.0.0.1:${port}`, stop};
}

function answers(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const request = http.get({host: '127.0.0.1', port, path: '/v2/', timeout: 1000}, (response) => {
			response.resume();
			resolve(response.statusCode === 200);
		});
		request.on('error', () => resolve(false));
		request.on('timeout', () => {
			request.destroy();
			resolve(false);
		});
	});
}

/** Pushes a fixture image ("two-layer" or "shared") to the registry as `ref` (host/path:tag). */
export function push(fixtures: OciFixtures, image: 'two-layer' | 'shared', ref: string): void {
	run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${fixtures.layout}:${image}`, `docker://${ref}`]);
}
