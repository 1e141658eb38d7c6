// `c32 ps --filter KEY=VALUE`, as docker reads it: the same key given twice matches either
// value, different keys must all match.
import type {ContainerMetadata} from '../../engine/index.js';
import {CONTAINER_STATES} from '../../engine/types.js';
import {UsageError} from './errors.js';

export type Filters = Map<string, string[]>;

const KEYS = ['name', 'id', 'status', 'label', 'isolation', 'health'] as const;
/** docker's health filter values: none = no health check. */
const HEALTH_VALUES = ['starting', 'healthy', 'unhealthy', 'none'];

export function parseFilters(words: string[]): Filters {
	const filters: Filters = new Map();
	for (const word of words) {
		const at = word.indexOf('=');
		const key = at === -1 ? word : word.slice(0, at);
		const value = at === -1 ? '' : word.slice(at + 1);
		const canonical = key === 'state' ? 'status' : key;
		if (!(KEYS as readonly string[]).includes(canonical) || value === '') {
			throw new UsageError(`invalid filter "${word}": use name=, id=, status=, label=, isolation= or health= with a value`);
		}
		if (canonical === 'health' && !HEALTH_VALUES.includes(value)) {
			throw new UsageError(`invalid health "${value}": use one of ${HEALTH_VALUES.join(', ')}`);
		}
		if (canonical === 'status' && !(CONTAINER_STATES as readonly string[]).includes(value)) {
			throw new UsageError(`invalid status "${value}": use one of ${CONTAINER_STATES.join(', ')}`);
		}
		filters.set(canonical, [...(filters.get(canonical) ?? []), value]);
	}
	return filters;
}

export function matchesFilters(container: ContainerMetadata, filters: Filters): boolean {
	for (const [key, values] of filters) {
		if (!values.some((value) => matches(container, key, value))) return false;
	}
	return true;
}

function matches(container: ContainerMetadata, key: string, value: string): boolean {
	switch (key) {
		case 'name':
			return container.name.includes(value);
		case 'id':
			return container.id.startsWith(value);
		case 'status':
			// As docker's: "exited" is every container that ran and ended by itself or by a
			// user's stop; "stopped" narrows to the latter.
			return container.state === value || (value === 'exited' && container.state === 'stopped');
		case 'isolation':
			return container.isolationLevel === value;
		case 'health':
			return (container.health?.status ?? 'none') === value;
		default: {
			const at = value.indexOf('=');
			if (at === -1) return value in container.labels;
			return container.labels[value.slice(0, at)] === value.slice(at + 1);
		}
	}
}
