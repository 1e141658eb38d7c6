// c32 commit: a container's upper layer becomes a new layer (its deletions as whiteouts) of
// a new image on top of the container's own, with the container's effective config. A
// running container is paused while its upper is packed (podman's default), so the layer
// is one moment of it; its record says paused meanwhile, so a c32 killed mid-way leaves a
// container the user can resume rather than one frozen unseen.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {Transform} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {C32Error} from '../errors.js';
import {driverContext, type Lifecycle, save, trySave} from '../lifecycle/context.js';
import {reconcileLocked} from '../lifecycle/reconcile.js';
import {paused} from '../lifecycle/transitions.js';
import {containerRootOnHost} from '../oci/user-namespace.js';
import type {ContainerRecord} from '../record.js';
import type {ResolvedConfig} from '../types.js';
import {applyChanges} from './changes.js';
import {packLayer} from './layer-pack.js';
import type {NewLayer} from './new-image.js';
import {emptyRuntimeConfig} from './oci-json.js';
import {localName} from './reference.js';
import type {ImageStore} from './store.js';
import type {ChangeOptions, ImageSummary, OciImageConfig, TransferOptions} from './types.js';

export async function commitContainer(
	lc: Lifecycle,
	store: ImageStore,
	id: string,
	name: string,
	options: ChangeOptions & TransferOptions = {},
): Promise<ImageSummary> {
	// A malformed name or --change fails before the container is paused.
	localName(name);
	applyChanges(emptyRuntimeConfig(), options.changes ?? []);
	let layer: NewLayer | null = null;
	let record: ContainerRecord | undefined;
	try {
		await lc.store.withContainerLock(id, async () => {
			record = await reconcileLocked(lc, id);
			commitImageOf(record);
			layer = await packPaused(lc, record, options);
		});
		const committed = record!;
		const parent = committed.config.ociImage!;
		const parentConfig = await store
			.resolve(parent.id)
			.then((found) => found.config)
			.catch(() => null);
		return await store.addImage({
			parent: parent.id,
			layer,
			config: applyChanges(imageConfigOf(committed.config, parentConfig), options.changes ?? []),
			name,
			history: `c32 commit ${committed.metadata.name}`,
		});
	} finally {
		if (layer !== null) fs.rmSync((layer as NewLayer).file, {force: true});
	}
}

/** The image a container's root is made of; refused for a root of the host's trees, or one with a host-path image at /app. */
function commitImageOf(record: ContainerRecord): NonNullable<ResolvedConfig['ociImage']> {
	const {config, metadata} = record;
	if (config.ociImage === null || config.ociImage === undefined) {
		throw new C32Error(
			'UNSUPPORTED',
			`container ${metadata.name} runs on the host's own trees, not on an OCI image: only a container of an image can be committed (c32 run IMAGE)`,
		);
	}
	if (config.image !== null) {
		throw new C32Error(
			'UNSUPPORTED',
			`container ${metadata.name} has a host-path image at /app over its OCI image (--base), which a layer of the image cannot hold: commit a container run from the image itself`,
		);
	}
	return config.ociImage;
}

/** Packs the container's upper layer into a file of the storage root, paused while it runs. Null: strict has no upper. */
async function packPaused(lc: Lifecycle, record: ContainerRecord, options: TransferOptions): Promise<NewLayer | null> {
	const ctx = driverContext(lc, record);
	const upper = ctx.paths.layers.upper;
	if (!fs.existsSync(upper)) return null;
	const running = record.metadata.state === 'running';
	const driver = running ? await lc.services.driverFor(record) : null;
	let current = record;
	if (driver) {
		await driver.pause(ctx);
		current = paused(record, true);
		await save(lc, current).catch(async (error) => {
			await driver.resume(ctx);
			throw error;
		});
	}
	try {
		return await packToFile(lc.layout.storageDir, upper, containerRootOnHost(record.config).uid, record.metadata.name, options);
	} finally {
		if (driver) {
			await driver.resume(ctx);
			await trySave(lc, paused(current, false), 'resume after commit');
		}
	}
}

async function packToFile(storageDir: string, upper: string, idShift: number, name: string, options: TransferOptions): Promise<NewLayer> {
	const file = path.join(storageDir, `.commit-${process.pid}-${randomBytes(6).toString('hex')}.tar.gz`);
	let done = 0;
	const counter = new Transform({
		transform(chunk: Buffer, _encoding, callback) {
			done += chunk.length;
			options.onProgress?.({phase: 'writing', done, total: null, item: name});
			callback(null, chunk);
		},
	});
	try {
		const output = fs.createWriteStream(file, {mode: 0o600, flags: 'wx'});
		const [packed] = await Promise.all([packLayer(upper, counter, {idShift}), pipeline(counter, output)]);
		return {file, digest: packed.digest, diffId: packed.diffId, size: packed.size};
	} catch (error) {
		fs.rmSync(file, {force: true});
		if (error instanceof C32Error) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOSPC' || code === 'EDQUOT') {
			throw new C32Error('NO_SPACE', `no space left to write the layer of ${name} under ${storageDir}: free some space and try again`);
		}
		throw new C32Error('RUNTIME_ERROR', `cannot pack the layer of ${name}: ${(error as Error).message}`);
	}
}

/**
 * The config of the committed image: what the container runs with. The command keeps the
 * parent's Entrypoint when the container's command still starts with it, so arguments given
 * to the new image replace only its Cmd, as they did for the parent.
 */
export function imageConfigOf(config: ResolvedConfig, parent: OciImageConfig | null): OciImageConfig {
	const argv = [config.entrypoint, ...config.args];
	const entrypoint = parent?.entrypoint ?? null;
	const keepsEntrypoint = entrypoint !== null && entrypoint.length > 0 && entrypoint.every((word, i) => argv[i] === word);
	const {uid, gid, lookup} = config.user;
	return {
		entrypoint: keepsEntrypoint ? entrypoint : null,
		cmd: keepsEntrypoint ? argv.slice(entrypoint.length) : argv,
		env: Object.entries(config.environment).map(([key, value]) => `${key}=${value}`),
		workingDir: config.workingDir,
		user: lookup ?? (uid === 0 && gid === 0 ? null : `${uid}:${gid}`),
		stopSignal: config.stopSignal === 'SIGTERM' ? (parent?.stopSignal ?? null) : config.stopSignal,
		labels: {...(parent?.labels ?? {}), ...config.labels},
		exposedPorts: parent?.exposedPorts ?? [],
	};
}
