// Which containers use which image: read from the container records (config.ociImage.id).
import {containerPaths, type StorageLayout} from '../paths.js';
import {Store} from '../store.js';

export interface ContainerUse {
	id: string;
	name: string;
	/** The image ids its root needs. */
	images: string[];
	/** Its writable layer (what it added to the image). */
	upper: string;
}

/** Every readable container record's image use. A record without `ociImage` uses none. */
export function containerUses(layout: StorageLayout): ContainerUse[] {
	const store = new Store(layout);
	const uses: ContainerUse[] = [];
	for (const id of store.listContainerDirs()) {
		if (!/^[0-9a-f]{64}$/.test(id)) continue;
		const read = store.inspectRecord(id);
		if (read === null || !('record' in read)) continue;
		const config = read.record.config as unknown as Record<string, unknown>;
		// Read defensively: records written before OCI images have no ociImage.
		const image = config['ociImage'] as {id?: unknown} | null | undefined;
		const images = image && typeof image === 'object' && typeof image.id === 'string' ? [image.id] : [];
		uses.push({id, name: read.record.metadata.name, images, upper: containerPaths(layout, id).layers.upper});
	}
	return uses;
}

/** image id → names of the containers that use it. */
export function usersByImage(uses: ContainerUse[]): Map<string, string[]> {
	const map = new Map<string, string[]>();
	for (const use of uses) for (const image of use.images) map.set(image, [...(map.get(image) ?? []), use.name]);
	return map;
}
