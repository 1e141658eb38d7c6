// Packs an overlay upper directory (a container's changes) into an OCI layer: a gzip'd PAX
// tar in which overlay whiteouts (0:0 character devices) become `.wh.NAME` files and opaque
// directories get a `.wh..wh..opq` entry. The same tree always gives the same bytes: names
// are sorted, owners numeric, no user or group names, gzip without a timestamp.
//
// The upper may belong to a container that still runs, so nothing here follows a symlink:
// every directory is opened from its parent's descriptor with O_NOFOLLOW (in-root.ts),
// files are read through descriptors whose inode is checked against the first walk, and
// getfattr reads attributes through the same directory descriptors.
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {Readable, Transform} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import zlib from 'node:zlib';
import {C32Error} from '../errors.js';
import {atPath, openDirectory, openRegularFile} from '../fs/in-root.js';
import {isNoSpace} from '../store.js';
import {END_OF_ARCHIVE, type HeaderFields, headerBlock, paddingOf, paxHeaderBlocks, xattrRecords} from './layer-tar.js';
import {CAPABILITY_XATTR, isOverlayXattr, readXattrsIn, unshiftCapability, type Xattrs} from './xattr.js';

const READ_CHUNK = 1024 * 1024;
/** Directories whose attributes one getfattr reads (their descriptors stay open until then). */
const XATTR_BATCH_DIRS = 64;
const OPAQUE = ['trusted.overlay.opaque', 'user.overlay.opaque'];
/** Overlay features whose upper files do not hold what the container sees: such a layer cannot be packed faithfully. */
const UNPACKABLE = ['trusted.overlay.redirect', 'trusted.overlay.metacopy', 'user.overlay.redirect', 'user.overlay.metacopy'];

export interface PackOptions {
	/** Subtracted from every uid and gid (an upper of a user-namespace container). Default 0. */
	idShift?: number;
}

export interface PackedLayer {
	/** sha256 of the gzip bytes written: the blob's digest. */
	digest: string;
	/** sha256 of the tar inside: the layer's diff id. */
	diffId: string;
	/** Bytes written to `output`. */
	size: number;
}

/** Writes the layer of `upper` to `output` (ended when done) and says what it wrote. */
export async function packLayer(upper: string, output: NodeJS.WritableStream, options: PackOptions = {}): Promise<PackedLayer> {
	const idShift = options.idShift ?? 0;
	if (!Number.isInteger(idShift) || idShift < 0) throw new C32Error('INVALID_CONFIG', `idShift must be a uid (got ${idShift})`);
	const root = path.resolve(upper);
	try {
		const tree = await scan(root);
		const tarHash = createHash('sha256');
		const gzipHash = createHash('sha256');
		let size = 0;
		await pipeline(
			Readable.from(tarStream(root, tree, idShift)),
			tap((chunk) => tarHash.update(chunk)),
			zlib.createGzip(),
			tap((chunk) => {
				gzipHash.update(chunk);
				size += chunk.length;
			}),
			output,
		);
		return {digest: `sha256:${gzipHash.digest('hex')}`, diffId: `sha256:${tarHash.digest('hex')}`, size};
	} catch (error) {
		if (error instanceof C32Error) throw error;
		if (isNoSpace(error)) throw new C32Error('NO_SPACE', 'no space left to write the layer: free some space and retry');
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') {
			throw new C32Error(
				'RUNTIME_ERROR',
				`the files of ${root} changed while they were packed (${(error as Error).message}): stop or pause the container and retry`,
			);
		}
		throw error;
	}
}

function tap(observe: (chunk: Buffer) => void): Transform {
	return new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			observe(chunk);
			callback(null, chunk);
		},
	});
}

interface UpperNode {
	name: string;
	/** Path inside the upper, '' for its root. */
	rel: string;
	stat: fs.BigIntStats;
	xattrs: Xattrs;
	children: UpperNode[];
}

function changed(rel: string): C32Error {
	return new C32Error('RUNTIME_ERROR', `${JSON.stringify(rel)} changed while the layer was packed: stop or pause the container and retry`);
}

/** Names in a directory, sorted by bytes; a name that is not UTF-8 cannot go into a PAX tar. */
function names(dirFd: number, rel: string): string[] {
	const raw = fs.readdirSync(`/proc/self/fd/${dirFd}`, {encoding: 'buffer'}).sort(Buffer.compare);
	return raw.map((bytes) => {
		const name = bytes.toString('utf8');
		if (!Buffer.from(name).equals(bytes)) {
			throw new C32Error(
				'UNSUPPORTED',
				`${JSON.stringify(path.join(rel, name))} has a name that is not UTF-8: rename it before committing`,
			);
		}
		return name;
	});
}

