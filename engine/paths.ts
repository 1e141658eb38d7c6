// Where c32 keeps things. See docs/storage.md for the layout.
import os from 'node:os';
import path from 'node:path';
import type {ContainerPaths} from './drivers/driver.js';

export interface StorageLayout {
	storageDir: string;
	runtimeDir: string;
}

export function resolveStorage(options: {storageDir?: string; runtimeDir?: string} = {}): StorageLayout {
	const env = process.env;
	const storageDir = path.resolve(
		options.storageDir ??
			env['C32_STORAGE_DIR'] ??
			env['CONTAINER_STORAGE_DIR'] ??
			(process.getuid?.() === 0
				? '/var/lib/c32'
				: path.join(env['XDG_DATA_HOME'] ?? path.join(os.homedir(), '.local', 'share'), 'c32')),
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

export function containerPaths(layout: StorageLayout, id: string): ContainerPaths {
	const root = path.join(containersDir(layout), id);
	const userdata = path.join(root, 'userdata');
	return {
		root,
		bundle: path.join(root, 'bundle'),
		rootfs: path.join(root, 'bundle', 'rootfs'),
		userdata,
		log: path.join(userdata, 'ctr.log'),
		exitFile: path.join(userdata, 'exit'),
		oomFile: path.join(userdata, 'oom'),
		monitorPidFile: path.join(userdata, 'monitor.pid'),
		pidFile: path.join(userdata, 'pid'),
	};
}

/** The cgroup of a container, relative to each hierarchy's root. */
export const cgroupPathFor = (id: string) => `c32/${id}`;
