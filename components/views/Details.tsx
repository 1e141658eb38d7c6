import {memo} from 'react';
import type {ContainerInfo, ContainerMetadata} from '../../engine/index.js';
import {detailsLines} from '../model/details.js';
import {Pane, paneTitle} from './Pane.js';

export const Details = memo(function Details({
	meta,
	info,
	now,
	height,
}: {
	meta: ContainerMetadata | null;
	info: ContainerInfo | null;
	now: number;
	height: number;
}) {
	const title = paneTitle(meta ? `Details ${meta.name}` : 'Details', false, meta ? [{text: `  ${meta.id}`, tone: 'dim'}] : []);
	const lines = meta ? detailsLines(meta, info, now, height - 1) : [[{text: 'No container selected', tone: 'dim' as const}]];
	return <Pane title={title} lines={lines} height={height} />;
});