/** Open descriptors shared by the walk and the pending getfattr batch: closed when neither needs them. */
class Descriptors {
	readonly #counts = new Map<number, number>();

	retain(fd: number): void {
		this.#counts.set(fd, (this.#counts.get(fd) ?? 0) + 1);
	}

	release(fd: number): void {
		const count = (this.#counts.get(fd) ?? 1) - 1;
		if (count > 0) this.#counts.set(fd, count);
		else {
			this.#counts.delete(fd);
			fs.closeSync(fd);
		}
	}

	closeAll(): void {
		for (const fd of this.#counts.keys()) fs.closeSync(fd);
		this.#counts.clear();
	}
}

/** The first walk: every entry's lstat and attributes. */
async function scan(root: string): Promise<UpperNode> {
	const descriptors = new Descriptors();
	const rootFd = openDirectory(root);
	descriptors.retain(rootFd);
	const tree: UpperNode = {name: '', rel: '', stat: fs.fstatSync(rootFd, {bigint: true}), xattrs: new Map(), children: []};
	const pending: Array<{fd: number; nodes: UpperNode[]}> = [];
	const flush = async () => {
		const found = await readXattrsIn(
			pending.map(({fd}) => fd),
			pending.map(({nodes}) => nodes.map((node) => node.name)),
		);
		for (const [i, {fd, nodes}] of pending.entries()) {
			for (const node of nodes) node.xattrs = found.get(`${i}/${node.name}`) ?? new Map();
			descriptors.release(fd);
		}
		pending.length = 0;
	};
	const visit = async (dirFd: number, node: UpperNode) => {
		for (const name of names(dirFd, node.rel)) {
			const stat = fs.lstatSync(atPath(dirFd, name), {bigint: true});
			if (stat.isSocket()) continue; // a socket is no file content, as in docker
			node.children.push({name, rel: node.rel === '' ? name : `${node.rel}/${name}`, stat, xattrs: new Map(), children: []});
		}
		if (node.children.length > 0) {
			descriptors.retain(dirFd);
			pending.push({fd: dirFd, nodes: node.children});
			if (pending.length >= XATTR_BATCH_DIRS) await flush();
		}
		for (const child of node.children) {
			if (!child.stat.isDirectory()) continue;
			const childFd = openDirectory(atPath(dirFd, child.name));
			descriptors.retain(childFd);
			const stat = fs.fstatSync(childFd, {bigint: true});
			if (stat.ino !== child.stat.ino || stat.dev !== child.stat.dev) throw changed(child.rel);
			await visit(childFd, child);
			descriptors.release(childFd);
		}
	};
	try {
		await visit(rootFd, tree);
		await flush();
		descriptors.release(rootFd);
		return tree;
	} finally {
		descriptors.closeAll();
	}
}

/** The tar bytes of the tree: the second walk reads file contents through fresh descriptors. */
async function* tarStream(root: string, tree: UpperNode, shift: number): AsyncGenerator<Buffer> {
	const links = new Map<string, string>();
	const owner = (id: bigint) => {
		const value = Number(id) - shift;
		// An id outside the container's range (something the engine made) is root's in the image.
		return Math.max(value, 0);
	};
	async function* directory(dirFd: number, node: UpperNode): AsyncGenerator<Buffer> {
		for (const child of node.children) {
			const {stat, rel} = child;
			const xattrs = layerXattrs(child, shift);
			const common = {
				mode: Number(stat.mode) & 0o7777,
				uid: owner(stat.uid),
				gid: owner(stat.gid),
				size: 0,
				mtime: Number(stat.mtimeNs / 1_000_000_000n),
			};
			if (stat.isDirectory()) {
				yield* entryBlocks({...common, path: `${rel}/`, type: 'Directory'}, xattrs);
				if (OPAQUE.some((name) => child.xattrs.get(name)?.toString() === 'y')) {
					yield* entryBlocks({...common, mode: common.mode & 0o777, path: `${rel}/.wh..wh..opq`, type: 'File'}, new Map());
				}
				const childFd = openDirectory(atPath(dirFd, child.name));
				try {
					const now = fs.fstatSync(childFd, {bigint: true});
					if (now.ino !== stat.ino || now.dev !== stat.dev) throw changed(rel);
					yield* directory(childFd, child);
				} finally {
					fs.closeSync(childFd);
				}
				continue;
			}
			if (stat.isCharacterDevice() && stat.rdev === 0n) {
				const whiteout = node.rel === '' ? `.wh.${child.name}` : `${node.rel}/.wh.${child.name}`;
				yield* entryBlocks({...common, mode: common.mode & 0o777, path: whiteout, type: 'File'}, new Map());
				continue;
			}
			const key = `${stat.dev}:${stat.ino}`;
			const first = stat.nlink > 1n ? links.get(key) : undefined;
			if (first !== undefined) {
				yield* entryBlocks({...common, path: rel, type: 'Link', linkpath: first}, new Map());
				continue;
			}
			if (stat.nlink > 1n) links.set(key, rel);
			if (stat.isFile()) {
				yield* entryBlocks({...common, path: rel, type: 'File', size: Number(stat.size)}, xattrs);
				yield* fileContent(dirFd, child);
			} else if (stat.isSymbolicLink()) {
				const target = fs.readlinkSync(atPath(dirFd, child.name), {encoding: 'buffer'});
				yield* entryBlocks({...common, path: rel, type: 'SymbolicLink', linkpath: target.toString('utf8')}, xattrs);
			} else if (stat.isCharacterDevice() || stat.isBlockDevice()) {
				const rdev = stat.rdev;
				const devMajor = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
				const devMinor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
				yield* entryBlocks(
					{...common, path: rel, type: stat.isCharacterDevice() ? 'CharacterDevice' : 'BlockDevice', devMajor, devMinor},
					xattrs,
				);
			} else if (stat.isFIFO()) {
				yield* entryBlocks({...common, path: rel, type: 'FIFO'}, xattrs);
			}
		}
	}
	const rootFd = openDirectory(root);
	try {
		yield* directory(rootFd, tree);
	} finally {
		fs.closeSync(rootFd);
	}
	yield END_OF_ARCHIVE;
}

/** The attributes a layer carries for `node`: not overlayfs's own, capabilities with the shift undone. */
function layerXattrs(node: UpperNode, shift: number): Xattrs {
	const xattrs: Xattrs = new Map();
	for (const [name, value] of node.xattrs) {
		if (UNPACKABLE.includes(name)) {
			throw new C32Error(
				'UNSUPPORTED',
				`${JSON.stringify(node.rel)} uses overlayfs ${name.split('.').pop()}, which c32 cannot commit: mount overlays with redirect_dir=off,metacopy=off`,
			);
		}
		if (isOverlayXattr(name)) continue;
		xattrs.set(name, name === CAPABILITY_XATTR ? unshiftCapability(value, shift) : value);
	}
	return xattrs;
}

function* entryBlocks(fields: HeaderFields, xattrs: Xattrs): Generator<Buffer> {
	const {block, needPax} = headerBlock(fields);
	const records: Array<[string, Buffer]> = [];
	if (needPax) {
		records.push(['path', Buffer.from(fields.path)]);
		if (fields.linkpath) records.push(['linkpath', Buffer.from(fields.linkpath)]);
		for (const [key, max] of [
			['uid', 0o7777777],
			['gid', 0o7777777],
			['size', 0o77777777777],
			['mtime', 0o77777777777],
		] as const) {
			const value = fields[key];
			if (value < 0 || value > max) records.push([key, Buffer.from(String(value))]);
		}
	}
	records.push(...xattrRecords(xattrs));
	if (records.length > 0) yield paxHeaderBlocks(records);
	yield block;
}

/** A regular file's bytes and padding, read through a descriptor of the same inode the walk saw. */
function* fileContent(dirFd: number, node: UpperNode): Generator<Buffer> {
	const fd = openRegularFile(atPath(dirFd, node.name));
	if (fd === null) throw changed(node.rel);
	try {
		const stat = fs.fstatSync(fd, {bigint: true});
		if (stat.ino !== node.stat.ino || stat.size !== node.stat.size) throw changed(node.rel);
		const size = Number(node.stat.size);
		for (let position = 0; position < size; ) {
			const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - position));
			const read = fs.readSync(fd, buffer, 0, buffer.length, position);
			if (read === 0) throw changed(node.rel);
			position += read;
			yield read === buffer.length ? buffer : buffer.subarray(0, read);
		}
		const padding = paddingOf(size);
		if (padding > 0) yield Buffer.alloc(padding);
	} finally {
		fs.closeSync(fd);
	}
}
