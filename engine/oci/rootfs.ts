// The on-disk skeleton of a container's root: mount points and the symlinks of a merged-/usr
// host. It must be complete before the runtime starts, because a read-only root (strict)
// cannot grow a mount point later.
import fs from 'node:fs';
import path from 'node:path';
import {HOST_SYSTEM_DIRS} from '../config.js';
import type {ResolvedConfig} from '../types.js';
import type {HostDir} from './spec.js';

/** The host's system directories as they are: real directories, or symlinks (merged /usr). */
export function readHostDirs(): HostDir[] {
	const dirs: HostDir[] = [];
	for (const dir of HOST_SYSTEM_DIRS) {
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(dir);
		} catch {
			continue;
		}
		if (stat.isSymbolicLink()) dirs.push({path: dir, symlinkTarget: fs.readlinkSync(dir)});
		else if (stat.isDirectory()) dirs.push({path: dir});
	}
	return dirs;
}

export function prepareRootfs(rootfs: string, hostDirs: HostDir[], config: ResolvedConfig): void {
	fs.mkdirSync(rootfs, {recursive: true, mode: 0o755});
	fs.chmodSync(rootfs, 0o755);
	for (const dir of hostDirs) {
		const target = path.join(rootfs, dir.path);
		if (dir.symlinkTarget === undefined) fs.mkdirSync(target, {recursive: true});
		else if (!isSymlink(target)) fs.symlinkSync(dir.symlinkTarget, target);
	}
	for (const dir of ['proc', 'dev', 'sys', 'tmp', 'app', 'root', 'var/tmp', 'run']) {
		fs.mkdirSync(path.join(rootfs, dir), {recursive: true, mode: 0o755});
	}
	fs.chmodSync(path.join(rootfs, 'root'), 0o700);
	for (const volume of config.volumes) {
		const target = path.join(rootfs, volume.destination);
		if (fs.statSync(volume.source).isDirectory()) {
			fs.mkdirSync(target, {recursive: true});
		} else {
			fs.mkdirSync(path.dirname(target), {recursive: true});
			fs.closeSync(fs.openSync(target, 'a'));
		}
	}
	const cwd = path.join(rootfs, config.workingDir);
	if (!isUnderMount(config.workingDir, config)) fs.mkdirSync(cwd, {recursive: true});
}

function isUnderMount(dir: string, config: ResolvedConfig): boolean {
	const mounts = [...HOST_SYSTEM_DIRS, '/proc', '/sys', '/dev', '/tmp', '/app', ...config.volumes.map((v) => v.destination)];
	return mounts.some((m) => dir === m || dir.startsWith(`${m}/`));
}

function isSymlink(p: string): boolean {
	try {
		return fs.lstatSync(p).isSymbolicLink();
	} catch {
		return false;
	}
}
