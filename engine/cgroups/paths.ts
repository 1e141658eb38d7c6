// Where one cgroup lives on disk: a directory per v1 controller, or one unified directory.
import path from 'node:path';
import {C32Error} from '../errors.js';
import {type CgroupHost, detectCgroupHost} from './detect.js';

/** The v1 controllers c32 uses; cpuset is left alone (a new cpuset cgroup starts empty). */
export const V1_CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'freezer'] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export type CgroupDirs =
	| {
			version: 1;
			/** Controllers that are mounted; cpu and cpuacct may share one directory. */
			controllers: Partial<Record<V1Controller, string>>;
			/** Hybrid hosts: the cgroup's directory in the controller-less cgroup2 tree. */
			unified: string | null;
	  }
	| {version: 2; unified: string};

/** "c32/<id>" or "/c32/<id>", relative to each hierarchy's mount point. */
function normalizeRelativePath(relPath: string): string {
	const trimmed = relPath.replace(/^\/+|\/+$/g, '');
	if (trimmed === '' || trimmed.split('/').some((part) => part === '' || part === '.' || part === '..')) {
		throw new Error(`invalid cgroup path: ${JSON.stringify(relPath)}`);
	}
	return trimmed;
}

export function cgroupDirsFor(host: CgroupHost, relPath: string): CgroupDirs {
	const relative = normalizeRelativePath(relPath);
	if (host.version === null) {
		throw new C32Error('UNSUPPORTED', 'No cgroup filesystem is mounted: mount one with `mount -t cgroup2 none /sys/fs/cgroup`');
	}
	if (host.version === 2) return {version: 2, unified: path.join(host.mounts.unified!, relative)};
	const controllers: Partial<Record<V1Controller, string>> = {};
	for (const controller of V1_CONTROLLERS) {
		const mount = host.mounts.v1[controller];
		if (mount !== undefined) controllers[controller] = path.join(mount, relative);
	}
	const unified = host.version === 'hybrid' ? path.join(host.mounts.unified!, relative) : null;
	return {version: 1, controllers, unified};
}

/** The directories of one cgroup on this host. */
export function cgroupDirs(relPath: string): CgroupDirs {
	return cgroupDirsFor(detectCgroupHost(), relPath);
}

/** Every distinct directory of a cgroup (controllers mounted together share one). */
export function allDirs(dirs: CgroupDirs): string[] {
	if (dirs.version === 2) return [dirs.unified];
	const unique = new Set(Object.values(dirs.controllers));
	if (dirs.unified !== null) unique.add(dirs.unified);
	return [...unique];
}

/** A directory whose cgroup.procs lists the cgroup's processes. */
export function processListDir(dirs: CgroupDirs): string | undefined {
	if (dirs.version === 2) return dirs.unified;
	const {controllers} = dirs;
	return controllers.pids ?? controllers.freezer ?? controllers.memory ?? controllers.cpu ?? dirs.unified ?? undefined;
}
