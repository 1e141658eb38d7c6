// c32 export --with-image: a container's state (c32-state.json, the ExportedState) and its
// image as an OCI layout (oci-layout, index.json, blobs/) in one tar, so the file is also a
// valid oci-archive. Importing it loads the image into this store, then creates the
// container from the state, so it works in another storage root or on another machine.
import {execFile} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {C32Error} from '../errors.js';
import type {ContainerMetadata, ExportedState} from '../types.js';
import type {ImageStore} from './store.js';
import {lookIntoTar} from './tar-scan.js';
import type {TransferOptions} from './types.js';

const run = promisify(execFile);
export const STATE_MEMBER = 'c32-state.json';
const STATE_MAX_BYTES = 4 * 1024 * 1024;

/** Writes the archive to `file`: it appears whole or not at all. */
export async function exportContainerArchive(store: ImageStore, storageDir: string, state: ExportedState, file: string): Promise<void> {
	const image = state.config.ociImage ?? null;
	if (image === null) {
		throw new C32Error(
			'UNSUPPORTED',
			`container ${state.metadata.name} runs on the host's own trees and has no OCI image to carry: export it without --with-image`,
		);
	}
	const target = path.resolve(file);
	const staging = path.join(storageDir, `.export-${process.pid}-${randomBytes(6).toString('hex')}`);
	const partial = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.part`);
	try {
		fs.mkdirSync(staging, {mode: 0o700});
		await store.exportArchive(image.id, staging);
		fs.writeFileSync(path.join(staging, STATE_MEMBER), `${JSON.stringify(state, null, 2)}\n`, {mode: 0o600, flag: 'wx'});
		// The state first, where a reader finds it at once. GNU tar follows no symlink unless told (-h).
		await run(
			'tar',
			['--create', '--numeric-owner', '--file', partial, '--directory', staging, STATE_MEMBER, 'oci-layout', 'index.json', 'blobs'],
			{
				env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'},
				maxBuffer: 1024 * 1024,
			},
		);
		fs.chmodSync(partial, 0o600);
		fs.renameSync(partial, target);
	} catch (error) {
		fs.rmSync(partial, {force: true});
		throw archiveError(error, `cannot write ${target}`);
	} finally {
		fs.rmSync(staging, {recursive: true, force: true});
	}
}

/** What importContainerArchive needs of the engine. */
export interface ArchiveImport {
	/** Throws NAME_IN_USE when the name is taken. */
	checkName(name: string): void;
	/** Creates the container of an exported state (importContainerState). */
	importState(state: ExportedState): Promise<ContainerMetadata>;
	/** Loads the archive's image into the store (an oci-archive). */
	loadImage(file: string, options?: TransferOptions): Promise<unknown>;
}

/** The state of a container archive; INVALID_CONFIG when the file has none. */
export async function readArchiveState(file: string): Promise<ExportedState> {
	const look = await lookIntoTar(file, [STATE_MEMBER]).catch((error) => {
		throw archiveError(error, `cannot read ${file}`);
	});
	const content = look?.files.get(STATE_MEMBER);
	if (content === undefined || content.length > STATE_MAX_BYTES) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${file} is not a container archive (no ${STATE_MEMBER} in it): give a file of c32 export --with-image`,
		);
	}
	try {
		return JSON.parse(content.toString('utf8')) as ExportedState;
	} catch {
		throw new C32Error('INVALID_CONFIG', `the ${STATE_MEMBER} of ${file} is not valid JSON: export the container again`);
	}
}

/**
 * Imports a container archive: the name is checked first, the image loaded (unless the store
 * has it), then the container created. When the container cannot be created, an image this
 * import brought in is removed again: nothing is left.
 */
export async function importContainerArchive(
	store: ImageStore,
	engine: ArchiveImport,
	file: string,
	options: TransferOptions & {name?: string} = {},
): Promise<ContainerMetadata> {
	const exported = await readArchiveState(file);
	const state = options.name === undefined ? exported : renamed(exported, options.name);
	const [{parseExportedConfig}, {FORMAT_VERSION}] = await Promise.all([import('../schema.js'), import('../record.js')]);
	const config = parseExportedConfig(state, FORMAT_VERSION);
	if (config.ociImage === null) {
		throw new C32Error('INVALID_CONFIG', `${file} holds a container without an OCI image: import its state JSON instead`);
	}
	engine.checkName(config.name);
	const known = await store.resolve(config.ociImage.id).then(
		() => true,
		() => false,
	);
	if (!known) await engine.loadImage(file, options);
	try {
		return await engine.importState(state);
	} catch (error) {
		if (!known) await store.remove([config.ociImage.id], {force: true}).catch(() => {});
		throw error;
	}
}

/** The state under another name (import --name); the name is checked with the rest of the config. */
function renamed(state: ExportedState, name: string): ExportedState {
	if (typeof state !== 'object' || state === null) return state;
	return {...state, config: {...state.config, name}, metadata: {...state.metadata, name}};
}

function archiveError(error: unknown, what: string): Error {
	if (error instanceof C32Error) return error;
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOSPC' || code === 'EDQUOT' || /No space left/.test(String((error as {stderr?: string}).stderr ?? ''))) {
		return new C32Error('NO_SPACE', `${what}: no space left on the device; free some space and try again`);
	}
	const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
	return new C32Error('RUNTIME_ERROR', `${what}: ${stderr.split('\n').pop() || (error as Error).message}`);
}
