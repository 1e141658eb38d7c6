// The keyboard-driven UI state: keys go through the pure reducer, effects are carried out
// here, and action results land in the status line.

import type {Key} from 'ink';
import {useCallback, useEffect, useRef, useState} from 'react';
import {formatInterval} from '../model/format.js';
import type {Selection} from '../model/selection.js';
import {type Effect, handleKey, initialUiState, type KeyContext, selectionChanged, splitInput, type UiState} from '../model/ui-state.js';
import {type Prefs, type PrefsStore, stepInterval} from '../prefs.js';
import type {ActionRunner} from '../store/action-runner.js';
import type {DashboardStore} from '../store/dashboard-store.js';
import type {ShellRunner} from '../store/shell-runner.js';

export interface UiDeps {
	initialPrefs: Prefs;
	actions: ActionRunner;
	shell: ShellRunner;
	prefs: PrefsStore;
	store: DashboardStore;
	onQuit: () => void;
}

function prefsOf(ui: UiState): Prefs {
	return {
		sortColumn: ui.sort.column,
		sortDescending: ui.sort.descending,
		intervalMs: ui.intervalMs,
		showGraphs: ui.showGraphs,
		showDetails: ui.showDetails,
	};
}

export function useUiState({initialPrefs, actions, shell, prefs, store, onQuit}: UiDeps) {
	const [ui, setUi] = useState(() =>
		initialUiState({
			sort: {column: initialPrefs.sortColumn, descending: initialPrefs.sortDescending},
			showGraphs: initialPrefs.showGraphs,
			showDetails: initialPrefs.showDetails,
			intervalMs: initialPrefs.intervalMs,
		}),
	);
	// Keys can arrive faster than renders: each one must see the state the previous one left.
	const uiRef = useRef(ui);
	const update = useCallback((next: UiState) => {
		uiRef.current = next;
		setUi(next);
	}, []);

	useEffect(() => {
		actions.onStatus = (status) => update({...uiRef.current, status});
		shell.onStatus = (status) => update({...uiRef.current, status});
	}, [actions, shell, update]);

	const runEffect = useCallback(
		(effect: Effect) => {
			switch (effect.type) {
				case 'quit':
					onQuit();
					return;
				case 'action':
					actions.run(effect);
					return;
				case 'exec':
					void shell.open(effect);
					return;
				case 'save-prefs':
					prefs.save(prefsOf(uiRef.current));
					return;
				case 'interval': {
					const intervalMs = stepInterval(uiRef.current.intervalMs, effect.direction);
					update({...uiRef.current, intervalMs, status: {text: `Refreshing every ${formatInterval(intervalMs)}`, tone: 'info'}});
					store.setIntervalMs(intervalMs);
					prefs.save(prefsOf(uiRef.current));
				}
			}
		},
		[actions, onQuit, prefs, shell, store, update],
	);

	const pressKey = useCallback(
		(input: string, key: Key, context: KeyContext) => {
			// Keys read while `e`'s command takes the terminal were typed for it, not for the dashboard.
			if (shell.busy) return;
			for (const [one, oneKey] of splitInput(input, key)) {
				if (shell.busy) return;
				const result = handleKey(uiRef.current, one, oneKey, context);
				if (result.state !== uiRef.current) update(result.state);
				for (const effect of result.effects) runEffect(effect);
			}
		},
		[runEffect, shell, update],
	);

	return {ui, uiRef, update, pressKey};
}

/**
 * Remembers where the selection is after a render, so that if its container goes away the
 * selection lands on whatever took its place. A key pressed since that render wins.
 */
export function useKeepSelection(ui: UiState, resolved: Selection, uiRef: {current: UiState}, update: (next: UiState) => void): void {
	const rendered = ui.selection;
	// biome-ignore lint/correctness/useExhaustiveDependencies: the selection's id and index are what matter, not the object
	useEffect(() => {
		const current = uiRef.current;
		if (current.selection !== rendered) return;
		if (current.selection.id === resolved.id && current.selection.index === resolved.index) return;
		update(selectionChanged(current, resolved));
	}, [resolved.id, resolved.index, rendered, uiRef, update]);
}
