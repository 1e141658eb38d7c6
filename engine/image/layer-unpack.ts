// Unpacks one OCI layer blob into an empty directory, as overlayfs reads it: OCI whiteouts
// become overlay whiteouts, and every file keeps what the image gave it (mode with setuid,
// setgid and sticky, owner, mtime, xattrs including file capabilities). See docs/architecture.md,
// "Layers: unpacking and packing".
//
// The tar is parsed here (layer-tar.ts) and every file is written with fs calls that never
// follow a symlink: the target is ours alone (inside the 0700 storage root) while this runs,
// so the only symlinks in it are the layer's own, and no entry may pass through one — a
// parent is checked with lstat (and remembered), a file is opened O_CREAT|O_EXCL|O_NOFOLLOW,
// owners are set with lchown/fchown. Anything that would escape is refused with IMAGE_INVALID.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {openDirectory} from '../fs/in-root.js';
import {isNoSpace} from '../store.js';
import {makeSpecialFiles} from './layer-mknod.js';
import {HashingSource, layerBytes} from './layer-stream.js';
import {type TarEntry, TarFormatError, tarEntries} from './layer-tar.js';
import {CAPABILITY_XATTR, isOverlayXattr, OPAQUE_XATTR, setXattrs, shiftCapability, type Xattrs} from './xattr.js';

const {O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW} = fs.constants;

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_MARKER = '.wh..wh..opq';
/** aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs): skipped, as docker does. */
const AUFS_META_PREFIX = '.wh..wh.';

export interface UnpackOptions {
	/** Added to every uid and gid (a layer copy for user-namespace containers). Default 0. */
	idShift?: number;
}

/**
 * Unpacks `blob` (gzip, zstd or plain tar, told by its magic bytes) into `target`, an empty
 * directory the caller made. Returns the diff id (sha256 of the uncompressed tar) and its
 * size. On failure (IMAGE_INVALID, NO_SPACE, ...) `target` holds a partial layer the caller
 * removes; nothing is written anywhere else.
 */
export async function unpackLayer(
	blob: NodeJS.ReadableStream,
	target: string,
	options: UnpackOptions = {},
): Promise<{diffId: string; bytes: number}> {
	const idShift = options.idShift ?? 0;
	if (!Number.isInteger(idShift) || idShift < 0 || idShift > 0xfffffffe)
		throw new C32Error('INVALID_CONFIG', `idShift must be a uid (got ${idShift})`);
	const source = new HashingSource(layerBytes(blob));
	const writer = new LayerWriter(path.resolve(target), idShift);
	try {
		for await (const {entry, body} of tarEntries(source)) await writer.add(entry, body);
		const result = await source.finish();
		await writer.finish();
		return result;
	} catch (error) {
		await source.close().catch(() => {});
		throw unpackError(error, target);
	}
}

function unpackError(error: unknown, target: string): unknown {
	if (error instanceof C32Error) return error;
	if (error instanceof TarFormatError) return new C32Error('IMAGE_INVALID', `the layer is not a valid tar archive: ${error.message}`);
	if (isNoSpace(error)) return new C32Error('NO_SPACE', `no space left to unpack an image layer into ${target}: free some space and retry`);
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENAMETOOLONG')
		return new C32Error('IMAGE_INVALID', 'a layer entry has a path longer than the system allows: refusing the layer');
	return error;
}

function refuse(name: string, reason: string): C32Error {
	return new C32Error('IMAGE_INVALID', `layer entry ${JSON.stringify(name)} ${reason}: refusing the image (it is corrupt or unsafe)`);
}

/** The components of an entry name inside the layer ([] for its root); refuses absolute names and '..'. */
export function layerPath(name: string, what = 'is'): string[] {
	if (name.includes('\0')) throw refuse(name, `${what} a name with a NUL byte`);
	if (name.startsWith('/')) throw refuse(name, `${what} an absolute path`);
	const parts = name.split('/').filter((part) => part !== '' && part !== '.');
	if (parts.includes('..')) throw refuse(name, `${what} a path with a '..' component`);
	return parts;
}

interface Metadata {
	mode: number;
	uid: number;
	gid: number;
	atime: number;
	mtime: number | null;
}

interface Special extends Metadata {
	type: 'char' | 'block' | 'fifo';
	major: number;
	minor: number;
}

