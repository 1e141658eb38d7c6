// The skeleton of a container's root: mount points and the symlinks of a merged-/usr host.
// It is c32's own tree, rebuilt on every start and never writable by the container: the
// container's writes go to an overlay upper layer above it (see bundle.ts), so no path
// operation here can meet a symlink the container planted. It must be complete before the
// runtime starts, because a read-only root (strict) cannot grow a mount point later.
import fs from 'node:fs';
import path from 'node:path';
import {HOST_SYSTEM_DIRS} from '../config.js';
import {C32Error} from '../errors.js';
import {isWithin} from '../fs/in-root.js';
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

export interface SkeletonInput {
	config: ResolvedConfig;
	hostDirs: HostDir[];
	/** Files to create as mount targets (in-container paths outside the host's directories). */
	fileTargets: string[];
	/** The container's root on the host: owner of every entry, so a user-namespaced root owns its own / and /root. */
	owner: {uid: number; gid: number};
}

/** Builds the skeleton afresh in `skeleton` (which only c32 writes). */
export function buildSkeleton(skeleton: string, input: SkeletonInput): void {
	const {config, hostDirs} = input;
	fs.rmSync(skeleton, {recursive: true, force: true});
	fs.mkdirSync(skeleton, {recursive: true, mode: 0o755});
	const created: string[] = [skeleton];
	const mkdir = (inside: string, mode = 0o755) => {
		let dir = skeleton;
		for (const part of inside.split('/').filter(Boolean)) {
			dir = path.join(dir, part);
			const existing = fs.lstatSync(dir, {throwIfNoEntry: false});
			if (existing?.isDirectory()) continue;
			// Never through one of the skeleton's own symlinks (merged /usr): those lead to the host's trees.
			if (existing)
				throw new C32Error('INVALID_CONFIG', `${inside} cannot be a mount point: ${dir.slice(skeleton.length)} is not a directory there`);
			fs.mkdirSync(dir, {mode});
			created.push(dir);
		}
	};
	for (const dir of hostDirs) {
		if (dir.symlinkTarget === undefined) mkdir(dir.path);
		else {
			fs.symlinkSync(dir.symlinkTarget, path.join(skeleton, dir.path));
			created.push(path.join(skeleton, dir.path));
		}
	}
	for (const dir of ['proc', 'dev', 'sys', 'tmp', 'app', 'var/tmp', 'run']) mkdir(dir);
	mkdir('root', 0o700);
	const files = [...input.fileTargets];
	for (const volume of config.volumes) {
		if (fs.statSync(volume.source).isDirectory()) mkdir(volume.destination);
		else files.push(volume.destination);
	}
	for (const file of files) {
		mkdir(path.dirname(file));
		const target = path.join(skeleton, file);
		if (!fs.lstatSync(target, {throwIfNoEntry: false})) {
			fs.closeSync(fs.openSync(target, 'wx', 0o644));
			created.push(target);
		}
	}
	if (!isUnderMount(config.workingDir, config)) mkdir(config.workingDir);
	if (input.owner.uid !== 0 || input.owner.gid !== 0) {
		for (const entry of created) fs.lchownSync(entry, input.owner.uid, input.owner.gid);
	}
	// mkdir's mode is masked by the umask; the skeleton's modes are exact.
	fs.chmodSync(skeleton, 0o755);
	fs.chmodSync(path.join(skeleton, 'root'), 0o700);
	fs.chmodSync(path.join(skeleton, 'tmp'), 0o1777);
	fs.chmodSync(path.join(skeleton, 'var', 'tmp'), 0o1777);
}

/** Whether an in-container path lies on a mount of the host's directories, the runtime's or a volume. */
export function isUnderMount(dir: string, config: ResolvedConfig): boolean {
	const mounts = [...HOST_SYSTEM_DIRS, '/proc', '/sys', '/dev', '/tmp', '/app', ...config.volumes.map((v) => v.destination)];
	return mounts.some((m) => isWithin(m, dir));
}
