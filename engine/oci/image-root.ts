// The root of a container on an OCI image: an overlay of c32's skeleton of mount points on
// top of the image's unpacked layers (top first), with the container's upper layer above
// (standard) or none (strict: read-only). The image's layers are shared by every container
// of the image and never written; the skeleton is the container's own, rebuilt on every
// start, and holds only what the image lacks: a mount point that is missing in the image
// would otherwise be created by the runtime in the upper layer, or not at all (strict).
//
// Mount options must fit in a page, and a layer's directory name is 64 hex digits under the
// storage root: a few dozen layers would not fit. So the layers are reached through short
// symlinks of the container's own (lower/0, lower/1, ...) and overlayfs is mounted from the
// container's rootfs directory, where every layer path is relative and a few bytes long.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {isWithin, resolveWithin, type TreeView} from '../fs/in-root.js';

/** The merged view of read-only layers (top first), as overlayfs shows it, without mounting it. */
export interface LayeredView extends TreeView {
	/** The topmost entry at an in-root path whose parents are no symlinks, or null (absent, whited out). */
	lstat(inRoot: string): fs.Stats | null;
}

/** A whiteout: overlayfs' mark of a deleted name, a 0:0 character device. */
function isWhiteout(stat: fs.Stats): boolean {
	return stat.isCharacterDevice() && stat.rdev === 0;
}

/**
 * Looks names up through the layers as overlayfs would: the topmost layer that has the name
 * decides; a whiteout, or a parent that is not a directory in a layer, hides the layers below.
 * Every component is looked up with lstat, so no symlink of an image is followed on the
 * host. Opaque directories (an xattr) are not read: a name an opaque directory hides in a
 * lower layer is taken as present, which only ever leaves a mount point uncreated in the
 * skeleton (runc then creates it in the upper layer, inside the root).
 */
export function layeredView(layers: readonly string[]): LayeredView {
	const find = (inRoot: string): {stat: fs.Stats; file: string} | null => {
		const parts = inRoot.split('/').filter(Boolean);
		for (const layer of layers) {
			if (parts.length === 0) return {stat: fs.lstatSync(layer), file: layer};
			let file = layer;
			let hidden = false;
			for (const [index, part] of parts.entries()) {
				file = path.join(file, part);
				const stat = fs.lstatSync(file, {throwIfNoEntry: false});
				if (stat === undefined) break;
				if (isWhiteout(stat)) {
					hidden = true;
					break;
				}
				if (index === parts.length - 1) return {stat, file};
				if (!stat.isDirectory()) {
					hidden = true;
					break;
				}
			}
			if (hidden) return null;
		}
		return null;
	};
	return {
		lstat: (inRoot) => find(inRoot)?.stat ?? null,
		readLink(inRoot) {
			const entry = find(inRoot);
			return entry?.stat.isSymbolicLink() ? fs.readlinkSync(entry.file) : null;
		},
	};
}

/** What the container mounts over its root, as in-container paths. */
export interface MountTargets {
	dirs: string[];
	files: string[];
}

/**
 * Builds the skeleton afresh: for every mount target the image lacks (resolved through the
 * image's symlinks, as the runtime will), the entry and its missing parents. A parent the
 * image has keeps the image's mode and owner, so the skeleton does not change what the
 * image's directories allow. Returns the in-root paths the targets resolved to.
 */
export function buildImageSkeleton(
	skeleton: string,
	view: LayeredView,
	targets: MountTargets,
	owner: {uid: number; gid: number},
): MountTargets {
	fs.rmSync(skeleton, {recursive: true, force: true});
	fs.mkdirSync(skeleton, {mode: 0o755});
	fs.chmodSync(skeleton, 0o755);
	if (owner.uid !== 0 || owner.gid !== 0) fs.lchownSync(skeleton, owner.uid, owner.gid);
	const mkdir = (inRoot: string) => {
		let inside = '';
		for (const part of inRoot.split('/').filter(Boolean)) {
			inside = `${inside}/${part}`;
			const dir = path.join(skeleton, inside);
			if (fs.lstatSync(dir, {throwIfNoEntry: false})?.isDirectory()) continue;
			const image = view.lstat(inside);
			const like = image?.isDirectory() ? image : null;
			fs.mkdirSync(dir);
			fs.chmodSync(dir, like ? like.mode & 0o7777 : 0o755);
			const who = like ?? owner;
			if (who.uid !== 0 || who.gid !== 0) fs.lchownSync(dir, who.uid, who.gid);
		}
	};
	const resolved: MountTargets = {dirs: [], files: []};
	for (const [kind, list] of [
		['dir', targets.dirs],
		['file', targets.files],
	] as const) {
		for (const target of list) {
			const inRoot = resolveTarget(target, view);
			const existing = view.lstat(inRoot);
			const fits = kind === 'dir' ? existing?.isDirectory() : existing?.isFile();
			(kind === 'dir' ? resolved.dirs : resolved.files).push(inRoot);
			if (fits || inRoot === '/') continue;
			if (kind === 'dir') {
				mkdir(inRoot);
				continue;
			}
			mkdir(path.posix.dirname(inRoot));
			const file = path.join(skeleton, inRoot);
			if (fs.lstatSync(file, {throwIfNoEntry: false})) continue;
			fs.closeSync(fs.openSync(file, 'wx', 0o644));
			if (owner.uid !== 0 || owner.gid !== 0) fs.lchownSync(file, owner.uid, owner.gid);
		}
	}
	return resolved;
}

function resolveTarget(target: string, view: LayeredView): string {
	try {
		return resolveWithin(target, view);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ELOOP') throw error;
		throw new C32Error('INVALID_CONFIG', `${target} cannot be a mount point: the image's symlinks on the way to it loop`);
	}
}

/**
 * The container's short names for its image's layers: `dir`/0 is the top layer. Rebuilt
 * on every start (the image's layers may have been unpacked anew). Returns the names
 * relative to the directory that holds `dir`, top first.
 */
export function linkLayers(dir: string, layersTopFirst: readonly string[]): string[] {
	fs.rmSync(dir, {recursive: true, force: true});
	fs.mkdirSync(dir, {mode: 0o700});
	return layersTopFirst.map((layer, index) => {
		fs.symlinkSync(layer, path.join(dir, String(index)));
		return `${path.basename(dir)}/${index}`;
	});
}

/** Whether an in-container path lies on one of the mounts the runtime makes there anyway. */
export function isOnRuntimeMount(dir: string, volumes: readonly string[]): boolean {
	return ['/proc', '/sys', '/dev', '/tmp', ...volumes].some((m) => isWithin(m, dir));
}
