// Path operations that never follow a symlink out of a tree someone else can write: a
// container's writable layer, an image directory another user owns.
//
// Node has no openat(2). A directory opened once is reached again through
// /proc/self/fd/<fd>/<name>: the kernel resolves <name> inside the directory that fd refers
// to, not by walking its path again, so a parent swapped for a symlink meanwhile is not
// followed. With O_NOFOLLOW on the last component that is openat(dirfd, name, O_NOFOLLOW).
import fs from 'node:fs';
import path from 'node:path';

const {O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK} = fs.constants;

/** The most symlinks one resolution may expand, as the kernel's own limit (ELOOP). */
const MAX_LINKS = 40;

/** A path naming `name` inside the directory open as `dirFd`, resolved from that directory (openat). */
export function atPath(dirFd: number, name: string | Buffer): Buffer {
	const bytes = typeof name === 'string' ? Buffer.from(name) : name;
	if (bytes.length === 0 || bytes.includes(0x2f) || bytes.includes(0) || bytes.equals(DOT) || bytes.equals(DOTDOT)) {
		throw new Error(`not a single path component: ${JSON.stringify(bytes.toString())}`);
	}
	return Buffer.concat([Buffer.from(`/proc/self/fd/${dirFd}/`), bytes]);
}

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/** Opens a directory for reading its entries; with follow false a symlink in its place is refused (ELOOP, ENOTDIR). */
export function openDirectory(dir: string | Buffer, follow = false): number {
	return fs.openSync(dir, O_RDONLY | O_DIRECTORY | (follow ? 0 : O_NOFOLLOW));
}

/** Opens a regular file for reading without following a symlink and without blocking on a fifo; null when it is something else. */
export function openRegularFile(file: string | Buffer): number | null {
	let fd: number;
	try {
		fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ELOOP') return null;
		throw error;
	}
	if (!fs.fstatSync(fd).isFile()) {
		fs.closeSync(fd);
		return null;
	}
	return fd;
}

/** How resolveWithin sees a tree: whether an in-root path is a symlink, and its target. */
export interface TreeView {
	/** The link's target when `inRoot` (absolute, relative to the root) is a symlink; null otherwise, also when it does not exist. */
	readLink(inRoot: string): string | null;
}

/** The view of a real directory: in-root paths are looked up below `root`. */
export function directoryView(root: string): TreeView {
	return {
		readLink(inRoot) {
			try {
				return fs.readlinkSync(path.join(root, inRoot));
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				if (code === 'EINVAL' || code === 'ENOENT' || code === 'ENOTDIR') return null;
				throw error;
			}
		},
	};
}

/**
 * Resolves `unsafePath` as a process chrooted to the tree would: symlinks are expanded,
 * absolute targets and `..` stop at the root. The result is an absolute in-root path whose
 * components, as far as they exist, are not symlinks (like runc's securejoin). It says
 * nothing about later changes to the tree: use it where nobody writes the tree meanwhile.
 */
export function resolveWithin(unsafePath: string, view: TreeView): string {
	const resolved: string[] = [];
	let pending = unsafePath.split('/');
	let links = 0;
	while (pending.length > 0) {
		const part = pending.shift()!;
		if (part === '' || part === '.') continue;
		if (part === '..') {
			resolved.pop();
			continue;
		}
		const candidate = `/${[...resolved, part].join('/')}`;
		const target = view.readLink(candidate);
		if (target === null) {
			resolved.push(part);
			continue;
		}
		if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links in ${unsafePath}`), {code: 'ELOOP'});
		if (target.startsWith('/')) resolved.length = 0;
		pending = [...target.split('/'), ...pending];
	}
	return `/${resolved.join('/')}`;
}

/** resolveWithin for a real directory: the host path below `root` that `unsafePath` names inside it. */
export function resolveInRoot(root: string, unsafePath: string): string {
	return path.join(root, resolveWithin(unsafePath, directoryView(root)));
}

/** Whether `p` is `root` or below it (lexically; both absolute and normalized). */
export function isWithin(root: string, p: string): boolean {
	return p === root || p.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/**
 * Makes sure `dir` is a real directory (never a symlink) with this owner and mode, creating
 * it when missing. Its parent must already be trusted.
 */
export function ensureDirectory(dir: string, mode: number, owner: {uid: number; gid: number} = {uid: 0, gid: 0}): void {
	try {
		fs.mkdirSync(dir, {mode});
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
	}
	const fd = openDirectory(dir);
	try {
		const stat = fs.fstatSync(fd);
		if (stat.uid !== owner.uid || stat.gid !== owner.gid) fs.fchownSync(fd, owner.uid, owner.gid);
		if ((stat.mode & 0o7777) !== mode) fs.fchmodSync(fd, mode);
	} finally {
		fs.closeSync(fd);
	}
}

/**
 * Replaces `dir/name` with a file holding `content`: written beside it and renamed over it,
 * so whatever stood there (a symlink, a hard link to another file) is replaced, never
 * written through.
 */
export function replaceFile(dir: string, name: string, content: string | Buffer, mode = 0o644): void {
	const temporary = path.join(dir, `.${name}.${process.pid}.tmp`);
	fs.rmSync(temporary, {force: true});
	const fd = fs.openSync(temporary, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | O_NOFOLLOW, mode);
	try {
		fs.writeFileSync(fd, content);
		fs.fchmodSync(fd, mode);
	} finally {
		fs.closeSync(fd);
	}
	fs.renameSync(temporary, path.join(dir, name));
}

/**
 * Reads the regular file `unsafePath` names inside `root` (a directory or a process's
 * /proc/<pid>/root), at most `maxBytes` of it: symlinks are expanded within the root, and
 * the file is then opened one component at a time with O_NOFOLLOW, so a link swapped in
 * meanwhile fails the read instead of leading out. Null when it is missing or not a regular file.
 */
export function readFileInRoot(root: string, unsafePath: string, maxBytes: number): Buffer | null {
	const parts = resolveWithin(unsafePath, directoryView(root)).split('/').filter(Boolean);
	const name = parts.pop();
	if (name === undefined) return null;
	let dirFd = openDirectory(root, true);
	try {
		for (const part of parts) {
			const next = openDirectory(atPath(dirFd, part));
			fs.closeSync(dirFd);
			dirFd = next;
		}
		const fd = openRegularFile(atPath(dirFd, name));
		if (fd === null) return null;
		try {
			const buffer = Buffer.alloc(maxBytes);
			let length = 0;
			while (length < maxBytes) {
				const read = fs.readSync(fd, buffer, length, maxBytes - length, length);
				if (read === 0) break;
				length += read;
			}
			return buffer.subarray(0, length);
		} finally {
			fs.closeSync(fd);
		}
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
		throw error;
	} finally {
		fs.closeSync(dirFd);
	}
}
