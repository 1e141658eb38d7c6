// Image snapshots: a host file or directory copied once into images/, keyed by its content
// and by who owns the copy, so identical images are stored once per owner and later edits
// on the host do not reach a container that already exists.
//
// A snapshot keeps the image's modes, minus setuid and setgid; it carries no extended
// attributes, so no file capabilities; everything in it belongs to the container's user
// as the host sees it (see docs/security.md). Reading the source never follows a symlink
// inside it, and works on files of any size and trees of any depth.
import {createHash, type Hash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from './errors.js';
import {copyContent, type Owner, TreeCopier, type TreeVisitor, walkTree} from './fs/tree.js';
import {isProcessAlive} from './host-facts.js';

export type {Owner as ImageOwner};

const STAGING_PREFIX = '.staging-';

/** The content hash of a file (as /app/<basename>) or of a directory tree (as /app), modes included. */
export function hashImage(source: string): string {
	return readImage(source, null);
}

/** The snapshot directory name of content `digest` owned by `owner`. */
export function snapshotName(digest: string, owner: Owner): string {
	return `${digest}-${owner.uid}-${owner.gid}`;
}

/**
 * Snapshots `source` under `imagesDir` for containers whose user is `owner` on the host, and
 * returns the snapshot directory (the future /app). On failure nothing is left behind.
 */
export function snapshotImage(imagesDir: string, source: string, owner: Owner): string {
	try {
		const existing = path.join(imagesDir, snapshotName(hashImage(source), owner));
		if (fs.existsSync(existing)) return existing;
	} catch (error) {
		throw snapshotError(error, source, imagesDir);
	}
	fs.mkdirSync(imagesDir, {recursive: true, mode: 0o700});
	removeAbandonedStaging(imagesDir);
	const staging = path.join(imagesDir, `${STAGING_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
	try {
		// Named by what was copied: the source may have changed since it was hashed.
		const target = path.join(imagesDir, snapshotName(readImage(source, {staging, owner: canChown() ? owner : null}), owner));
		try {
			fs.renameSync(staging, target);
		} catch (error) {
			// Another process snapshotted the same content first: theirs is identical.
			if (!fs.existsSync(target)) throw error;
			fs.rmSync(staging, {recursive: true, force: true});
		}
		return target;
	} catch (error) {
		fs.rmSync(staging, {recursive: true, force: true});
		throw snapshotError(error, source, imagesDir);
	}
}

/** Only root can give files away; any other caller's snapshot is its own. */
function canChown(): boolean {
	return process.getuid?.() === 0;
}

/** Hashes the image at `source` and, when `copy` is given, copies it into `copy.staging` on the way. Returns the digest. */
function readImage(source: string, copy: {staging: string; owner: Owner | null} | null): string {
	const hash = createHash('sha256');
	const update = (chunk: Buffer) => hash.update(chunk);
	const stat = fs.statSync(source);
	if (stat.isDirectory()) {
		hash.update('dir\0');
		const copier = copy ? new TreeCopier(copy.staging, copy.owner, update) : null;
		walkTree(source, hashingVisitor(hash, copier));
		copier?.finish();
		return hash.digest('hex');
	}
	if (!stat.isFile())
		throw new C32Error('INVALID_CONFIG', `image ${source} is neither a file nor a directory: give a script or a directory`);
	const fd = fs.openSync(source, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
	try {
		const fileStat = fs.fstatSync(fd);
		const name = path.basename(source);
		hash.update(`file\0${name}\0`);
		hash.update(fileHeader(fileStat));
		if (!copy) {
			copyContent(fd, fileStat.size, null, update);
			return hash.digest('hex');
		}
		fs.mkdirSync(copy.staging, {mode: 0o700});
		const copier = new TreeCopier(path.join(copy.staging, name), copy.owner, update);
		copier.file(Buffer.alloc(0), fd, fileStat);
		if (copy.owner) fs.chownSync(copy.staging, copy.owner.uid, copy.owner.gid);
		fs.chmodSync(copy.staging, 0o755);
		return hash.digest('hex');
	} finally {
		fs.closeSync(fd);
	}
}

function fileHeader(stat: fs.Stats): string {
	return `${(stat.mode & 0o777).toString(8)}\0${stat.size}\0`;
}

function hashingVisitor(hash: Hash, copier: TreeCopier | null): TreeVisitor {
	const entry = (kind: string, rel: Buffer, rest: string | Buffer) =>
		hash.update(Buffer.concat([Buffer.from(`${kind}\0`), rel, Buffer.from('\0'), Buffer.from(rest)]));
	return {
		directory(rel, stat) {
			entry('d', rel, `${(stat.mode & 0o1777).toString(8)}\0`);
			copier?.directory(rel, stat);
		},
		file(rel, fd, stat) {
			entry('f', rel, fileHeader(stat));
			if (copier) copier.file(rel, fd, stat);
			else copyContent(fd, stat.size, null, (chunk) => hash.update(chunk));
		},
		symlink(rel, target) {
			entry('l', rel, Buffer.concat([target, Buffer.from('\0')]));
			copier?.symlink(rel, target);
		},
	};
}

/** Staging directories of snapshots whose process died (killed mid-copy). */
function removeAbandonedStaging(imagesDir: string): void {
	for (const name of fs.readdirSync(imagesDir)) {
		if (!name.startsWith(STAGING_PREFIX)) continue;
		const pid = Number.parseInt(name.slice(STAGING_PREFIX.length), 10);
		if (pid > 0 && pid !== process.pid && !isProcessAlive(pid, null)) fs.rmSync(path.join(imagesDir, name), {recursive: true, force: true});
	}
}

function snapshotError(error: unknown, source: string, imagesDir: string): Error {
	if (error instanceof C32Error) return error;
	const code = (error as NodeJS.ErrnoException).code;
	const reason = (error as Error).message;
	switch (code) {
		case 'ENOENT':
		case 'EACCES':
			return new C32Error('IMAGE_NOT_FOUND', `cannot read image ${source}: ${reason}`);
		case 'ENOSPC':
		case 'EDQUOT':
			return new C32Error(
				'NO_SPACE',
				`no space left for the snapshot of ${source} in ${imagesDir}: free some space or set C32_STORAGE_DIR to a larger disk`,
			);
		case 'ENAMETOOLONG':
			return new C32Error(
				'UNSUPPORTED',
				`image ${source} holds a path longer than the system allows (4096 bytes): shorten its names or nesting`,
			);
		case 'EMFILE':
		case 'ENFILE':
			return new C32Error(
				'UNSUPPORTED',
				`image ${source} is nested deeper than the open-file limit allows: raise it (ulimit -n) or flatten the tree`,
			);
		case 'ETREECHANGED':
			return new C32Error('RUNTIME_ERROR', `image ${source} changed while it was copied (${reason}): try again once it is stable`);
		default:
			return new C32Error('RUNTIME_ERROR', `cannot snapshot image ${source}: ${reason}`);
	}
}
