// The tar format as image layers use it. node-tar (`tar`) decodes and encodes the 512-byte
// header blocks (checksums, octal and base-256 numbers, the ustar name prefix); the framing
// and the PAX records are c32's own, because node-tar's PAX parser decodes values as UTF-8
// and drops SCHILY.xattr.* records, so binary file capabilities would be lost. The framing
// follows Go's archive/tar (what docker, containerd and umoci write and read): links,
// symlinks, devices, fifos and directories have no body whatever their size field says, so
// c32 sees the same entries as every other tool that reads the layer.
import {Header} from 'tar';

export const BLOCK_SIZE = 512;
/** A PAX or GNU long-name record larger than this is refused: no real layer needs one. */
const MAX_META_SIZE = 1024 * 1024;
const ZERO_BLOCK = Buffer.alloc(BLOCK_SIZE);

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
	/** The name as the archive gives it (not yet checked). */
	path: string;
	kind: EntryKind;
	/** Permission bits with setuid, setgid and sticky (& 0o7777). */
	mode: number;
	uid: number;
	gid: number;
	/** Seconds since the epoch, fractional when PAX says so. */
	mtime: number;
	atime: number;
	/** The target of a symlink or hard link; '' otherwise. */
	linkpath: string;
	devMajor: number;
	devMinor: number;
	/** Bytes of the body (0 for every kind but 'file'). */
	size: number;
	/** From PAX SCHILY.xattr.NAME records, values as raw bytes. */
	xattrs: Map<string, Buffer>;
}

/** Why a stream is not a tar archive c32 can read; the caller turns it into IMAGE_INVALID. */
export class TarFormatError extends Error {}

const KINDS: Record<string, EntryKind> = {
	'': 'file',
	'0': 'file',
	'7': 'file',
	'1': 'hardlink',
	'2': 'symlink',
	'3': 'char',
	'4': 'block',
	'5': 'directory',
	'6': 'fifo',
};

/** Reads an async byte stream in exact pieces, hashing and counting every byte that passes. */
export interface ByteSource {
	/** Exactly `n` bytes; null at a clean end of the stream; throws when it ends inside them. */
	read(n: number): Promise<Buffer | null>;
	/** The next `n` bytes in pieces as they arrive, without buffering them all. */
	pieces(n: number): AsyncGenerator<Buffer>;
	/** Bytes handed out so far. */
	readonly position: number;
}

/** Splits PAX extended-header records ("LEN key=value\n"), keeping values as bytes. */
export function parsePaxRecords(body: Buffer): Map<string, Buffer> {
	const records = new Map<string, Buffer>();
	let position = 0;
	while (position < body.length) {
		if (body[position] === 0) break; // NUL padding some writers leave after the last record
		const space = body.indexOf(0x20, position);
		const lengthText = space < 0 ? '' : body.toString('latin1', position, space);
		const length = /^[1-9][0-9]{0,8}$/.test(lengthText) ? Number(lengthText) : 0;
		const end = position + length;
		const equals = space < 0 ? -1 : body.indexOf(0x3d, space + 1);
		if (length === 0 || end > body.length || body[end - 1] !== 0x0a || equals < 0 || equals >= end) {
			throw new TarFormatError('a PAX extended header is malformed');
		}
		records.set(body.toString('utf8', space + 1, equals), Buffer.from(body.subarray(equals + 1, end - 1)));
		position = end;
	}
	return records;
}

/** One PAX record, its length prefix counting itself. */
function paxRecord(key: string, value: Buffer): Buffer {
	const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
	let length = rest.length + 1;
	while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
	return Buffer.concat([Buffer.from(String(length)), rest]);
}

/** The blocks of a PAX extended header ('x') holding `records`, for the entry after it. */
export function paxHeaderBlocks(records: Array<[string, Buffer]>): Buffer {
	const body = Buffer.concat(records.map(([key, value]) => paxRecord(key, value)));
	const {block} = headerBlock({path: 'PaxHeader', type: 'ExtendedHeader', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0});
	return Buffer.concat([block, body, Buffer.alloc(paddingOf(body.length))]);
}

export interface HeaderFields {
	path: string;
	type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO' | 'ExtendedHeader';
	mode: number;
	uid: number;
	gid: number;
	size: number;
	/** Whole seconds. */
	mtime: number;
	linkpath?: string;
	devMajor?: number;
	devMinor?: number;
}

/** A ustar header block; `needPax` when a field did not fit (long or non-ASCII names, huge numbers). */
export function headerBlock(fields: HeaderFields): {block: Buffer; needPax: boolean} {
	const header = new Header({
		path: fields.path,
		type: fields.type,
		mode: fields.mode,
		uid: fields.uid,
		gid: fields.gid,
		size: fields.size,
		mtime: new Date(fields.mtime * 1000),
		linkpath: fields.linkpath ?? '',
		uname: '',
		gname: '',
		devmaj: fields.devMajor ?? 0,
		devmin: fields.devMinor ?? 0,
	});
	const block = Buffer.alloc(BLOCK_SIZE);
	const needPax = header.encode(block);
	return {block, needPax};
}