class LayerWriter {
	readonly #root: string;
	readonly #shift: number;
	/** In-layer paths known to be real directories ('' is the root). */
	readonly #dirs = new Set<string>(['']);
	/** Directories' modes and times, applied last so a read-only directory does not stop later entries. */
	readonly #dirMetadata = new Map<string, Metadata>();
	/** Devices, fifos and whiteouts, made in batches (layer-mknod.ts). */
	readonly #specials = new Map<string, Special>();
	/** Attributes, set in one setfattr once the files exist (after chown, which clears capabilities). */
	readonly #xattrs = new Map<string, Xattrs>();
	readonly #opaque = new Set<string>();
	/** The device every whiteout links to, under a name no entry uses; removed at the end. */
	#sharedWhiteout: string | null = null;
	readonly #sharedWhiteouts: string[] = [];

	constructor(root: string, shift: number) {
		this.#root = root;
		this.#shift = shift;
	}

	#full(rel: string): string {
		return rel === '' ? this.#root : `${this.#root}/${rel}`;
	}

	#id(value: number, name: string): number {
		const shifted = value + this.#shift;
		if (shifted > 0xfffffffe) throw refuse(name, 'has an owner beyond the largest uid once shifted');
		return shifted;
	}

	async add(entry: TarEntry, body: AsyncGenerator<Buffer>): Promise<void> {
		const name = entry.path;
		const parts = layerPath(name);
		if (parts.slice(0, -1).some((part) => part.startsWith(AUFS_META_PREFIX))) return;
		const base = parts.at(-1);
		if (base === undefined) return this.#layerRoot(entry);
		if (base === OPAQUE_MARKER) {
			this.#parent(parts, name);
			this.#opaque.add(parts.slice(0, -1).join('/'));
			return;
		}
		if (base.startsWith(AUFS_META_PREFIX)) return;
		if (base.startsWith(WHITEOUT_PREFIX)) return this.#whiteout(entry, parts, base.slice(WHITEOUT_PREFIX.length));
		this.#parent(parts, name);
		const rel = parts.join('/');
		switch (entry.kind) {
			case 'directory':
				return this.#directory(entry, rel);
			case 'file':
				return this.#file(entry, rel, body);
			case 'symlink':
				return this.#symlink(entry, rel);
			case 'hardlink':
				return this.#hardlink(entry, rel);
			default:
				await this.#clear(rel, false);
				this.#specials.set(rel, {
					...this.#metadata(entry),
					type: entry.kind,
					major: entry.devMajor,
					minor: entry.devMinor,
				});
				this.#queueXattrs(rel, entry);
		}
	}

	#metadata(entry: TarEntry): Metadata {
		return {
			mode: entry.mode,
			uid: this.#id(entry.uid, entry.path),
			gid: this.#id(entry.gid, entry.path),
			atime: entry.atime,
			mtime: entry.mtime,
		};
	}

	/** The layer's own root ("./"): its mode, owner and times go to the target directory. */
	#layerRoot(entry: TarEntry): void {
		if (entry.kind !== 'directory') throw refuse(entry.path, 'names the layer root but is not a directory');
		const metadata = this.#metadata(entry);
		fs.lchownSync(this.#root, metadata.uid, metadata.gid);
		this.#dirMetadata.set('', metadata);
		this.#queueXattrs('', entry);
	}

	/**
	 * Makes sure every parent of `parts` is a real directory, creating missing ones (as tar
	 * does); refuses a path through a symlink or through something that is not a directory.
	 */
	#parent(parts: string[], name: string): void {
		const parent = parts.slice(0, -1).join('/');
		if (this.#dirs.has(parent)) return;
		for (let i = 1; i < parts.length; i++) {
			const rel = parts.slice(0, i).join('/');
			if (this.#dirs.has(rel)) continue;
			if (this.#specials.has(rel)) throw refuse(name, `passes through ${JSON.stringify(rel)}, which is not a directory`);
			const stat = lstat(this.#full(rel));
			if (stat === null) {
				fs.mkdirSync(this.#full(rel), 0o700);
				fs.lchownSync(this.#full(rel), this.#shift, this.#shift);
				this.#dirMetadata.set(rel, {mode: 0o755, uid: this.#shift, gid: this.#shift, atime: 0, mtime: null});
			} else if (stat.isSymbolicLink()) {
				throw refuse(name, `passes through the symlink ${JSON.stringify(rel)}`);
			} else if (!stat.isDirectory()) {
				throw refuse(name, `passes through ${JSON.stringify(rel)}, which is not a directory`);
			}
			this.#dirs.add(rel);
		}
	}

	/**
	 * Removes what an earlier entry put at `rel` (a later entry wins, as in tar), unless both
	 * are directories. Returns whether a directory stays.
	 */
	async #clear(rel: string, keepDirectory: boolean): Promise<boolean> {
		if (this.#specials.delete(rel)) {
			this.#xattrs.delete(rel);
			return false;
		}
		const full = this.#full(rel);
		const stat = lstat(full);
		if (stat === null) return false;
		if (stat.isDirectory()) {
			if (keepDirectory) return true;
			fs.rmSync(full, {recursive: true, force: true});
			this.#forget(rel);
			return false;
		}
		// Attributes belong to the inode: one still linked elsewhere gets them before this name goes.
		if (stat.nlink > 1 && this.#xattrs.has(rel)) await this.#flushXattrs();
		fs.unlinkSync(full);
		this.#xattrs.delete(rel);
		return false;
	}

	/** Drops everything remembered about `rel` and below it (a directory that was replaced). */
	#forget(rel: string): void {
		const below = `${rel}/`;
		const gone = (key: string) => key === rel || key.startsWith(below);
		for (const key of this.#dirs) if (gone(key)) this.#dirs.delete(key);
		for (const key of this.#dirMetadata.keys()) if (gone(key)) this.#dirMetadata.delete(key);
		for (const key of this.#specials.keys()) if (gone(key)) this.#specials.delete(key);
		for (const key of this.#xattrs.keys()) if (gone(key)) this.#xattrs.delete(key);
		for (const key of this.#opaque) if (gone(key)) this.#opaque.delete(key);
	}

	#queueXattrs(rel: string, entry: TarEntry): void {
		const xattrs: Xattrs = new Map();
		for (const [name, value] of entry.xattrs) {
			if (isOverlayXattr(name)) continue; // an image does not get to steer overlayfs
			xattrs.set(name, name === CAPABILITY_XATTR ? shiftCapability(value, this.#shift) : value);
		}
		if (xattrs.size > 0) this.#xattrs.set(rel, xattrs);
		else this.#xattrs.delete(rel);
	}

	async #directory(entry: TarEntry, rel: string): Promise<void> {
		const kept = await this.#clear(rel, true);
		const full = this.#full(rel);
		if (!kept) fs.mkdirSync(full, 0o700);
		const metadata = this.#metadata(entry);
		fs.lchownSync(full, metadata.uid, metadata.gid);
		this.#dirs.add(rel);
		this.#dirMetadata.set(rel, metadata);
		this.#queueXattrs(rel, entry);
	}

	async #file(entry: TarEntry, rel: string, body: AsyncGenerator<Buffer>): Promise<void> {
		await this.#clear(rel, false);
		const metadata = this.#metadata(entry);
		const fd = fs.openSync(this.#full(rel), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
		try {
			for await (const piece of body) {
				for (let offset = 0; offset < piece.length; ) offset += fs.writeSync(fd, piece, offset, piece.length - offset);
			}
			fs.fchownSync(fd, metadata.uid, metadata.gid);
			fs.fchmodSync(fd, metadata.mode); // after chown, which clears setuid and setgid
			fs.futimesSync(fd, metadata.atime, metadata.mtime!);
		} finally {
			fs.closeSync(fd);
		}
		this.#queueXattrs(rel, entry);
	}

	async #symlink(entry: TarEntry, rel: string): Promise<void> {
		if (entry.linkpath === '' || entry.linkpath.includes('\0')) throw refuse(entry.path, 'is a symlink without a valid target');
		await this.#clear(rel, false);
		const full = this.#full(rel);
		const metadata = this.#metadata(entry);
		fs.symlinkSync(entry.linkpath, full);
		fs.lchownSync(full, metadata.uid, metadata.gid);
		fs.lutimesSync(full, metadata.atime, metadata.mtime!);
		this.#queueXattrs(rel, entry);
	}

	async #hardlink(entry: TarEntry, rel: string): Promise<void> {
		const name = entry.path;
		const targetParts = layerPath(entry.linkpath, 'is a hard link to');
		const targetRel = targetParts.join('/');
		if (targetParts.length === 0) throw refuse(name, 'is a hard link to the layer root');
		const missing = () => refuse(name, `is a hard link to ${JSON.stringify(entry.linkpath)}, which is not in the layer before it`);
		// The link's target must already be here, reached through real directories only.
		for (let i = 1; i < targetParts.length; i++) {
			const dir = targetParts.slice(0, i).join('/');
			if (this.#dirs.has(dir)) continue;
			const stat = lstat(this.#full(dir));
			if (stat === null) throw missing();
			if (stat.isSymbolicLink()) throw refuse(name, `is a hard link through the symlink ${JSON.stringify(dir)}`);
			if (!stat.isDirectory()) throw missing();
			this.#dirs.add(dir);
		}
		if (this.#specials.has(targetRel)) await this.#flushSpecials();
		const stat = lstat(this.#full(targetRel));
		if (stat === null) throw missing();
		if (stat.isDirectory()) throw refuse(name, `is a hard link to the directory ${JSON.stringify(entry.linkpath)}`);
		if (targetRel === rel) return;
		await this.#clear(rel, false);
		fs.linkSync(this.#full(targetRel), this.#full(rel));
	}

	/**
	 * `.wh.NAME`: NAME (of a lower layer) is deleted; overlayfs sees that as a 0:0 character
	 * device. All whiteouts of a layer are hard links of one such device, as the kernel's own
	 * are: one mknod per layer however many files it deletes.
	 */
	async #whiteout(entry: TarEntry, parts: string[], hidden: string): Promise<void> {
		if (hidden === '' || hidden === '.' || hidden === '..') throw refuse(entry.path, 'is a whiteout without a name');
		this.#parent(parts, entry.path);
		const rel = [...parts.slice(0, -1), hidden].join('/');
		await this.#clear(rel, false);
		try {
			fs.linkSync(await this.#whiteoutSource(), this.#full(rel));
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'EMLINK' && code !== 'ENOENT') throw error;
			this.#sharedWhiteout = null; // full of links, or replaced by an entry of that name
			fs.linkSync(await this.#whiteoutSource(), this.#full(rel));
		}
	}

	async #whiteoutSource(): Promise<string> {
		if (this.#sharedWhiteout !== null) return this.#sharedWhiteout;
		const file = `${this.#root}/.c32-whiteout-${process.pid}-${randomBytes(6).toString('hex')}`;
		await makeSpecialFiles([{path: file, type: 'char', major: 0, minor: 0}]);
		fs.lchownSync(file, this.#shift, this.#shift);
		fs.chmodSync(file, 0o600); // a node just made, not a symlink
		this.#sharedWhiteout = file;
		this.#sharedWhiteouts.push(file);
		return file;
	}

	async #flushSpecials(): Promise<void> {
		if (this.#specials.size === 0) return;
		const specials = [...this.#specials];
		this.#specials.clear();
		await makeSpecialFiles(
			specials.map(([rel, special]) => ({path: this.#full(rel), type: special.type, major: special.major, minor: special.minor})),
		);
		for (const [rel, special] of specials) {
			const full = this.#full(rel);
			fs.lchownSync(full, special.uid, special.gid);
			fs.chmodSync(full, special.mode); // a node just made, not a symlink
			fs.lutimesSync(full, special.atime, special.mtime!);
		}
	}

	async #flushXattrs(): Promise<void> {
		for (const dir of this.#opaque) {
			const xattrs = this.#xattrs.get(dir) ?? new Map();
			xattrs.set(OPAQUE_XATTR, Buffer.from('y'));
			this.#xattrs.set(dir, xattrs);
		}
		this.#opaque.clear();
		const entries = [...this.#xattrs].map(([rel, xattrs]): [string, Xattrs] => [this.#full(rel), xattrs]);
		this.#xattrs.clear();
		await setXattrs(entries);
	}

	async finish(): Promise<void> {
		await this.#flushSpecials();
		await this.#flushXattrs();
		for (const file of this.#sharedWhiteouts) fs.rmSync(file, {force: true});
		if (!this.#dirMetadata.has('')) this.#dirMetadata.set('', {mode: 0o755, uid: this.#shift, gid: this.#shift, atime: 0, mtime: null});
		for (const [rel, metadata] of this.#dirMetadata) {
			const fd = openDirectory(this.#full(rel));
			try {
				if (rel === '') fs.fchownSync(fd, metadata.uid, metadata.gid);
				fs.fchmodSync(fd, metadata.mode);
				if (metadata.mtime !== null) fs.futimesSync(fd, metadata.atime, metadata.mtime);
			} finally {
				fs.closeSync(fd);
			}
		}
	}
}

function lstat(file: string): fs.Stats | null {
	try {
		return fs.lstatSync(file);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
}
