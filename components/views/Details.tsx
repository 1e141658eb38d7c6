import {memo} from 'react';
import type {ContainerInfo, ContainerMetadata} from '../../engine/index.js';
import {detailsLines, type ImageInfo} from '../model/details.js';
import {Pane, paneTitle} from './Pane.js';

export const Details = memo(function Details({
	meta,
	info,
	now,
	height,
	image,
}: {
	meta: ContainerMetadata | null;
	info: ContainerInfo | null;
	now: number;
	height: number;
	/** The container's OCI image, once inspected (undefined: a host-path image, or not yet). */
	image?: ImageInfo;
}) {
	const title = paneTitle(meta ? `Details ${meta.name}` : 'Details', false, meta ? [{text: `  ${meta.id}`, tone: 'dim'}] : []);
	const lines = meta ? detailsLines(meta, info, now, height - 1, image) : [[{text: 'No container selected', tone: 'dim' as const}]];
	return <Pane title={title} lines={lines} height={height} />;
});
