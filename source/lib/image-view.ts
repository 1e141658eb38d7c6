// How an OCI image is shown: repository and tag split docker's way, short ids, table rows.
import type {ImageSummary} from '../../engine/index.js';
import {ago} from './duration.js';
import {formatDecimalBytes} from './size.js';
import type {Cell} from './table.js';

export const NONE = '<none>';

/** "127.0.0.1:5000/team/bot:1" -> {repository: "127.0.0.1:5000/team/bot", tag: "1"}; a port is no tag. */
export function splitName(name: string): {repository: string; tag: string} {
	const at = name.indexOf('@');
	if (at !== -1) return {repository: name.slice(0, at), tag: NONE};
	const colon = name.lastIndexOf(':');
	if (colon > name.lastIndexOf('/')) return {repository: name.slice(0, colon), tag: name.slice(colon + 1)};
	return {repository: name, tag: NONE};
}

/** "sha256:0123456789abcdef…" -> "0123456789ab", docker's IMAGE ID. */
export function shortImageId(id: string): string {
	return id.replace(/^sha256:/, '').slice(0, 12);
}

function when(image: ImageSummary): number {
	return Date.parse(image.created ?? image.storedAt) || 0;
}

/** Newest first, as docker lists them; `all`: untagged images too. */
export function imagesToShow(images: readonly ImageSummary[], all: boolean): ImageSummary[] {
	return images.filter((image) => all || image.names.length > 0).sort((a, b) => when(b) - when(a));
}

/** One row per name (an image with two tags is two rows); an untagged one is `<none> <none>`. */
export function imageRows(images: readonly ImageSummary[], now: Date, fullIds: boolean): Cell[][] {
	return images.flatMap((image) => {
		const id = fullIds ? image.id : shortImageId(image.id);
		const created = image.created ? ago(image.created, now) : '-';
		const size = formatDecimalBytes(image.size);
		const names = image.names.length > 0 ? image.names.map(splitName) : [{repository: NONE, tag: NONE}];
		return names.map(({repository, tag}) => [repository, tag, id, created, size]);
	});
}

export const IMAGE_HEADERS = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];

/** What a one-line result names an image by: its first name, else its short id. */
export function imageLabel(image: ImageSummary): string {
	return image.names[0] ?? shortImageId(image.id);
}
