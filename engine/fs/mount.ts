// The few host mounts c32 makes itself (a container's assembled root), through mount(8),
// and the kernel facts that decide how read-only mounts are made.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {type MountInfoEntry, parseMountInfo} from '../cgroups/mountinfo.js';
import {C32Error} from '../errors.js';

const run = promisify(execFile);
const TOOL_ENV = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'};

export function hostMounts(): MountInfoEntry[] {
	return parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'));
}

export function isMountPoint(dir: string, mounts: MountInfoEntry[] = hostMounts()): boolean {
	return mounts.some((m) => m.mountPoint === dir);
}

/** Mount points strictly below `dir`. */
export function mountsBelow(dir: string, mounts: MountInfoEntry[] = hostMounts()): string[] {
	const prefix = dir.endsWith('/') ? dir : `${dir}/`;
	return mounts.map((m) => m.mountPoint).filter((p) => p.startsWith(prefix));
}

/** overlayfs splits its options at ',' and its layer lists at ':'; such paths cannot be layers. */
export function checkLayerPath(dir: string): void {
	if (/[,:\\\n]/.test(dir)) {
		throw new C32Error(
			'UNSUPPORTED',
			`${dir} has a ',' ':' or '\\' in its path, which overlayfs cannot take as a layer: set C32_STORAGE_DIR to a plainer path`,
		);
	}
}

export interface OverlayLayers {
	/** Top first. */
	lower: string[];
	/** The writable layer and overlayfs' work dir; without them the overlay is read-only. */
	writable: {upper: string; work: string} | null;
	/** Where relative layer paths start: mount(8) runs there, and the kernel resolves them from it. */
	cwd?: string;
}

/** The kernel copies mount options into one page: a longer option string fails the mount. */
export const MOUNT_OPTIONS_MAX = 4095;

/** Mounts an overlay of `layers` on `target` with extra mount flags (nosuid, nodev, ...). */
export async function mountOverlay(target: string, layers: OverlayLayers, flags: string[]): Promise<void> {
	const {writable} = layers;
	for (const dir of [...layers.lower, ...(writable ? [writable.upper, writable.work] : [])]) checkLayerPath(dir);
	const options = [
		`lowerdir=${layers.lower.join(':')}`,
		// Without redirects and metacopy every changed file is whole in the upper: commit packs it as it is.
		...(writable ? [`upperdir=${writable.upper}`, `workdir=${writable.work}`, 'redirect_dir=off', 'metacopy=off'] : []),
		...flags,
	].join(',');
	if (options.length > MOUNT_OPTIONS_MAX) {
		throw new C32Error(
			'UNSUPPORTED',
			`the root of ${layers.lower.length} layers needs mount options longer than a page (${options.length} bytes): squash the image into fewer layers`,
		);
	}
	try {
		await run('mount', ['-t', 'overlay', '-o', options, 'overlay', target], {
			env: TOOL_ENV,
			timeout: 30_000,
			...(layers.cwd ? {cwd: layers.cwd} : {}),
		});
	} catch (error) {
		throw new C32Error('START_FAILED', `cannot mount the container's root on ${target}: ${toolMessage(error)}`);
	}
}

/**
 * Whether a filesystem with a device of its own (an overlay, a tmpfs) is mounted at `dir`: its
 * device then differs from its parent directory's. Two stat calls, where the mount table grows
 * with every running container's root; a bind mount within one filesystem does not show.
 */
export function hasOwnFilesystem(dir: string): boolean {
	try {
		return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
	} catch {
		return false;
	}
}

/** Unmounts the overlay (or other filesystem of its own device) mounted at `target`, if any; one still in use is detached (lazy). */
export async function unmount(target: string): Promise<void> {
	if (!hasOwnFilesystem(target)) return;
	try {
		await run('umount', [target], {env: TOOL_ENV, timeout: 30_000});
	} catch {
		try {
			await run('umount', ['--lazy', target], {env: TOOL_ENV, timeout: 30_000});
		} catch (error) {
			if (hasOwnFilesystem(target)) throw new C32Error('RUNTIME_ERROR', `cannot unmount ${target}: ${toolMessage(error)}`);
		}
	}
}

function toolMessage(error: unknown): string {
	const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
	return stderr.split('\n').pop() || (error as Error).message;
}

/** Linux 5.12 added mount_setattr(2), which runc needs for recursively read-only (rro) mounts. */
export function kernelHasMountSetattr(release: string = os.release()): boolean {
	const [major = 0, minor = 0] = release.split(/[.-]/).map((part) => Number.parseInt(part, 10));
	return major > 5 || (major === 5 && minor >= 12);
}