export function paddingOf(size: number): number {
	return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/** The two zero blocks that end an archive. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK_SIZE);

/**
 * The entries of a tar stream, one at a time. The consumer reads an entry's body through
 * `body` before asking for the next one (what it leaves unread is skipped). Stops at the
 * first zero block or at the end of the stream; whatever follows is left to the caller.
 */
export async function* tarEntries(source: ByteSource): AsyncGenerator<{entry: TarEntry; body: AsyncGenerator<Buffer>}> {
	let pax: Map<string, Buffer> | null = null;
	let longPath: string | null = null;
	let longLink: string | null = null;
	for (let index = 1; ; index++) {
		const block = await source.read(BLOCK_SIZE);
		if (block === null || block.equals(ZERO_BLOCK)) {
			if (pax || longPath !== null || longLink !== null) throw new TarFormatError('the archive ends inside an extended header');
			return;
		}
		const header = new Header(block);
		if (!header.cksumValid) throw new TarFormatError(`entry ${index} has a bad header checksum (not a tar archive, or a corrupt one)`);
		const flag = block[156] === 0 ? '' : String.fromCharCode(block[156]!);
		const headerSize = header.size ?? 0;
		if (flag === 'x' || flag === 'L' || flag === 'K' || flag === 'g') {
			if (headerSize > MAX_META_SIZE) throw new TarFormatError(`entry ${index} has an extended header of ${headerSize} bytes`);
			const body = headerSize > 0 ? await readExactly(source, headerSize + paddingOf(headerSize)) : Buffer.alloc(0);
			const content = body.subarray(0, headerSize);
			if (flag === 'x') pax = new Map([...(pax ?? []), ...parsePaxRecords(content)]);
			else if (flag === 'L') longPath = cString(content);
			else if (flag === 'K') longLink = cString(content);
			// 'g' (global) records are ignored, as docker and containerd do.
			continue;
		}
		const name = text(pax, 'path') ?? longPath ?? header.path ?? '';
		const kind = KINDS[flag];
		if (kind === undefined) {
			throw new TarFormatError(`entry ${JSON.stringify(name)} has a type c32 does not know (${header.type}, flag ${JSON.stringify(flag)})`);
		}
		if (flag === '0' && name.endsWith('/')) {
			// node-tar reads this as a directory, Go's archive/tar as a file with a body: refuse the ambiguity.
			throw new TarFormatError(`entry ${JSON.stringify(name)} is a regular file whose name ends in '/'`);
		}
		if (pax && [...pax.keys()].some((key) => key.startsWith('GNU.sparse.'))) {
			throw new TarFormatError(`entry ${JSON.stringify(name)} is a sparse file, which c32 does not unpack`);
		}
		const mtime = number(pax, 'mtime') ?? (header.mtime ? header.mtime.getTime() / 1000 : 0);
		const entry: TarEntry = {
			path: name,
			kind,
			mode: (header.mode ?? 0) & 0o7777,
			uid: id(pax, 'uid', header.uid, name),
			gid: id(pax, 'gid', header.gid, name),
			mtime,
			atime: number(pax, 'atime') ?? mtime,
			linkpath: text(pax, 'linkpath') ?? longLink ?? header.linkpath ?? '',
			devMajor: kind === 'char' || kind === 'block' ? octal(block, 329, 8) : 0,
			devMinor: kind === 'char' || kind === 'block' ? octal(block, 337, 8) : 0,
			size: kind === 'file' ? (number(pax, 'size') ?? headerSize) : 0,
			xattrs: xattrsOf(pax),
		};
		if (!Number.isSafeInteger(entry.size) || entry.size < 0) throw new TarFormatError(`entry ${JSON.stringify(name)} has a bad size`);
		pax = null;
		longPath = null;
		longLink = null;
		const start = source.position;
		yield {entry, body: source.pieces(entry.size)};
		// Whatever the consumer left unread, then the padding to the next block.
		for await (const _ of source.pieces(entry.size - (source.position - start))) {
			// skipped
		}
		const padding = paddingOf(entry.size);
		if (padding > 0) await readExactly(source, padding);
	}
}

async function readExactly(source: ByteSource, n: number): Promise<Buffer> {
	const bytes = await source.read(n);
	if (bytes === null) throw new TarFormatError('the archive is truncated');
	return bytes;
}

function cString(bytes: Buffer): string {
	const end = bytes.indexOf(0);
	return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

function text(pax: Map<string, Buffer> | null, key: string): string | undefined {
	const value = pax?.get(key);
	return value === undefined || value.length === 0 ? undefined : value.toString('utf8');
}

function number(pax: Map<string, Buffer> | null, key: string): number | undefined {
	const value = text(pax, key);
	if (value === undefined) return undefined;
	if (!/^-?[0-9]+(\.[0-9]+)?$/.test(value)) throw new TarFormatError(`a PAX ${key} record is not a number: ${JSON.stringify(value)}`);
	return Number(value);
}

function id(pax: Map<string, Buffer> | null, key: 'uid' | 'gid', fromHeader: number | undefined, name: string): number {
	const value = number(pax, key) ?? fromHeader ?? 0;
	if (!Number.isInteger(value) || value < 0 || value > 0xfffffffe)
		throw new TarFormatError(`entry ${JSON.stringify(name)} has a bad ${key}`);
	return value;
}

/** An octal field: node-tar reads the device numbers of POSIX ustar headers only, GNU tar's share the offsets. */
function octal(block: Buffer, offset: number, size: number): number {
	const digits = cString(block.subarray(offset, offset + size)).trim();
	if (digits === '') return 0;
	if (!/^[0-7]+$/.test(digits)) throw new TarFormatError('a device number is not octal');
	return Number.parseInt(digits, 8);
}

const XATTR_PREFIX = 'SCHILY.xattr.';

function xattrsOf(pax: Map<string, Buffer> | null): Map<string, Buffer> {
	const xattrs = new Map<string, Buffer>();
	for (const [key, value] of pax ?? []) if (key.startsWith(XATTR_PREFIX)) xattrs.set(key.slice(XATTR_PREFIX.length), value);
	return xattrs;
}

/** The PAX records of an entry's xattrs. */
export function xattrRecords(xattrs: Map<string, Buffer>): Array<[string, Buffer]> {
	return [...xattrs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, value]) => [`${XATTR_PREFIX}${name}`, value]);
}
