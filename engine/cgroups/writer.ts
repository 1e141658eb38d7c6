// Creating a cgroup with limits and putting processes in it: what runc does for the OCI
// driver, done by hand for the process driver.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import type {ResourceLimits} from '../types.js';
import {detectCgroupHost} from './detect.js';
import {type CgroupWrite, limitWrites, V2_CONTROLLERS, v2ControllersRequiredBy} from './limits.js';
import {allDirs, type CgroupDirs, cgroupDirsFor} from './paths.js';
import {removeEmptyCgroupSync} from './remove.js';

export interface CreateCgroupOptions {
	/** "major:minor" of the disk to throttle (see blockDeviceOf); needed for diskIoLimitMbps. */
	blockDevice?: string | null;
}

function errnoOf(error: unknown): string | undefined {
	return (error as NodeJS.ErrnoException).code;
}

function writeControl(write: CgroupWrite): void {
	try {
		writeFileSync(write.file, write.value);
	} catch (error) {
		const code = errnoOf(error);
		const what = `${path.basename(write.file)} = ${write.value}`;
		if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
			throw new C32Error('PERMISSION_DENIED', `Cannot set ${what} (${code}): cgroup limits need root and a writable cgroup filesystem`);
		}
		if (code === 'EINVAL' || code === 'EBUSY') {
			throw new C32Error(
				'LIMIT_EXCEEDS_HOST',
				`The kernel refused ${what} (${code}): lower the limit to what the host or the parent cgroup allows`,
			);
		}
		throw new C32Error('RUNTIME_ERROR', `Cannot set ${what}: ${(error as Error).message}`);
	}
}

function readWords(file: string): string[] {
	return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
}

/**
 * v2 only hands a controller to a cgroup when every ancestor lists it in
 * cgroup.subtree_control, so enable what we want from the mount root down to the parent.
 */
function enableV2Controllers(mount: string, leaf: string, limits: ResourceLimits): void {
	const parts = path.relative(mount, leaf).split(path.sep).slice(0, -1);
	let dir = mount;
	for (let depth = 0; depth <= parts.length; depth++) {
		if (depth > 0) {
			dir = path.join(dir, parts[depth - 1]!);
			mkdirSync(dir, {recursive: true});
		}
		const available = new Set(readWords(path.join(dir, 'cgroup.controllers')));
		const enabled = new Set(readWords(path.join(dir, 'cgroup.subtree_control')));
		for (const controller of V2_CONTROLLERS) {
			if (!available.has(controller) || enabled.has(controller)) continue;
			try {
				writeFileSync(path.join(dir, 'cgroup.subtree_control'), `+${controller}`);
			} catch {
				// Optional controllers stay off; required ones are checked below.
			}
		}
	}
	const enabled = new Set(readWords(path.join(dir, 'cgroup.subtree_control')));
	const missing = v2ControllersRequiredBy(limits).filter((controller) => !enabled.has(controller));
	if (missing.length > 0) {
		throw new C32Error(
			'UNSUPPORTED',
			`The cgroup v2 controller(s) ${missing.join(', ')} cannot be enabled under ${dir}, so the limits cannot be enforced`,
		);
	}
}

/**
 * Creates the cgroup `relPath` ("c32/<id>") in every hierarchy and writes the limits.
 * On failure nothing is left behind. Returns the cgroup's directories.
 */
export function createCgroup(relPath: string, limits: ResourceLimits, options: CreateCgroupOptions = {}): CgroupDirs {
	const host = detectCgroupHost();
	const dirs = cgroupDirsFor(host, relPath);
	const created: string[] = [];
	try {
		if (dirs.version === 2) enableV2Controllers(host.mounts.unified!, dirs.unified, limits);
		for (const dir of allDirs(dirs)) {
			if (!existsSync(dir)) created.push(dir);
			mkdirSync(dir, {recursive: true});
		}
		const writes = limitWrites(dirs, limits, {
			blockDevice: options.blockDevice ?? null,
			memsw: host.memsw,
			swapMax: dirs.version === 2 && existsSync(path.join(dirs.unified, 'memory.swap.max')),
		});
		for (const write of writes) writeControl(write);
		return dirs;
	} catch (error) {
		for (const dir of created) removeEmptyCgroupSync(dir);
		if (error instanceof C32Error) throw error;
		throw new C32Error(
			errnoOf(error) === 'EACCES' ? 'PERMISSION_DENIED' : 'RUNTIME_ERROR',
			`Cannot create cgroup ${relPath}: ${(error as Error).message}`,
		);
	}
}

/** Moves a process (and its future children) into the cgroup, in every hierarchy. */
export function addProcess(dirs: CgroupDirs, pid: number): void {
	for (const dir of allDirs(dirs)) writeControl({file: path.join(dir, 'cgroup.procs'), value: String(pid)});
}

/**
 * On cgroup v1, recent kernels only count blkio.throttle.io_service_bytes on a disk once a
 * throttle rule has been configured for it somewhere. Writing a rule of 0 (meaning "no
 * limit") to the parent cgroup switches the counting on without limiting anything, so
 * containers without a disk limit still report their block I/O. A no-op on v2.
 */
export function enableBlockIoAccounting(parentRelPath: string, blockDevice: string): void {
	const host = detectCgroupHost();
	const dirs = cgroupDirsFor(host, parentRelPath);
	if (dirs.version === 2 || dirs.controllers.blkio === undefined) return;
	mkdirSync(dirs.controllers.blkio, {recursive: true});
	writeControl({file: path.join(dirs.controllers.blkio, 'blkio.throttle.read_bps_device'), value: `${blockDevice} 0`});
}
