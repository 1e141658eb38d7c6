// Walking and copying directory trees that may be large, deep, sparse, or changed by their
// owner while c32 reads them: iterative (no recursion, whatever the depth), streamed (no
// file is read whole), reading every entry through its opened parent (engine/fs/in-root.ts)
// so a symlink swapped in is never followed.
import fs from 'node:fs';
import {atPath, openDirectory, openRegularFile} from './in-root.js';

const {O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW} = fs.constants;
const SLASH = Buffer.from('/');
const CHUNK = 4 << 20;
/** Blocks of zeros this large are left as holes in a copy. */
const HOLE = 64 << 10;
const ZEROS = Buffer.alloc(HOLE);

export interface Owner {
	uid: number;
	gid: number;
}

/** What walkTree reports, parents before children, siblings in byte order of their names. */
export interface TreeVisitor {
	/** A directory; `rel` is empty for the root. */
	directory(rel: Buffer, stat: fs.Stats): void;
	/** A regular file, open for reading as `fd` for the duration of the call. */
	file(rel: Buffer, fd: number, stat: fs.Stats): void;
	symlink(rel: Buffer, target: Buffer): void;
}

/** Thrown when the tree changes under the walk in a way that makes the copy wrong. */
export class TreeChangedError extends Error {
	readonly code = 'ETREECHANGED';
}

interface Frame {
	fd: number;
	rel: Buffer;
	names: Buffer[];
	next: number;
}

/**
 * Visits every directory, regular file and symlink below `root` (which may itself be a
 * symlink: the caller named it). Sockets, fifos and devices are skipped. Holds one open
 * descriptor per level of depth.
 */
export function walkTree(root: string, visitor: TreeVisitor): void {
	const stack: Frame[] = [];
	const enter = (fd: number, rel: Buffer) => {
		try {
			visitor.directory(rel, fs.fstatSync(fd));
			const names = fs.readdirSync(atPathOf(fd), {encoding: 'buffer'}).sort(Buffer.compare);
			stack.push({fd, rel, names, next: 0});
		} catch (error) {
			fs.closeSync(fd);
			throw error;
		}
	};
	enter(openDirectory(root, true), Buffer.alloc(0));
	try {
		while (stack.length > 0) {
			const frame = stack.at(-1)!;
			if (frame.next === frame.names.length) {
				stack.pop();
				fs.closeSync(frame.fd);
				continue;
			}
			const name = frame.names[frame.next++]!;
			const child = atPath(frame.fd, name);
			const rel = frame.rel.length === 0 ? name : Buffer.concat([frame.rel, SLASH, name]);
			const stat = fs.lstatSync(child);
			if (stat.isSymbolicLink()) {
				visitor.symlink(rel, fs.readlinkSync(child, {encoding: 'buffer'}));
			} else if (stat.isDirectory()) {
				enter(
					openExpected(() => openDirectory(child), rel),
					rel,
				);
			} else if (stat.isFile()) {
				const fd = openExpected(() => openRegularFile(child), rel);
				try {
					visitor.file(rel, fd, fs.fstatSync(fd));
				} finally {
					fs.closeSync(fd);
				}
			}
		}
	} finally {
		for (const frame of stack) fs.closeSync(frame.fd);
	}
}

/** The directory open as `fd` itself, as a path. */
function atPathOf(fd: number): string {
	return `/proc/self/fd/${fd}`;
}

/** Opens what lstat just saw; a different kind of entry in its place means the tree changed. */
function openExpected(open: () => number | null, rel: Buffer): number {
	let fd: number | null;
	try {
		fd = open();
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code !== 'ELOOP' && code !== 'ENOTDIR' && code !== 'ENOENT') throw error;
		fd = null;
	}
	if (fd === null) throw new TreeChangedError(`${rel.toString()} changed while it was read`);
	return fd;
}

/**
 * Reads exactly `size` bytes of `srcFd`, hands each chunk to `onChunk`, and writes it to
 * `dstFd` when given, leaving blocks of zeros as holes: a sparse file stays sparse.
 */
export function copyContent(srcFd: number, size: number, dstFd: number | null, onChunk?: (chunk: Buffer) => void): void {
	const buffer = Buffer.allocUnsafe(CHUNK);
	for (let position = 0; position < size; ) {
		const n = fs.readSync(srcFd, buffer, 0, Math.min(CHUNK, size - position), position);
		if (n === 0) throw new TreeChangedError('a file shrank while it was read');
		const chunk = buffer.subarray(0, n);
		onChunk?.(chunk);
		if (dstFd !== null) writeSparse(dstFd, chunk, position);
		position += n;
	}
	if (dstFd !== null) fs.ftruncateSync(dstFd, size);
}

function writeSparse(fd: number, chunk: Buffer, position: number): void {
	let runStart = -1;
	for (let offset = 0; offset < chunk.length; offset += HOLE) {
		const block = chunk.subarray(offset, offset + HOLE);
		const zero = block.equals(block.length === HOLE ? ZEROS : ZEROS.subarray(0, block.length));
		if (!zero && runStart < 0) runStart = offset;
		if (zero && runStart >= 0) {
			writeAll(fd, chunk.subarray(runStart, offset), position + runStart);
			runStart = -1;
		}
	}
	if (runStart >= 0) writeAll(fd, chunk.subarray(runStart), position + runStart);
}

function writeAll(fd: number, data: Buffer, position: number): void {
	for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done, position + done);
}

/**
 * A visitor that copies what walkTree reports into `target` (which must not exist yet):
 * modes kept except setuid and setgid, no extended attributes (so no file capabilities),
 * everything owned by `owner` when given. Call finish() after the walk: directories get
 * their modes last, so a read-only source directory can still be filled.
 */
export class TreeCopier implements TreeVisitor {
	private readonly target: Buffer;
	private readonly directories: {path: Buffer; mode: number}[] = [];

	constructor(
		target: string,
		private readonly owner: Owner | null,
		private readonly onChunk?: (chunk: Buffer) => void,
	) {
		this.target = Buffer.from(target);
	}

	private destination(rel: Buffer): Buffer {
		return rel.length === 0 ? this.target : Buffer.concat([this.target, SLASH, rel]);
	}

	directory(rel: Buffer, stat: fs.Stats): void {
		const dir = this.destination(rel);
		fs.mkdirSync(dir, {mode: 0o700});
		this.directories.push({path: dir, mode: stat.mode & 0o1777});
	}

	file(rel: Buffer, fd: number, stat: fs.Stats): void {
		const out = fs.openSync(this.destination(rel), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
		try {
			copyContent(fd, stat.size, out, this.onChunk);
			if (this.owner) fs.fchownSync(out, this.owner.uid, this.owner.gid);
			fs.fchmodSync(out, stat.mode & 0o777);
		} finally {
			fs.closeSync(out);
		}
	}

	symlink(rel: Buffer, target: Buffer): void {
		const link = this.destination(rel);
		fs.symlinkSync(target, link);
		if (this.owner) fs.lchownSync(link, this.owner.uid, this.owner.gid);
	}

	finish(): void {
		for (const {path, mode} of this.directories.reverse()) {
			if (this.owner) fs.chownSync(path, this.owner.uid, this.owner.gid);
			fs.chmodSync(path, mode);
		}
		this.directories.length = 0;
	}
}

/** Copies the tree at `source` to `target` (see TreeCopier). */
export function copyTree(source: string, target: string, owner: Owner | null): void {
	const copier = new TreeCopier(target, owner);
	walkTree(source, copier);
	copier.finish();
}
