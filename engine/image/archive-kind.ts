// What a file handed to import or load holds, told apart by its content (not its name).
import fs from 'node:fs';
import {C32Error} from '../errors.js';
import {lookIntoTar, readHead} from './tar-scan.js';
import type {ArchiveKind} from './types.js';

export const NOT_AN_ARCHIVE =
	'is not an image archive: give an oci-archive or docker-archive (c32 save, podman save, docker save), a root filesystem tar, or the JSON of c32 export';

/** JSON (first non-space byte "{") → container-state; a tar → by the files at its top level. */
export async function archiveKind(file: string): Promise<ArchiveKind> {
	let head: Buffer;
	try {
		if (!fs.statSync(file).isFile())
			throw new C32Error('TRANSPORT_FAILED', `${file} is not a file: ${NOT_AN_ARCHIVE.replace('is not an image archive: ', '')}`);
		head = await readHead(file, 4096);
	} catch (error) {
		if (error instanceof C32Error) throw error;
		throw new C32Error('TRANSPORT_FAILED', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	if (head.toString('utf8').trimStart().startsWith('{')) return 'container-state';
	const look = await lookIntoTar(file);
	if (look === null) throw new C32Error('TRANSPORT_FAILED', `${file} ${NOT_AN_ARCHIVE}`);
	if (look.topLevel.has('c32-state.json')) return 'container-archive';
	if (look.topLevel.has('oci-layout')) return 'oci-archive';
	if (look.topLevel.has('manifest.json')) return 'docker-archive';
	return 'rootfs';
}
