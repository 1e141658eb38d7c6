// How a container is shown: short ids, docker-style status words, the stable JSON shape.
import type {ContainerMetadata, ContainerState} from '../../engine/index.js';
import type {Palette} from './color.js';
import {ago, humanDuration} from './duration.js';

export const SHORT_ID_LENGTH = 12;

export function shortId(id: string): string {
	return id.slice(0, SHORT_ID_LENGTH);
}

/** "Up 3 minutes", "Up 3 minutes (healthy)", "Up 2 hours (Paused)", "Exited (137) 2 seconds ago, OOM", "Created". */
export function statusText(container: ContainerMetadata, now: Date): string {
	const restarts = container.restartCount > 0 ? `, ${plural(container.restartCount, 'restart')}` : '';
	switch (container.state) {
		case 'created':
			return 'Created';
		case 'running': {
			const health = container.health ? ` (${container.health.status})` : '';
			return `Up ${upFor(container, now)}${health}${restarts}`;
		}
		case 'paused':
			return `Up ${upFor(container, now)} (Paused)${restarts}`;
		case 'stopped':
		case 'exited': {
			const word = container.state === 'stopped' ? 'Stopped' : 'Exited';
			const when = container.finishedAt ? ` ${ago(container.finishedAt, now)}` : '';
			const oom = container.oomKilled ? ', OOM' : '';
			return `${word} (${container.exitCode ?? '?'})${when}${oom}${restarts}`;
		}
		case 'restarting': {
			const at = container.nextRestartAt ? Date.parse(container.nextRestartAt) - now.getTime() : 0;
			if (container.crashLoop) return `Restarting (crash loop, next in ${compactDelay(at)})${restarts}`;
			const code = `(${container.exitCode ?? '?'})`;
			return at > 500 ? `Restarting ${code} in ${humanDuration(at)}${restarts}` : `Restarting ${code}${restarts}`;
		}
		case 'failed':
			return container.finishedAt ? `Failed ${ago(container.finishedAt, now)}` : 'Failed';
		case 'damaged':
			return 'Damaged (rm -f to remove)';
	}
}

/** "30s", "5m", "2h": the wait of a crash loop, short enough for a status cell. */
export function compactDelay(ms: number): string {
	const seconds = Math.max(0, Math.ceil(ms / 1000));
	if (seconds < 120) return `${seconds}s`;
	if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
	return `${Math.round(seconds / 3600)}h`;
}

function upFor(container: ContainerMetadata, now: Date): string {
	return container.startedAt ? humanDuration(now.getTime() - Date.parse(container.startedAt)) : 'Less than a second';
}

function plural(count: number, word: string): string {
	return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The colour of a status cell: what a state means at a glance. */
export function statusStyle(state: ContainerState, exitCode: number | null, colors: Palette): (text: string) => string {
	switch (state) {
		case 'running':
			return colors.green;
		case 'paused':
			return colors.yellow;
		case 'failed':
		case 'damaged':
			return colors.red;
		case 'restarting':
			return colors.yellow;
		case 'stopped':
		case 'exited':
			return exitCode === 0 ? colors.dim : colors.red;
		default:
			return (text) => text;
	}
}

export function isActive(container: ContainerMetadata): boolean {
	return container.state === 'running' || container.state === 'paused';
}

/** The documented `ps --json` object (docs/cli.md); new fields may be added, none removed. */
export const CONTAINER_JSON_FIELDS = [
	'id',
	'name',
	'state',
	'pid',
	'exitCode',
	'oomKilled',
	'errorMessage',
	'image',
	'isolationLevel',
	'runtime',
	'createdAt',
	'startedAt',
	'finishedAt',
	'restartCount',
	'nextRestartAt',
	'labels',
] as const satisfies readonly (keyof ContainerMetadata)[];

export type ContainerJson = Pick<ContainerMetadata, (typeof CONTAINER_JSON_FIELDS)[number]>;

export function containerJson(container: ContainerMetadata): ContainerJson {
	return pick(container, CONTAINER_JSON_FIELDS);
}

/** A copy with only `fields`, in their order: what the documented JSON promises, nothing more. */
export function pick<T extends object, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
	return Object.fromEntries(fields.map((field) => [field, value[field]])) as Pick<T, K>;
}

/** Newest first, as `docker ps` lists. */
export function newestFirst<T extends ContainerMetadata>(containers: T[]): T[] {
	return [...containers].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}
