// Creating a container: validate its config, snapshot its image, then write its record and
// its index entry under the index lock, so of two creates with one name exactly one wins.
// Nothing is left behind when any step fails.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {snapshotImage} from '../image.js';
import {containerUserOnHost} from '../oci/user-namespace.js';
import {imagesDir} from '../paths.js';
import type {ContainerRecord} from '../record.js';
import type {ContainerConfig, ResolvedConfig} from '../types.js';
import {type Lifecycle, now, save} from './context.js';
import {newRecord} from './transitions.js';

export async function create(lc: Lifecycle, input: ContainerConfig): Promise<ContainerRecord> {
	const id = randomBytes(32).toString('hex');
	const config = await validateForCreate(lc, input, id);

	const imageDir = config.image === null ? null : snapshotImage(imagesDir(lc.layout), config.image, containerUserOnHost(config));
	const draft = newRecord(id, config, imageDir, '', now());
	const record: ContainerRecord = {...draft, metadata: {...draft.metadata, runtime: (await lc.services.driverFor(draft)).name}};

	return lc.store.withIndexLock(async () => {
		const names = lc.store.readIndex();
		const holder = names[config.name];
		// An entry whose directory is gone is the rest of an interrupted remove.
		if (holder && lc.store.inspectRecord(holder) !== null) {
			collectImage(lc, imageDir, names);
			throw new C32Error(
				'NAME_IN_USE',
				`the name ${JSON.stringify(config.name)} is already in use: remove that container or pick another name`,
			);
		}
		try {
			await save(lc, record);
			await lc.store.writeIndex({...names, [config.name]: id});
		} catch (error) {
			fs.rmSync(lc.store.containerDir(id), {recursive: true, force: true});
			collectImage(lc, imageDir, names);
			throw error;
		}
		return record;
	});
}

/** Create's whole validation, nothing created: the schema, the host, the image store, the driver and the limits. */
export async function validateForCreate(lc: Lifecycle, input: ContainerConfig, id: string): Promise<ResolvedConfig> {
	// The schema and the host probes are loaded by the commands that create, not by every command.
	const [{validateConfig, parseContainerConfig}, {liveHostFacts}, {imageReference}] = await Promise.all([
		import('../schema.js'),
		import('../live-host-facts.js'),
		import('../config.js'),
	]);
	const host = liveHostFacts();
	// An OCI image is looked up in the store first: the config's defaults come from it.
	const ref = imageReference(parseContainerConfig(input), host);
	const image = ref === null ? null : await lc.services.images.resolve(ref);
	const config = validateConfig(
		input,
		(parsed) => defaultName(parsed, id),
		host,
		() => image,
	);
	await lc.services.requireDriver(config.isolationLevel);
	await lc.services.checkLimits(config);
	return config;
}

/** Removes an image snapshot no container in `names` uses. Call under the index lock. */
export function collectImage(lc: Lifecycle, imageDir: string | null, names: Record<string, string>): void {
	if (imageDir === null) return;
	const inUse = Object.values(names).some((id) => {
		const read = lc.store.inspectRecord(id);
		// A damaged record may still use it: keep the snapshot until that container is removed.
		return read !== null && (!('record' in read) || read.record.internal.imageDir === imageDir);
	});
	if (!inUse) fs.rmSync(imageDir, {recursive: true, force: true});
}

function defaultName(input: ContainerConfig, id: string): string {
	// A reference's tag and digest are not part of its name ("team/bot:1" gives "bot").
	const given = typeof input?.image === 'string' ? input.image : '';
	const image = /^[/.~]/.test(given) ? given : given.replace(/@.*$/, '').replace(/:[^/]*$/, '');
	const base = image
		? path
				.basename(image)
				.replace(/\.[^.]*$/, '')
				.replace(/[^a-zA-Z0-9_.-]/g, '')
		: '';
	return `${/^[a-zA-Z0-9]/.test(base) ? base.slice(0, 100) : 'c32'}-${id.slice(0, 6)}`;
}
