// A layer blob as a stream of tar bytes: gzip, zstd or plain, told apart by magic bytes, and
// read in exact pieces while every uncompressed byte is hashed (the layer's diff id). Nothing
// is buffered beyond the chunk at hand, so a layer of any size unpacks in constant memory.
import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import zlib from 'node:zlib';
import {C32Error} from '../errors.js';
import {findExecutable} from '../host.js';
import type {ByteSource} from './layer-tar.js';

export type Compression = 'gzip' | 'zstd' | 'none';

const MAGIC: Array<{bytes: number[]; name: string}> = [
	{bytes: [0x1f, 0x8b], name: 'gzip'},
	{bytes: [0x28, 0xb5, 0x2f, 0xfd], name: 'zstd'},
	{bytes: [0x42, 0x5a, 0x68], name: 'bzip2'},
	{bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], name: 'xz'},
];

/** What the first bytes of a blob say it is; bzip2 and xz are named so they can be refused by name. */
export function compressionOf(head: Buffer): Compression {
	const found = MAGIC.find(({bytes}) => bytes.every((byte, i) => head[i] === byte))?.name;
	if (found === undefined) return 'none';
	if (found === 'gzip' || found === 'zstd') return found;
	throw new C32Error('IMAGE_INVALID', `the layer is ${found}-compressed, which OCI images do not use: rebuild it with gzip or zstd`);
}

/** The uncompressed tar bytes of a layer blob. Breaking off early stops the decompressor and the blob. */
export async function* layerBytes(blob: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
	const iterator = blob[Symbol.asyncIterator]();
	const head: Buffer[] = [];
	let headLength = 0;
	while (headLength < 6) {
		const next = await iterator.next();
		if (next.done) break;
		const chunk = toBuffer(next.value);
		head.push(chunk);
		headLength += chunk.length;
	}
	async function* compressed(): AsyncGenerator<Buffer> {
		yield* head;
		for (;;) {
			const next = await iterator.next();
			if (next.done) return;
			yield toBuffer(next.value);
		}
	}
	const compression = compressionOf(Buffer.concat(head));
	if (compression === 'none') yield* compressed();
	else if (compression === 'gzip') yield* gunzip(compressed());
	else yield* unzstd(compressed());
}

function toBuffer(chunk: string | Buffer): Buffer {
	return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

async function* gunzip(input: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
	const unzip = zlib.createGunzip();
	const feeding = pipeline(Readable.from(input), unzip).catch(() => {
		// the same error reaches the loop below through `unzip`
	});
	try {
		for await (const chunk of unzip) yield chunk as Buffer;
	} catch (error) {
		if (String((error as NodeJS.ErrnoException).code).startsWith('Z_')) {
			throw new C32Error('IMAGE_INVALID', `the layer is not valid gzip (${(error as Error).message}): the blob is corrupt, fetch it again`);
		}
		throw error;
	} finally {
		unzip.destroy();
		await feeding;
	}
}

async function* unzstd(input: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
	const zstd = findExecutable('zstd');
	if (zstd === null) {
		await input.return(undefined);
		throw new C32Error('IMAGE_INVALID', 'the layer is zstd-compressed and zstd is not installed: apt-get install -y zstd');
	}
	const child = spawn(zstd, ['-d', '-c', '-q'], {stdio: ['pipe', 'pipe', 'pipe']});
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (text: string) => {
		if (stderr.length < 4096) stderr += text;
	});
	const exited = new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code) => resolve(code));
	});
	exited.catch(() => {});
	// zstd stopping early breaks its stdin: its exit status says why, not the EPIPE.
	const feeding = pipeline(Readable.from(input), child.stdin).catch(() => {});
	try {
		for await (const chunk of child.stdout) yield chunk as Buffer;
		const code = await exited;
		if (code !== 0) {
			const reason = stderr.trim().split('\n').pop() || `zstd exited with ${code}`;
			throw new C32Error('IMAGE_INVALID', `the layer is not valid zstd (${reason}): the blob is corrupt, fetch it again`);
		}
	} finally {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
		child.stdin.destroy();
		await exited.catch(() => {});
		await feeding;
	}
}

/** A ByteSource over `chunks` that hashes and counts everything read from it. */
export class HashingSource implements ByteSource {
	readonly #chunks: AsyncGenerator<Buffer>;
	readonly #hash = createHash('sha256');
	#buffer: Buffer = Buffer.alloc(0);
	#bytes = 0;
	#position = 0;

	constructor(chunks: AsyncGenerator<Buffer>) {
		this.#chunks = chunks;
	}

	async #next(): Promise<Buffer | null> {
		const next = await this.#chunks.next();
		if (next.done) return null;
		this.#hash.update(next.value);
		this.#bytes += next.value.length;
		return next.value;
	}

	get position(): number {
		return this.#position;
	}

	async read(n: number): Promise<Buffer | null> {
		this.#position += n;
		if (this.#buffer.length >= n) {
			const out = this.#buffer.subarray(0, n);
			this.#buffer = this.#buffer.subarray(n);
			return out;
		}
		const parts = [this.#buffer];
		let have = this.#buffer.length;
		while (have < n) {
			const chunk = await this.#next();
			if (chunk === null) {
				if (have === 0) return null;
				throw new C32Error('IMAGE_INVALID', 'the layer is truncated (its tar stream ends inside an entry): fetch it again');
			}
			parts.push(chunk);
			have += chunk.length;
		}
		const all = Buffer.concat(parts);
		this.#buffer = all.subarray(n);
		return all.subarray(0, n);
	}

	async *pieces(n: number): AsyncGenerator<Buffer> {
		let left = n;
		while (left > 0) {
			if (this.#buffer.length === 0) {
				const chunk = await this.#next();
				if (chunk === null) throw new C32Error('IMAGE_INVALID', 'the layer is truncated (a file in it ends early): fetch it again');
				this.#buffer = chunk;
			}
			const piece = this.#buffer.subarray(0, left);
			this.#buffer = this.#buffer.subarray(piece.length);
			left -= piece.length;
			this.#position += piece.length;
			yield piece;
		}
	}

	/** Reads to the end (what follows the archive counts for the diff id too) and gives the digest and length. */
	async finish(): Promise<{diffId: string; bytes: number}> {
		this.#buffer = Buffer.alloc(0);
		while ((await this.#next()) !== null) {
			// hashed by #next
		}
		return {diffId: `sha256:${this.#hash.digest('hex')}`, bytes: this.#bytes};
	}

	/** Stops reading: the decompressor and the blob are closed. */
	async close(): Promise<void> {
		await this.#chunks.return(undefined);
	}
}
