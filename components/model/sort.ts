// Sorting and filtering the table. Ties always fall back to the name so the order is stable
// between ticks and rows do not swap places for no visible reason.
import type {ContainerState, IsolationType} from '../../engine/index.js';
import type {ColumnId} from './columns.js';
import {healthRank} from './health.js';
import type {ContainerRow} from './row.js';

export interface SortOrder {
	column: ColumnId;
	descending: boolean;
}

const STATE_RANK: Record<ContainerState, number> = {
	running: 0,
	paused: 1,
	restarting: 2,
	created: 3,
	damaged: 4,
	failed: 5,
	exited: 6,
	stopped: 7,
};

const ISOLATION_RANK: Record<IsolationType, number> = {minimal: 0, standard: 1, strict: 2};

function time(iso: string | null): number {
	if (!iso) return 0;
	const value = Date.parse(iso);
	return Number.isNaN(value) ? 0 : value;
}

/** Whether ordering by `column` needs every container's sample, not only those of the rows on screen. */
export function orderNeedsMetrics(column: ColumnId): boolean {
	return column === 'cpu' || column === 'mem' || column === 'pids' || column === 'io';
}

/** A number that grows with the column's value; rows without a value sort as the smallest. */
function numericKey(row: ContainerRow, column: ColumnId): number {
	const {meta, metrics} = row;
	switch (column) {
		case 'cpu':
			return metrics ? metrics.cpuPercent : -1;
		case 'mem':
			return metrics ? metrics.memoryMb : -1;
		case 'pids':
			return metrics ? metrics.pids : -1;
		case 'io':
			return metrics ? metrics.blockReadBytes + metrics.blockWriteBytes : -1;
		case 'restarts':
			return meta.restartCount;
		case 'state':
			return STATE_RANK[meta.state] + (meta.oomKilled ? 0.5 : 0);
		case 'isolation':
			return ISOLATION_RANK[meta.isolationLevel];
		case 'health':
			return healthRank(meta);
		case 'ip':
			return ipv4Number(row.address);
		case 'uptime':
			// Running longest first when descending; exited ones after, most recently exited first.
			return meta.state === 'running' || meta.state === 'paused'
				? Number.MAX_SAFE_INTEGER / 2 - time(meta.startedAt)
				: time(meta.finishedAt) - Number.MAX_SAFE_INTEGER / 2;
		default:
			return 0;
	}
}

/** 10.90.0.2 sorts before 10.90.0.10; rows without an address sort as the smallest. */
function ipv4Number(address: string | null): number {
	const parts = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address ?? '');
	return parts ? parts.slice(1).reduce((sum, part) => sum * 256 + Number(part), 0) : -1;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: ContainerRow, b: ContainerRow) => compareText(a.meta.name, b.meta.name);

/** What a row sorts by in `column`: text for the text columns, else a number that grows with the value. */
export type SortKey = number | string;

export function sortKey(row: ContainerRow, column: ColumnId): SortKey {
	if (column === 'name') return row.meta.name;
	if (column === 'id') return row.meta.id;
	if (column === 'image') return row.meta.image ?? '';
	return numericKey(row, column);
}

function compareKeys(a: SortKey, b: SortKey): number {
	return typeof a === 'number' && typeof b === 'number' ? a - b : compareText(String(a), String(b));
}

export function compareRows(a: ContainerRow, b: ContainerRow, order: SortOrder): number {
	let result = compareKeys(sortKey(a, order.column), sortKey(b, order.column));
	if (order.descending) result = -result;
	return result !== 0 ? result : byName(a, b);
}

/**
 * A sorted order and what it was computed from. The keys are computed once a row, and a
 * tick that changed no key (the same rows in the same order: a sort by name while metrics
 * change, say) reuses the order instead of sorting again.
 */
export interface SortedRows {
	rows: ContainerRow[];
	order: SortOrder;
	ids: string[];
	keys: SortKey[];
	/** rows[i] is the input's permutation[i]. */
	permutation: number[];
}

function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
	if (a.length !== b.length) return false;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
	return true;
}

export function sortRowsFrom(previous: SortedRows | null, rows: readonly ContainerRow[], order: SortOrder): SortedRows {
	const ids = rows.map((row) => row.meta.id);
	const keys = rows.map((row) => sortKey(row, order.column));
	let permutation: number[];
	if (
		previous &&
		previous.order.column === order.column &&
		previous.order.descending === order.descending &&
		sameList(previous.ids, ids) &&
		sameList(previous.keys, keys)
	) {
		permutation = previous.permutation;
	} else {
		const sign = order.descending ? -1 : 1;
		permutation = rows.map((_, index) => index);
		permutation.sort((a, b) => {
			const result = sign * compareKeys(keys[a]!, keys[b]!);
			return result !== 0 ? result : byName(rows[a]!, rows[b]!);
		});
	}
	return {rows: permutation.map((index) => rows[index]!), order, ids, keys, permutation};
}

export function sortRows(rows: readonly ContainerRow[], order: SortOrder): ContainerRow[] {
	return sortRowsFrom(null, rows, order).rows;
}

/** Case-insensitive substring match on what a person would type: name, id, image, state, isolation, labels; or stack:NAME. */
export function rowMatcher(query: string): (row: ContainerRow) => boolean {
	const needle = query.trim().toLowerCase();
	if (!needle) return () => true;
	// "stack:NAME": the containers of that stack (c32 up), exactly.
	if (needle.startsWith('stack:')) {
		const stack = needle.slice('stack:'.length).trim();
		return (row) => (row.meta.labels['c32.stack'] ?? '').toLowerCase() === stack;
	}
	return (row) => {
		const {meta} = row;
		const haystack = [
			meta.name,
			meta.id,
			meta.image ?? '',
			meta.state,
			meta.oomKilled ? 'oom' : '',
			meta.isolationLevel,
			// An address, so "10.90.1." finds a network's containers; not the words host and none.
			ipv4Number(row.address) >= 0 ? row.address! : '',
			...Object.entries(meta.labels).map(([key, value]) => `${key}=${value}`),
		];
		return haystack.some((text) => text.toLowerCase().includes(needle));
	};
}

export function matchesFilter(row: ContainerRow, query: string): boolean {
	return rowMatcher(query)(row);
}

export function visibleRows(rows: readonly ContainerRow[], filter: string, order: SortOrder): ContainerRow[] {
	return sortRows(rows.filter(rowMatcher(filter)), order);
}
