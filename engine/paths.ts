// Where c32 keeps things. See docs/storage.md for the layout.
import {createHash} from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

export interface StorageLayout {
	storageDir: string;
	runtimeDir: string;
}

/** Every path of one container. */
export interface ContainerPaths {
	/** containers/<id> under the storage root. */
	root: string;
	bundle: string;
	/**
	 * Where the container's assembled root is mounted for the runtime: outside the storage
	 * root (which is 0700), so that a user-namespaced container root can reach it.
	 */
	rootfs: string;
	/** The directory that holds `rootfs` (one per container, outside the storage root). */
	mountDir: string;
	/** The layers of the root: c32's skeleton of mount points (rebuilt on every start), the container's writes, overlayfs' work dir. */
	layers: {skeleton: string; upper: string; work: string};
	/** The container's own /etc/hostname, /etc/hosts and /etc/resolv.conf. */
	etc: string;
	userdata: string;
	log: string;
	exitFile: string;
	oomFile: string;
	monitorPidFile: string;
	/** The runtime's pid file for the container's main process. */
	pidFile: string;
}

export function resolveStorage(options: {storageDir?: string; runtimeDir?: string} = {}): StorageLayout {
	const env = process.env;
	const storageDir = path.resolve(
		options.storageDir ??
			env['C32_STORAGE_DIR'] ??
			env['CONTAINER_STORAGE_DIR'] ??
			(process.getuid?.() === 0 ? '/var/lib/c32' : path.join(env['XDG_DATA_HOME'] ?? path.join(os.homedir(), '.local', 'share'), 'c32')),
	);
	const runtimeDir = path.resolve(options.runtimeDir ?? env['C32_RUNTIME_DIR'] ?? path.join(storageDir, 'run'));
	return {storageDir, runtimeDir};
}

export const indexFile = (layout: StorageLayout) => path.join(layout.storageDir, 'index.json');
export const containersDir = (layout: StorageLayout) => path.join(layout.storageDir, 'containers');
export const imagesDir = (layout: StorageLayout) => path.join(layout.storageDir, 'images');
/** runc's --root: its own state per container. */
export const runtimeRoot = (layout: StorageLayout) => path.join(layout.runtimeDir, 'runtime');
export const socketDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'sockets');
export const exitDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'exits');
/**
 * conmon's name for a container's attach directory (its -u): 16 hex digits, not the 64 of
 * the id, so `<socketDir>/<name>/attach` stays well within a unix socket path's 108 bytes.
 */
export const attachName = (id: string) => id.slice(0, 16);

/** Where every storage root's container roots are mounted: root-owned, 0711, never listable. */
export const MOUNTS_BASE = '/run/c32';

/** The mount directory of one storage root: two storage roots never share one. */
export function mountsDir(layout: StorageLayout): string {
	let dir = mountsDirs.get(layout.storageDir);
	if (dir === undefined) {
		dir = path.join(MOUNTS_BASE, createHash('sha256').update(layout.storageDir).digest('hex').slice(0, 16));
		mountsDirs.set(layout.storageDir, dir);
	}
	return dir;
}

/** Storage root → its mount directory: every read of a container asks for its paths. */
const mountsDirs = new Map<string, string>();

/** Every path of one container. Plain concatenation: the parts are normalised already, and every read asks for these. */
export function containerPaths(layout: StorageLayout, id: string): ContainerPaths {
	const root = `${containersDir(layout)}/${id}`;
	const userdata = `${root}/userdata`;
	const mountDir = `${mountsDir(layout)}/${id}`;
	return {
		root,
		bundle: `${root}/bundle`,
		rootfs: `${mountDir}/rootfs`,
		mountDir,
		layers: {skeleton: `${root}/rootfs/skeleton`, upper: `${root}/rootfs/upper`, work: `${root}/rootfs/work`},
		etc: `${root}/etc`,
		userdata,
		log: `${userdata}/ctr.log`,
		exitFile: `${userdata}/exit`,
		oomFile: `${userdata}/oom`,
		monitorPidFile: `${userdata}/monitor.pid`,
		pidFile: `${userdata}/pid`,
	};
}

/** The cgroup of a container, relative to each hierarchy's root. */
export const cgroupPathFor = (id: string) => `c32/${id}`;
