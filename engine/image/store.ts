// The OCI image store of a storage root (docs/storage.md, "OCI images"): verified blobs,
// image records that name them, and the layers unpacked from them. Transfers (pull, load,
// import, commit) prepare everything outside the store and enter it under the records'
// lock, by rename; a removal takes off names, then whatever no image needs any more.
import fs from 'node:fs';
import {C32Error} from '../errors.js';
import {byCodeUnit} from '../order.js';
import type {StorageLayout} from '../paths.js';
import {isNoSpace} from '../store.js';
import {archiveKind} from './archive-kind.js';
import {Blobs, shortDigest} from './blobs.js';
import {collectGarbage} from './gc.js';
import {containerUses, usersByImage} from './in-use.js';
import type {AddImageInput} from './new-image.js';
import {type Manifest, parseImageConfig, parseManifestOrIndex, type RawImageConfig, runtimeConfig} from './oci-json.js';
import {type OciPaths, ociPaths} from './paths.js';
import {type ImageRecord, ImageRecords, type RecordMap} from './records.js';
import {idPrefix, localName, lookupNames, parseReference} from './reference.js';
import type {
	ArchiveFormat,
	ChangeOptions,
	DiskUsage,
	ImageDetails,
	ImageLayer,
	ImageSummary,
	OciImageConfig,
	PruneResult,
	PullOptions,
	RemovedImage,
	TransferOptions,
} from './types.js';

export type {AddImageInput, NewLayer} from './new-image.js';

export interface ResolvedImage {
	id: string;
	digest: string;
	/** The name the reference matched (null for an id or a digest). */
	name: string | null;
	config: OciImageConfig;
	/** Bottom first. */
	layers: ImageLayer[];
}

/** An image whose blobs are ready outside the store (verified files on the store's filesystem). */
export interface PreparedImage {
	id: string;
	digest: string;
	created: string | null;
	layers: ImageLayer[];
	/** digest → a file that holds it; moved into the store when the image is new. */
	files: Map<string, string>;
}

const NOT_FOUND_HINT = 'see c32 images; pull it with c32 pull REF or load it with c32 load -i FILE';

export class ImageStore {
	readonly paths: OciPaths;
	readonly blobs: Blobs;
	readonly records: ImageRecords;

	constructor(readonly layout: StorageLayout) {
		this.paths = ociPaths(layout);
		this.blobs = new Blobs(this.paths.blobs);
		this.records = new ImageRecords(this.paths.records);
	}

	/** The store's directories, 0700 like the storage root above them. */
	ensureDirs(): void {
		try {
			fs.mkdirSync(this.layout.storageDir, {recursive: true, mode: 0o700});
			for (const dir of [this.paths.root, this.paths.blobs, this.paths.layers, this.paths.staging, this.paths.locks]) {
				fs.mkdirSync(dir, {recursive: true, mode: 0o700});
			}
		} catch (error) {
			throw storeError(error, this.paths.root);
		}
	}

	// ---- reading

	/** The record a reference names: a name (localhost/ first, then docker.io), an id (prefix) or a digest. */
	find(images: RecordMap, ref: string): {record: ImageRecord; name: string | null} {
		if (typeof ref !== 'string' || ref.trim() === '') throw new C32Error('IMAGE_NOT_FOUND', `no image given: ${NOT_FOUND_HINT}`);
		const all = Object.values(images);
		const prefix = idPrefix(ref);
		// A full id (or manifest digest) wins over a name that happens to be 64 hex digits.
		if (prefix?.length === 64) {
			const digest = `sha256:${prefix}`;
			const record = images[digest] ?? all.find((r) => r.digest === digest);
			if (record) return {record, name: null};
		}
		let parsed: ReturnType<typeof parseReference> | null = null;
		try {
			parsed = parseReference(ref);
		} catch (error) {
			if (prefix === null) throw error;
		}
		if (parsed !== null) {
			if (parsed.digest !== null) {
				const record = all.find((r) => r.digest === parsed.digest || r.id === parsed.digest);
				if (record) return {record, name: null};
			} else {
				for (const name of lookupNames(parsed)) {
					const record = all.find((r) => r.names.includes(name));
					if (record) return {record, name};
				}
			}
		}
		if (prefix !== null) {
			const matches = all.filter((r) => r.id.slice('sha256:'.length).startsWith(prefix));
			if (matches.length === 1) return {record: matches[0]!, name: null};
			if (matches.length > 1) {
				throw new C32Error('AMBIGUOUS_REF', `${JSON.stringify(ref)} matches ${matches.length} images: give more of the id or a name`);
			}
		}
		throw new C32Error('IMAGE_NOT_FOUND', `no such image: ${ref} (${NOT_FOUND_HINT})`);
	}

