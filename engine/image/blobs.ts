// Content-addressed blobs (blobs/sha256/<hex>): every read checks the content against its
// name, and a blob enters only under the name of what it holds.
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {pipeline as pipelineStreams, type Readable, Transform} from 'node:stream';
import {finished, pipeline} from 'node:stream/promises';
import {C32Error} from '../errors.js';
import {DIGEST} from './reference.js';

export const hexOf = (digest: string) => digest.slice('sha256:'.length);
export const shortDigest = (digest: string) => hexOf(digest).slice(0, 12);
export const sha256 = (data: Uint8Array | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** A blob whose content does not match its digest: altered or damaged. */
export function tamperedError(digest: string, what: string): C32Error {
	return new C32Error(
		'IMAGE_INVALID',
		`blob ${digest} (${what}) does not match its digest: it was altered or damaged; remove the image (c32 rmi -f) and pull or load it again`,
	);
}

/** The sha256 digest of a file's content and its size. */
export async function hashFile(file: string): Promise<{digest: string; size: number}> {
	const hash = createHash('sha256');
	let size = 0;
	for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
		hash.update(chunk);
		size += chunk.length;
	}
	return {digest: `sha256:${hash.digest('hex')}`, size};
}

export class Blobs {
	constructor(readonly dir: string) {}

	path(digest: string): string {
		if (!DIGEST.test(digest)) throw new C32Error('IMAGE_INVALID', `${JSON.stringify(digest)} is not a sha256 digest`);
		return path.join(this.dir, hexOf(digest));
	}

	has(digest: string): boolean {
		return fs.existsSync(this.path(digest));
	}

	size(digest: string): number {
		try {
			return fs.statSync(this.path(digest)).size;
		} catch {
			return 0;
		}
	}

	/** The whole blob, checked against its digest (manifests and configs). */
	read(digest: string, what: string): Buffer {
		let data: Buffer;
		try {
			data = fs.readFileSync(this.path(digest));
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
				throw new C32Error(
					'IMAGE_INVALID',
					`blob ${digest} (${what}) is missing from the store: remove the image and pull or load it again`,
				);
			}
			throw error;
		}
		if (sha256(data) !== digest) throw tamperedError(digest, what);
		return data;
	}

	/**
	 * A stream of the blob, and `verify`, which reads whatever the reader left of it and
	 * rejects with IMAGE_INVALID when the content does not match the digest.
	 */
	open(digest: string, what: string, onChunk?: (bytes: number) => void): {stream: Readable; verify(): Promise<void>} {
		const hash = createHash('sha256');
		// A read error destroys the stream with it (pipeline), so no reader waits forever.
		const stream = pipelineStreams(
			fs.createReadStream(this.path(digest)),
			new Transform({
				transform(chunk: Buffer, _encoding, done) {
					hash.update(chunk);
					onChunk?.(chunk.length);
					done(null, chunk);
				},
			}),
			() => {},
		);
		return {
			stream,
			async verify() {
				if (!stream.readableEnded) stream.resume();
				await finished(stream);
				if (`sha256:${hash.digest('hex')}` !== digest) throw tamperedError(digest, what);
			},
		};
	}

	/**
	 * Moves `file` (already checked to hold `digest`) in as a blob; a blob already there is
	 * kept and `file` is left to the caller. Returns whether the blob is new.
	 */
	adopt(file: string, digest: string): boolean {
		const target = this.path(digest);
		if (fs.existsSync(target)) return false;
		fs.chmodSync(file, 0o600);
		fs.renameSync(file, target);
		return true;
	}

	/** Copies the blob to `target` (0600), checking its content on the way. */
	async copyTo(digest: string, target: string, what: string): Promise<void> {
		const hash = createHash('sha256');
		try {
			await pipeline(
				fs.createReadStream(this.path(digest)),
				new Transform({
					transform(chunk: Buffer, _encoding, done) {
						hash.update(chunk);
						done(null, chunk);
					},
				}),
				fs.createWriteStream(target, {mode: 0o600, flags: 'wx'}),
			);
			if (`sha256:${hash.digest('hex')}` !== digest) throw tamperedError(digest, what);
		} catch (error) {
			fs.rmSync(target, {force: true});
			throw error;
		}
	}

	/** Every blob digest present. */
	list(): string[] {
		try {
			return fs
				.readdirSync(this.dir)
				.filter((name) => /^[0-9a-f]{64}$/.test(name))
				.map((hex) => `sha256:${hex}`);
		} catch {
			return [];
		}
	}
}
