// The table's rows: every container joined with its latest sample, its CPU limit and any
// action in flight; then the filtered and sorted ones, and the selection among them.
import {useMemo} from 'react';
import {addressOf, type ContainerRow} from '../model/row.js';
import {resolveSelection, type Selection} from '../model/selection.js';
import {type SortOrder, visibleRows} from '../model/sort.js';
import type {Verb} from '../model/ui-state.js';
import {progressWord} from '../store/action-runner.js';
import type {Snapshot} from '../store/dashboard-store.js';

export interface Rows {
	all: ContainerRow[];
	shown: ContainerRow[];
	selection: Selection;
	selected: ContainerRow | null;
}

export function useRows(snapshot: Snapshot, pending: ReadonlyMap<string, Verb>, filter: string, sort: SortOrder, wanted: Selection): Rows {
	const all = useMemo(
		(): ContainerRow[] =>
			snapshot.containers.map((meta) => {
				const verb = pending.get(meta.id);
				const info = snapshot.infos.get(meta.id);
				return {
					meta,
					metrics: snapshot.metrics.get(meta.id) ?? null,
					cpuLimitPercent: info?.config.resourceLimits.cpuLimitPercent ?? null,
					address: addressOf(info),
					pending: verb ? progressWord(verb) : null,
				};
			}),
		[snapshot, pending],
	);
	const shown = useMemo(() => visibleRows(all, filter, sort), [all, filter, sort]);
	const selection = resolveSelection(
		shown.map((row) => row.meta.id),
		wanted.id,
		wanted.index,
	);
	return {all, shown, selection, selected: shown[selection.index] ?? null};
}