	/** The manifest and config of a record, read from their blobs (digests checked). */
	documents(record: ImageRecord): {manifest: Manifest; config: RawImageConfig} {
		const label = record.names[0] ?? shortDigest(record.id);
		const parsed = parseManifestOrIndex(this.blobs.read(record.digest, `manifest of ${label}`), `the manifest of ${label}`);
		if (!('manifest' in parsed)) throw new C32Error('IMAGE_INVALID', `the manifest of ${label} is an index, not an image`);
		const config = parseImageConfig(
			this.blobs.read(record.id, `config of ${label}`),
			`the config of ${label}`,
			parsed.manifest.layers.length,
		);
		return {manifest: parsed.manifest, config};
	}

	/** For H3 (create, run, commit): the image a reference names, with its runtime config. IMAGE_NOT_FOUND when none. */
	async resolve(ref: string): Promise<ResolvedImage> {
		const {record, name} = this.find(this.records.read(), ref);
		const {config} = this.documents(record);
		return {
			id: record.id,
			digest: record.digest,
			name: name ?? record.names[0] ?? null,
			config: runtimeConfig(config),
			layers: record.layers,
		};
	}

	summary(record: ImageRecord): ImageSummary {
		const size = this.blobs.size(record.digest) + this.blobs.size(record.id) + record.layers.reduce((sum, layer) => sum + layer.size, 0);
		return {id: record.id, names: [...record.names], digest: record.digest, size, created: record.created, storedAt: record.storedAt};
	}

	/** Newest first. */
	list(): ImageSummary[] {
		return Object.values(this.records.read())
			.sort((a, b) => byCodeUnit(b.storedAt, a.storedAt))
			.map((record) => this.summary(record));
	}

	inspect(ref: string): ImageDetails {
		const {record} = this.find(this.records.read(), ref);
		const {config} = this.documents(record);
		const usedBy = usersByImage(containerUses(this.layout)).get(record.id) ?? [];
		return {
			...this.summary(record),
			architecture: typeof config.architecture === 'string' ? config.architecture : 'unknown',
			os: typeof config.os === 'string' ? config.os : 'linux',
			config: runtimeConfig(config),
			layers: record.layers,
			usedBy,
		};
	}

	// ---- entering

	/**
	 * Enters a prepared image under the lock: its blobs move in (those already there are
	 * kept: shared layers are stored once), then its record; `names` move to it from any
	 * image that had them. Nothing of it stays in the store when this fails.
	 */
	async enter(image: PreparedImage, names: string[]): Promise<ImageSummary> {
		this.ensureDirs();
		return this.records.locked((images, save) => {
			const added: string[] = [];
			try {
				if (!images[image.id]) {
					for (const [digest, file] of image.files) if (this.blobs.adopt(file, digest)) added.push(digest);
					images[image.id] = {
						id: image.id,
						digest: image.digest,
						names: [],
						created: image.created,
						storedAt: new Date().toISOString(),
						layers: image.layers,
					};
				}
				claimNames(images, image.id, names);
				save();
			} catch (error) {
				for (const digest of added) fs.rmSync(this.blobs.path(digest), {force: true});
				throw storeError(error, this.paths.root);
			}
			return this.summary(images[image.id]!);
		});
	}

	async tag(source: string, target: string): Promise<void> {
		const name = localName(target);
		await this.records.locked((images, save) => {
			const {record} = this.find(images, source);
			claimNames(images, record.id, [name]);
			save();
		});
	}

	// ---- leaving

