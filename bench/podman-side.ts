// What the benchmarks that run podman beside c32 share: finding podman, a busybox rootfs for
// it (no registry is reachable), podman's flags for this host, and scratch directories.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';

const exec = promisify(execFile);

/** crun refuses this hybrid host and podman's default rlimits exceed its hard limits: rlimits it can grant. */
export const PODMAN_RUN_FLAGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

/** podman, when it and busybox-static (for its rootfs) are installed. */
export function findPodman(): string | null {
	if (!fs.existsSync('/bin/busybox')) return null;
	return ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => fs.existsSync(p)) ?? null;
}

export function busyboxRootfs(dir: string): string {
	const rootfs = path.join(dir, 'rootfs');
	for (const sub of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp']) fs.mkdirSync(path.join(rootfs, sub), {recursive: true});
	fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
	fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
	for (const applet of ['sh', 'sleep', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
	return rootfs;
}

export function tempDir(prefix: string): string {
	fs.mkdirSync('/var/tmp', {recursive: true});
	return fs.mkdtempSync(path.join('/var/tmp', prefix));
}

/** Mount points below `dir` (podman bind-mounts its overlay directory onto itself). */
export function mountsUnder(dir: string): string[] {
	return fs
		.readFileSync('/proc/self/mountinfo', 'utf8')
		.split('\n')
		.map((line) => line.split(' ')[4] ?? '')
		.filter((mountPoint) => mountPoint.startsWith(`${dir}/`));
}

/** A tar of a root with busybox-static and every applet as a relative link. */
export async function busyboxTar(dir: string): Promise<string> {
	const root = path.join(dir, 'rootfs');
	fs.mkdirSync(path.join(root, 'bin'), {recursive: true});
	fs.copyFileSync('/bin/busybox', path.join(root, 'bin', 'busybox'));
	fs.chmodSync(path.join(root, 'bin', 'busybox'), 0o755);
	const {stdout} = await exec('/bin/busybox', ['--list']);
	for (const applet of stdout.split('\n').filter((name) => name && name !== 'busybox')) {
		fs.symlinkSync('busybox', path.join(root, 'bin', applet));
	}
	const tar = path.join(dir, 'rootfs.tar');
	await exec('tar', ['-C', root, '-cf', tar, '.']);
	return tar;
}

/**
 * podman on a storage and network config of its own under /var/tmp, with runc: nothing of
 * the host's podman is touched. dispose() removes what it made, the default bridge included.
 */
export class PodmanScratch {
	readonly dir = tempDir('podman-bench-');
	readonly global = [
		'--runtime',
		'runc',
		'--root',
		path.join(this.dir, 'root'),
		'--runroot',
		path.join(this.dir, 'runroot'),
		'--network-config-dir',
		path.join(this.dir, 'networks'),
	];
	/** Interfaces before podman ran here: only those it adds are its to remove. */
	private readonly linksBefore = new Set(fs.readdirSync('/sys/class/net'));

	constructor(readonly binary: string) {}

	async cli(...args: string[]): Promise<string> {
		return (await exec(this.binary, [...this.global, ...args], {maxBuffer: 64 * 1024 * 1024})).stdout;
	}

	async dispose(): Promise<void> {
		await this.cli('rm', '-af', '-t', '0').catch((error: Error) => console.error(`podman rm -af: ${error.message.split('\n')[0]}`));
		await this.cli('network', 'prune', '-f').catch(() => undefined);
		await this.cli('system', 'reset', '-f').catch((error: Error) => console.error(`podman reset: ${error.message.split('\n')[0]}`));
		// netavark keeps its default bridge (podman0) once made: removed when this run made it
		// and nothing is attached to it any more.
		for (const link of fs.readdirSync('/sys/class/net')) {
			if (this.linksBefore.has(link) || !link.startsWith('podman')) continue;
			if (fs.readdirSync(`/sys/class/net/${link}/brif`).length === 0) await exec('ip', ['link', 'delete', link]).catch(() => undefined);
		}
		for (const mountPoint of mountsUnder(this.dir).reverse()) await exec('umount', [mountPoint]).catch(() => undefined);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}
