// `c32 stats` rows and the documented `stats --json` object.
import type {ContainerMetrics} from '../../engine/index.js';
import {pick, shortId} from './container-view.js';
import {formatBinaryBytes, formatDecimalBytes} from './size.js';
import {renderTable} from './table.js';

const MB = 1024 * 1024;

export const STATS_HEADERS = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'PIDS', 'BLOCK I/O'];

/** hostMemoryMb stands in for the limit of a container that has none, as docker shows it. */
export function statsTable(samples: ContainerMetrics[], hostMemoryMb: number): string {
	const rows = samples.map((m) => {
		const limitMb = m.memoryLimitMb ?? hostMemoryMb;
		const memoryPercent = limitMb > 0 ? (m.memoryMb / limitMb) * 100 : 0;
		return [
			shortId(m.id),
			m.name,
			`${m.cpuPercent.toFixed(2)}%`,
			`${formatBinaryBytes(m.memoryMb * MB)} / ${formatBinaryBytes(limitMb * MB)}`,
			`${memoryPercent.toFixed(2)}%`,
			String(m.pids),
			`${formatDecimalBytes(m.blockReadBytes)} / ${formatDecimalBytes(m.blockWriteBytes)}`,
		];
	});
	return renderTable(STATS_HEADERS, rows);
}

/** The documented `stats --json` object (docs/cli.md). */
export const STATS_JSON_FIELDS = [
	'name',
	'id',
	'cpuPercent',
	'memoryMb',
	'memoryLimitMb',
	'pids',
	'blockReadBytes',
	'blockWriteBytes',
	'timestamp',
] as const satisfies readonly (keyof ContainerMetrics)[];

export function statsJson(m: ContainerMetrics): Pick<ContainerMetrics, (typeof STATS_JSON_FIELDS)[number]> {
	return pick(m, STATS_JSON_FIELDS);
}

/** Redraws a frame over the previous one: cursor home, each line cleared to its end, rest erased. */
export function inPlaceFrame(text: string, first: boolean): string {
	const body = text.replace(/\n/g, '\x1b[K\n');
	return `${first ? '\x1b[2J' : ''}\x1b[H${body}\x1b[J`;
}
