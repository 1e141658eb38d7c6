// The dashboard's root: one snapshot per data tick, one UI state changed only by keys and
// action results, and the panes laid out to fit the terminal.
import {useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react';
import {Box, Text, useInput} from 'ink';
import {useExternal} from './hooks/use-external.js';
import {useLogFollow} from './hooks/use-log-follow.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import type {CellContext} from './model/cells.js';
import {fitColumns} from './model/columns.js';
import {computeLayout, MIN_COLUMNS, MIN_ROWS} from './model/layout.js';
import type {ContainerRow} from './model/row.js';
import {resolveSelection} from './model/selection.js';
import {visibleRows} from './model/sort.js';
import {handleKey, initialUiState, selectionChanged, splitInput, type Effect, type KeyContext, type StatusMessage, type UiState} from './model/ui-state.js';
import {formatInterval} from './model/format.js';
import {stepInterval, type Prefs, type PrefsStore} from './prefs.js';
import {progressWord, type ActionRunner} from './store/action-runner.js';
import type {DashboardStore} from './store/dashboard-store.js';
import type {LogFollower} from './store/log-follower.js';
import {ContainerTable} from './views/ContainerTable.js';
import {Details} from './views/Details.js';
import {Graphs} from './views/Graphs.js';
import {Header} from './views/Header.js';
import {HelpOverlay} from './views/HelpOverlay.js';
import {LogSection} from './views/LogSection.js';
import {StatusLine} from './views/StatusLine.js';
import {ScreenWidthContext} from './views/theme.js';

export interface AppProps {
	store: DashboardStore;
	follower: LogFollower;
	actions: ActionRunner;
	prefs: PrefsStore;
	initialPrefs: Prefs;
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

export function App({store, follower, actions, prefs, initialPrefs, onQuit}: AppProps) {
	const size = useTerminalSize();
	const snapshot = useExternal(store);
	const pending = useSyncExternalStore(actions.subscribe, actions.getPending, actions.getPending);
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
	const setStatus = useCallback((status: StatusMessage) => update({...uiRef.current, status}), [update]);

	useEffect(() => {
		actions.onStatus = setStatus;
	}, [actions, setStatus]);

	const allRows = useMemo(
		(): ContainerRow[] =>
			snapshot.containers.map((meta) => {
				const verb = pending.get(meta.id);
				return {
					meta,
					metrics: snapshot.metrics.get(meta.id) ?? null,
					cpuLimitPercent: snapshot.infos.get(meta.id)?.config.resourceLimits.cpuLimitPercent ?? null,
					pending: verb ? progressWord(verb) : null,
				};
			}),
		[snapshot, pending],
	);
	const rows = useMemo(() => visibleRows(allRows, ui.filter, ui.sort), [allRows, ui.filter, ui.sort]);
	const selection = resolveSelection(
		rows.map((row) => row.meta.id),
		ui.selection.id,
		ui.selection.index,
	);
	const selected = rows[selection.index] ?? null;

	// Remember where the selection is now, so that if its container goes away the selection
	// lands on whatever takes its place. A key pressed since this render wins.
	const renderedSelection = ui.selection;
	useEffect(() => {
		const current = uiRef.current;
		if (current.selection !== renderedSelection) return;
		if (current.selection.id === selection.id && current.selection.index === selection.index) return;
		update(selectionChanged(current, selection));
	}, [selection.id, selection.index, renderedSelection, update]);

	useLogFollow(follower, selection.id, selected?.meta.startedAt ?? null);

	const layout = computeLayout({
		columns: size.columns,
		rows: size.rows,
		containerCount: rows.length,
		showGraphs: ui.showGraphs,
		showDetails: ui.showDetails,
		logFullscreen: ui.logFullscreen,
	});
	const tableLayout = useMemo(() => fitColumns(size.columns), [size.columns]);
	const cells = useMemo(
		(): CellContext => ({
			now: snapshot.at || Date.now(),
			hostCpuCount: snapshot.host?.cpuCount ?? 1,
			hostMemoryMb: snapshot.host?.memoryTotalMb ?? 0,
		}),
		[snapshot.at, snapshot.host],
	);

	const context: KeyContext = {
		rows: rows.map((row) => row.meta),
		tableRows: layout.tableRows,
		logRows: layout.logRows,
		logBuffer: follower.buffer,
		logsVisible: layout.logRows > 0,
	};
	const contextRef = useRef(context);
	contextRef.current = context;

	const runEffect = useCallback(
		(effect: Effect) => {
			switch (effect.type) {
				case 'quit':
					onQuit();
					return;
				case 'action':
					actions.run(effect);
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
		[actions, onQuit, prefs, store, update],
	);

	useInput((input, key) => {
		for (const [one, oneKey] of splitInput(input, key)) {
			const result = handleKey(uiRef.current, one, oneKey, contextRef.current);
			if (result.state !== uiRef.current) update(result.state);
			for (const effect of result.effects) runEffect(effect);
		}
	});

	if (layout.tooSmall) {
		return (
			<Text wrap="truncate-end">
				Terminal too small ({size.columns}×{size.rows}); c32 top needs {MIN_COLUMNS}×{MIN_ROWS}. q quits.
			</Text>
		);
	}

	const header = {
		host: snapshot.host,
		containers: snapshot.containers,
		runtime: snapshot.runtime,
		intervalMs: snapshot.intervalMs,
		at: snapshot.at,
		width: size.columns,
	};
	const bodyHeight = layout.height - layout.headerLines - 1;
	const info = selected ? (snapshot.infos.get(selected.meta.id) ?? null) : null;
	const logs = (rowsForLogs: number) => (
		<LogSection
			follower={follower}
			containerId={selected?.meta.id ?? null}
			name={selected?.meta.name ?? null}
			view={ui.logView}
			rows={rowsForLogs}
			width={size.columns}
			focused={ui.focus === 'logs'}
			search={ui.search}
			currentMatch={ui.currentMatch}
		/>
	);

	let body;
	if (ui.mode === 'help') body = <HelpOverlay width={size.columns} height={bodyHeight} />;
	else if (ui.logFullscreen) body = logs(layout.logRows);
	else {
		body = (
			<>
				<ContainerTable
					rows={rows}
					selectedIndex={selection.index}
					height={layout.tableRows}
					layout={tableLayout}
					sort={ui.sort}
					cells={cells}
					focused={ui.focus === 'table'}
					filter={ui.filter}
					totalCount={allRows.length}
				/>
				{layout.detailsLines > 0 && <Details meta={selected?.meta ?? null} info={info} now={cells.now} height={layout.detailsLines} />}
				{layout.graphRows > 0 && (
					<Graphs
						history={selected ? store.historyOf(selected.meta.id) : undefined}
						cpuLimit={selected?.cpuLimitPercent ?? null}
						memLimit={selected?.metrics?.memoryLimitMb ?? info?.config.resourceLimits.memoryLimitMb ?? null}
						width={size.columns}
						rows={layout.graphRows}
						intervalMs={snapshot.intervalMs}
						version={snapshot.version}
					/>
				)}
				{layout.logRows > 0 && logs(layout.logRows)}
			</>
		);
	}

	return (
		<ScreenWidthContext.Provider value={size.columns}>
			<Box flexDirection="column" width={size.columns} height={layout.height}>
				<Header input={header} lines={layout.headerLines} />
				<Box flexDirection="column" height={bodyHeight}>
					{body}
				</Box>
				<StatusLine ui={ui} tickError={snapshot.error} shown={rows.length} total={allRows.length} width={size.columns} />
			</Box>
		</ScreenWidthContext.Provider>
	);
}
