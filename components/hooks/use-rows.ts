// The table's rows: every container joined with its latest sample, its CPU limit and any
// action in flight; then the filtered and sorted ones, and the selection among them.
import {useMemo, useRef} from 'react';
import type {ContainerInfo} from '../../engine/index.js';
import {addressOf, type ContainerRow} from '../model/row.js';
import {resolveSelection, type Selection} from '../model/selection.js';
import {rowMatcher, type SortedRows, type SortOrder, sortRowsFrom} from '../model/sort.js';
import type {Verb} from '../model/ui-state.js';
import {progressWord} from '../store/action-runner.js';
import type {Snapshot} from '../store/dashboard-store.js';

export interface Rows {
	all: ContainerRow[];
	shown: ContainerRow[];
	selection: Selection;
	selected: ContainerRow | null;
}

interface InfoFacts {
	cpuLimitPercent: number | null;
	address: string | null;
}

// An inspected config stays the same object until the container is inspected again, so what
// a row takes from it is worked out once, not on every tick.
const factsOfInfo = new WeakMap<ContainerInfo, InfoFacts>();

function infoFacts(info: ContainerInfo | undefined): InfoFacts {
	if (!info) return {cpuLimitPercent: null, address: null};
	let facts = factsOfInfo.get(info);
	if (!facts) {
		facts = {cpuLimitPercent: info.config.resourceLimits.cpuLimitPercent ?? null, address: addressOf(info)};
		factsOfInfo.set(info, facts);
	}
	return facts;
}

export function useRows(snapshot: Snapshot, pending: ReadonlyMap<string, Verb>, filter: string, sort: SortOrder, wanted: Selection): Rows {
	const all = useMemo(
		(): ContainerRow[] =>
			snapshot.containers.map((meta) => {
				const verb = pending.get(meta.id);
				const facts = infoFacts(snapshot.infos.get(meta.id));
				return {
					meta,
					metrics: snapshot.metrics.get(meta.id) ?? null,
					cpuLimitPercent: facts.cpuLimitPercent,
					address: facts.address,
					pending: verb ? progressWord(verb) : null,
				};
			}),
		[snapshot, pending],
	);
	const sorted = useRef<SortedRows | null>(null);
	const shown = useMemo(() => {
		sorted.current = sortRowsFrom(sorted.current, all.filter(rowMatcher(filter)), sort);
		return sorted.current.rows;
	}, [all, filter, sort]);
	const selection = useMemo(() => {
		const ids = shown.map((row) => row.meta.id);
		return resolveSelection(ids, wanted.id, wanted.index);
	}, [shown, wanted.id, wanted.index]);
	return {all, shown, selection, selected: shown[selection.index] ?? null};
}
