// Which cgroup layout this host has: v1 (legacy), v2 (unified) or hybrid (systemd's mix of
// v1 controllers with an empty cgroup2 tree at /sys/fs/cgroup/unified).
import {existsSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {type CgroupMounts, findCgroupMounts, parseMountInfo} from './mountinfo.js';

export type CgroupVersion = 1 | 2 | 'hybrid';

export interface CgroupHost {
	version: CgroupVersion | null;
	mounts: CgroupMounts;
	/** v1 only: the memory controller has memory.memsw.* files (swap accounting is on). */
	memsw: boolean;
}

/** A v1 controller proper; "name=systemd" style hierarchies carry no controller. */
function isV1Controller(name: string): boolean {
	return !name.startsWith('name=');
}

export function classifyCgroupVersion(mounts: CgroupMounts): CgroupVersion | null {
	const hasV1Controllers = Object.keys(mounts.v1).some(isV1Controller);
	if (hasV1Controllers) return mounts.unified === null ? 1 : 'hybrid';
	return mounts.unified === null ? null : 2;
}

/** Builds the host description from mountinfo text; `fileExists` is injectable for tests. */
export function cgroupHostFromMountInfo(mountInfoText: string, fileExists: (file: string) => boolean = existsSync): CgroupHost {
	const mounts = findCgroupMounts(parseMountInfo(mountInfoText));
	const version = classifyCgroupVersion(mounts);
	const memoryMount = mounts.v1['memory'];
	const memsw = version !== 2 && memoryMount !== undefined && fileExists(path.join(memoryMount, 'memory.memsw.limit_in_bytes'));
	return {version, mounts, memsw};
}

let cachedHost: CgroupHost | undefined;

/** The cgroup layout of this host, read once per process (mounts do not change under us). */
export function detectCgroupHost(): CgroupHost {
	cachedHost ??= cgroupHostFromMountInfo(readFileSync('/proc/self/mountinfo', 'utf8'));
	return cachedHost;
}
