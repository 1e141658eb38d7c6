// Removing every trace of a container known only by its id (its record is damaged): the
// processes that serve it, its runtime state, cgroups and mounts. Each part is idempotent.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {promisify} from 'node:util';
import {cgroupDirs, cgroupProcesses, killCgroup, parseMountInfo, removeCgroup} from './cgroups/index.js';
import {teardownBundle} from './oci/bundle.js';
import {cgroupPathFor, containerPaths, type StorageLayout} from './paths.js';

const execFileAsync = promisify(execFile);

/** Our processes whose command line names the container: its monitor, its exit command. */
export function processesNaming(id: string): number[] {
	const found: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(id)) found.push(Number(entry));
		} catch {
			// exited meanwhile
		}
	}
	return found;
}

export async function purgeCgroups(id: string): Promise<void> {
	const dirs = cgroupDirs(cgroupPathFor(id));
	const probe = dirs.version === 2 ? dirs.unified : Object.values(dirs.controllers)[0];
	if (!probe || !fs.existsSync(probe)) return;
	if (cgroupProcesses(dirs).length > 0) await killCgroup(dirs, 'SIGKILL');
	await removeCgroup(dirs);
}

/** Unmounts whatever is mounted under the container's directory on the host, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
	const mounts = parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
		.map((m) => m.mountPoint)
		.filter((point) => point === dir || point.startsWith(`${dir}/`))
		.sort((a, b) => b.length - a.length);
	for (const point of mounts) await execFileAsync('umount', ['-l', point]);
}

export async function purgeContainer(layout: StorageLayout, id: string, runtime: {purge(id: string): Promise<void>} | null): Promise<void> {
	for (const pid of processesNaming(id)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone
		}
	}
	if (runtime) await runtime.purge(id);
	if (process.getuid?.() === 0) {
		await purgeCgroups(id);
		const paths = containerPaths(layout, id);
		await teardownBundle({paths});
		await unmountUnder(paths.root);
	}
}