	/**
	 * rmi: a name given takes that name off; the last name, an id or a digest removes the
	 * image. An image a container uses is refused (IMAGE_IN_USE) unless `force`, which
	 * untags it and keeps it while a container needs it. All refs, or none.
	 */
	async remove(refs: string[], options: {force?: boolean} = {}): Promise<RemovedImage[]> {
		const users = usersByImage(containerUses(this.layout));
		return this.records.locked((images, save) => {
			const removed: RemovedImage[] = [];
			for (const ref of refs) {
				const {record, name} = this.find(images, ref);
				if (name !== null && record.names.length > 1) {
					record.names = record.names.filter((n) => n !== name);
					removed.push({ref, id: record.id, untagged: [name], deleted: false});
					continue;
				}
				const usedBy = users.get(record.id) ?? [];
				if (usedBy.length > 0 && !options.force) {
					const list = usedBy.slice(0, 3).join(', ') + (usedBy.length > 3 ? ` and ${usedBy.length - 3} more` : '');
					throw new C32Error(
						'IMAGE_IN_USE',
						`image ${ref} is used by container ${list}: remove the container first, or rmi -f to untag it (its layers stay while a container needs them)`,
					);
				}
				const untagged = record.names;
				if (usedBy.length > 0) record.names = [];
				else delete images[record.id];
				removed.push({ref, id: record.id, untagged, deleted: usedBy.length === 0});
			}
			save();
			collectGarbage(this, images);
			return removed;
		});
	}

	/** image prune: every untagged image no container uses. */
	async prune(): Promise<PruneResult> {
		const users = usersByImage(containerUses(this.layout));
		return this.records.locked((images, save) => {
			const deleted = Object.values(images)
				.filter((record) => record.names.length === 0 && !users.has(record.id))
				.map((record) => record.id);
			for (const id of deleted) delete images[id];
			save();
			return {deleted, reclaimedBytes: collectGarbage(this, images)};
		});
	}

	// ---- transfers (their modules load on first use)

	async pull(ref: string, options?: PullOptions): Promise<ImageSummary> {
		return (await import('./transfer.js')).pull(this, ref, options);
	}

	/** Every image of an oci-archive or docker-archive. */
	async load(file: string, options?: TransferOptions): Promise<ImageSummary[]> {
		const kind = await archiveKind(file);
		if (kind !== 'oci-archive' && kind !== 'docker-archive') {
			const hint =
				kind === 'rootfs' ? 'it is a root filesystem tar: use c32 import FILE NAME' : 'it is a container export: use c32 import FILE';
			throw new C32Error('TRANSPORT_FAILED', `${file} is not an oci-archive or docker-archive: ${hint}`);
		}
		return (await import('./transfer.js')).load(this, file, kind, options);
	}

	/** A root filesystem tar (plain or gzip) as a one-layer image named `name`. */
	async importRootfs(file: string, name: string, options?: ChangeOptions & TransferOptions): Promise<ImageSummary> {
		return (await import('./new-image.js')).importRootfs(this, file, name, options);
	}

	/** For H3 (commit, container import): a new image from a parent, a layer (moved in) and a config. */
	async addImage(input: AddImageInput): Promise<ImageSummary> {
		return (await import('./new-image.js')).addImage(this, input);
	}

	async save(ref: string, file: string, format?: ArchiveFormat): Promise<void> {
		return (await import('./export.js')).saveImage(this, ref, file, format);
	}

	/** For H3 (export --with-image): the image as an OCI layout (oci-layout, index.json, blobs/) in `dir`. */
	async exportArchive(id: string, dir: string): Promise<void> {
		return (await import('./export.js')).exportArchive(this, id, dir);
	}

	/** For H3: the image's layers unpacked (once, under a lock), bottom first; blobs and diff ids checked while unpacking. */
	async layerDirs(id: string, idShift: number, options?: TransferOptions): Promise<string[]> {
		return (await import('./layer-dirs.js')).layerDirs(this, id, idShift, options);
	}

	diskUsage(): Promise<DiskUsage> {
		return import('./disk-usage.js').then(({diskUsage}) => diskUsage(this, this.records.read(), containerUses(this.layout)));
	}
}

/** Gives `names` to image `id`, taking them from any other image (docker's tags move). */
function claimNames(images: RecordMap, id: string, names: string[]): void {
	for (const record of Object.values(images)) {
		if (record.id !== id) record.names = record.names.filter((name) => !names.includes(name));
	}
	const target = images[id]!;
	for (const name of names) if (!target.names.includes(name)) target.names.push(name);
}

/** A failure of the store's own files: a full disk is NO_SPACE; C32Errors pass. */
export function storeError(error: unknown, where: string): Error {
	if (error instanceof C32Error) return error;
	if (isNoSpace(error)) return new C32Error('NO_SPACE', `no space left under ${where}: free some space and try again`);
	return new C32Error('RUNTIME_ERROR', `image store ${where}: ${(error as Error).message}`);
}
