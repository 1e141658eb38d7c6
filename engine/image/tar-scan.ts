// A quick look into a tar file (plain or gzip) without unpacking it: the names at its top
// level and the content of a few small files (index.json, manifest.json). A plain tar is
// read by seeking from header to header, so a large one costs little.
import fs from 'node:fs';
import {createGunzip} from 'node:zlib';

const BLOCK = 512;
/** A small file larger than this is not what it claims to be (an index, a manifest). */
const CONTENT_MAX = 4 * 1024 * 1024;

export interface TarLook {
	/** Entry names at the top level ("./" and trailing "/" removed). */
	topLevel: Set<string>;
	/** The content of the wanted files. */
	files: Map<string, Buffer>;
}

interface ByteReader {
	/** Exactly n bytes, or fewer at the end. */
	read(n: number): Promise<Buffer>;
	skip(n: number): Promise<void>;
	close(): Promise<void>;
}

/** The first bytes of a file (fewer when it is shorter). */
export async function readHead(file: string, n: number): Promise<Buffer> {
	const handle = await fs.promises.open(file, 'r');
	try {
		const buffer = Buffer.alloc(n);
		const {bytesRead} = await handle.read(buffer, 0, n, 0);
		return buffer.subarray(0, bytesRead);
	} finally {
		await handle.close();
	}
}

export const isGzip = (head: Uint8Array) => head[0] === 0x1f && head[1] === 0x8b;

/** Whether a 512-byte block is a tar header: its checksum holds (ustar or old v7 format). */
export function isTarHeader(block: Uint8Array): boolean {
	if (block.length < BLOCK) return false;
	const stored = Number.parseInt(Buffer.from(block.subarray(148, 156)).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
	if (!Number.isFinite(stored)) return false;
	let sum = 0;
	for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
	return sum === stored;
}

/** The tar's top-level names and the wanted files' content; null when the file is not a tar. */
export async function lookIntoTar(file: string, wanted: readonly string[] = []): Promise<TarLook | null> {
	const reader = isGzip(await readHead(file, 2)) ? await gzipReader(file) : await plainReader(file);
	try {
		return await scan(reader, new Set(wanted));
	} finally {
		await reader.close();
	}
}

async function scan(reader: ByteReader, wanted: Set<string>): Promise<TarLook | null> {
	const look: TarLook = {topLevel: new Set(), files: new Map()};
	let longName: string | null = null;
	for (let first = true; ; first = false) {
		const header = await reader.read(BLOCK);
		if (header.length < BLOCK || header.every((byte) => byte === 0)) return first ? null : look;
		if (!isTarHeader(header)) return first ? null : look;
		const type = String.fromCharCode(header[156]!) || '0';
		const size = sizeOf(header);
		const padded = Math.ceil(size / BLOCK) * BLOCK;
		if (type === 'x' || type === 'L') {
			// A PAX header's path= or a GNU long name names the next entry.
			const data = size <= CONTENT_MAX ? await reader.read(padded) : null;
			if (data === null) await reader.skip(padded);
			else longName = type === 'L' ? data.subarray(0, size).toString('utf8').replace(/\0.*$/s, '') : paxPath(data.subarray(0, size));
			continue;
		}
		const name = normalize(longName ?? headerName(header));
		longName = null;
		if (type === 'g') {
			await reader.skip(padded);
			continue;
		}
		if (name !== '' && !name.includes('/')) look.topLevel.add(name);
		if (wanted.has(name) && (type === '0' || type === '\0') && size <= CONTENT_MAX) {
			look.files.set(name, (await reader.read(padded)).subarray(0, size));
		} else await reader.skip(padded);
	}
}

function headerName(header: Buffer): string {
	const field = (start: number, length: number) =>
		header
			.subarray(start, start + length)
			.toString('utf8')
			.replace(/\0.*$/s, '');
	const name = field(0, 100);
	const ustar = header.subarray(257, 262).toString('latin1') === 'ustar';
	const prefix = ustar ? field(345, 155) : '';
	return prefix ? `${prefix}/${name}` : name;
}

function sizeOf(header: Buffer): number {
	const field = header.subarray(124, 136);
	if (field[0]! & 0x80) {
		// base-256 (GNU) for sizes beyond 8 GiB
		let value = 0;
		for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
		return value;
	}
	return Number.parseInt(field.toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
}

function paxPath(data: Buffer): string | null {
	for (const record of data.toString('utf8').split('\n')) {
		const match = /^\d+ path=(.*)$/s.exec(record);
		if (match) return match[1]!;
	}
	return null;
}

function normalize(name: string): string {
	return name.replace(/^(?:\.\/)+/, '').replace(/\/+$/, '');
}

async function plainReader(file: string): Promise<ByteReader> {
	const handle = await fs.promises.open(file, 'r');
	let position = 0;
	return {
		async read(n) {
			const buffer = Buffer.alloc(n);
			const {bytesRead} = await handle.read(buffer, 0, n, position);
			position += bytesRead;
			return buffer.subarray(0, bytesRead);
		},
		async skip(n) {
			position += n;
		},
		close: () => handle.close(),
	};
}

async function gzipReader(file: string): Promise<ByteReader> {
	const stream = fs.createReadStream(file).pipe(createGunzip());
	const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
	let pending: Buffer = Buffer.alloc(0);
	let ended = false;
	const fill = async (n: number) => {
		while (pending.length < n && !ended) {
			try {
				const next = await chunks.next();
				if (next.done) ended = true;
				else pending = pending.length === 0 ? next.value : Buffer.concat([pending, next.value]);
			} catch {
				ended = true; // a damaged gzip stream ends the look where it breaks
			}
		}
	};
	return {
		async read(n) {
			await fill(n);
			const out = pending.subarray(0, n);
			pending = pending.subarray(out.length);
			return out;
		},
		async skip(n) {
			let left = n;
			while (left > 0) {
				await fill(Math.min(left, 1 << 20));
				if (pending.length === 0) return;
				const taken = Math.min(left, pending.length);
				pending = pending.subarray(taken);
				left -= taken;
			}
		},
		async close() {
			stream.destroy();
		},
	};
}
