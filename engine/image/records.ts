// The image records (images.json): which images the store holds and under which names.
// Configs and manifests live in their blobs; a record only points at them. Every change
// happens under the records' lock and is written atomically (temporary file, rename).
import fs from 'node:fs';
import {C32Error} from '../errors.js';
import {writeFileAtomic} from '../fs/atomic-file.js';
import {withLock} from '../store.js';
import type {ImageLayer} from './types.js';

export const RECORDS_FORMAT = 1;

export interface ImageRecord {
	/** The config blob's digest. */
	id: string;
	/** The manifest blob's digest. */
	digest: string;
	/** Full names, e.g. "localhost/tool:latest"; a name belongs to one image at a time. */
	names: string[];
	/** The config's `created` (kept here so listing reads no blob). */
	created: string | null;
	storedAt: string;
	/** Bottom first. */
	layers: ImageLayer[];
}

export type RecordMap = Record<string, ImageRecord>;

interface RecordsFile {
	formatVersion: number;
	images: RecordMap;
}

export class ImageRecords {
	constructor(readonly file: string) {}

	/** The records as they are on disk now (an empty store when the file is missing). */
	read(): RecordMap {
		let text: string;
		try {
			text = fs.readFileSync(this.file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
			throw error;
		}
		let data: RecordsFile;
		try {
			data = JSON.parse(text) as RecordsFile;
		} catch {
			throw damaged(this.file, 'is not valid JSON');
		}
		if (typeof data?.formatVersion !== 'number' || typeof data.images !== 'object' || data.images === null) {
			throw damaged(this.file, 'is not an image store');
		}
		if (data.formatVersion > RECORDS_FORMAT) {
			throw new C32Error('UNSUPPORTED', `${this.file} was written by a newer c32 (format ${data.formatVersion}): upgrade c32`);
		}
		return data.images;
	}

	/**
	 * Runs `change` on the current records under the lock; `save` writes what the map holds
	 * then. Whatever `change` does after `save` (removing what no record needs) is still locked.
	 */
	locked<T>(change: (images: RecordMap, save: () => void) => T | Promise<T>): Promise<T> {
		return withLock(
			this.file,
			() => {
				const images = this.read();
				return change(images, () => this.write(images));
			},
			{},
		);
	}

	private write(images: RecordMap): void {
		writeFileAtomic(this.file, `${JSON.stringify({formatVersion: RECORDS_FORMAT, images} satisfies RecordsFile, null, '\t')}\n`);
	}
}

function damaged(file: string, why: string): C32Error {
	return new C32Error(
		'DAMAGED_RECORD',
		`the image store ${file} ${why}: restore it from a backup or remove it (and the oci/ directory) to start empty`,
	);
}
