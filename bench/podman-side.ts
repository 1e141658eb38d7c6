// What the benchmarks that run podman beside c32 share: finding podman, a busybox rootfs for
// it (no registry is reachable), podman's flags for this host, and scratch directories.
import fs from 'node:fs';
import path from 'node:path';

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
