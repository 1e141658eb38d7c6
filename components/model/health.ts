// How the dashboard shows a container's health checks: the HEALTH cell and the details line.
import type {ContainerHealth, ContainerMetadata} from '../../engine/index.js';
import {fit, formatAge} from './format.js';
import type {Segment} from './segments.js';

const TONE = {healthy: 'ok', starting: 'info', unhealthy: 'bad'} as const;

/** The HEALTH cell: the status while it runs ("-" without a check); unhealthy is red, and bold so it shows without colour. */
export function healthCell(meta: ContainerMetadata, width: number): Segment[] {
	const status = meta.state === 'running' ? meta.health?.status : undefined;
	if (status === undefined) return [{text: fit('-', width), tone: 'dim'}];
	return [{text: fit(status, width), tone: TONE[status], bold: status === 'unhealthy'}];
}

/** Sorting: unhealthy first when descending, containers without a check last. */
export function healthRank(meta: ContainerMetadata): number {
	const status = meta.health?.status;
	return status === 'unhealthy' ? 3 : status === 'starting' ? 2 : status === 'healthy' ? 1 : 0;
}

/** The details line: the status, the streak, the last results' exit codes and the latest output's first line. */
export function healthFields(health: ContainerHealth, now: number): Segment[] {
	const last = health.log.at(-1);
	const codes = health.log.map((entry) => (entry.exitCode === -1 ? 'timeout' : String(entry.exitCode))).join(' ');
	const output = last?.output.split('\n').find((line) => line.trim() !== '') ?? '';
	const streak = health.failingStreak > 0 ? ` (${health.failingStreak} failing)` : '';
	return [
		{text: 'health ', tone: 'dim'},
		{text: `${health.status}${streak}`, tone: TONE[health.status], bold: health.status === 'unhealthy'},
		{text: '   '},
		{text: 'checks ', tone: 'dim'},
		{text: codes || 'none yet'},
		...(last ? [{text: `, last ${formatAge(Math.max(0, now - Date.parse(last.end)))} ago`, tone: 'dim' as const}] : []),
		...(output ? [{text: '   '}, {text: 'output ', tone: 'dim' as const}, {text: output}] : []),
	];
}
