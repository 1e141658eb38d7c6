// The dashboard's root: one snapshot per data tick, one UI state changed only by keys and
// action results, and the panes laid out to fit the terminal.

import {Box, Text, useInput} from 'ink';
import {useCallback, useMemo, useRef, useSyncExternalStore} from 'react';
import {useExternal} from './hooks/use-external.js';
import {type LogTarget, targetKey, useLogFollow} from './hooks/use-log-follow.js';
import {useRows} from './hooks/use-rows.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {useKeepSelection, useUiState} from './hooks/use-ui-state.js';
import type {CellContext} from './model/cells.js';
import {fitColumns} from './model/columns.js';
import {ociImageOf} from './model/details.js';
import {computeLayout, MIN_COLUMNS, MIN_ROWS} from './model/layout.js';
import {orderNeedsMetrics} from './model/sort.js';
import type {KeyContext} from './model/ui-state.js';
import type {Prefs, PrefsStore} from './prefs.js';
import type {ActionRunner} from './store/action-runner.js';
import type {DashboardStore} from './store/dashboard-store.js';
import type {LogFollower} from './store/log-follower.js';
import type {ShellRunner} from './store/shell-runner.js';
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
	/** Runs `e`'s command with the terminal. */
	shell: ShellRunner;
	prefs: PrefsStore;
	initialPrefs: Prefs;
	onQuit: () => void;
}

export function App({store, follower, actions, shell, prefs, initialPrefs, onQuit}: AppProps) {
	const size = useTerminalSize();
	const snapshot = useExternal(store);
	const pending = useSyncExternalStore(actions.subscribe, actions.getPending, actions.getPending);
	const {ui, uiRef, update, pressKey} = useUiState({initialPrefs, actions, shell, prefs, store, onQuit});
	const {all: allRows, shown: rows, selection, selected} = useRows(snapshot, pending, ui.filter, ui.sort, ui.selection);
	useKeepSelection(ui, selection, uiRef, update);
	const merged = ui.logScope === 'shown';
	const logTarget: LogTarget = merged
		? {merged, containers: rows.map((row) => ({id: row.meta.id, name: row.meta.name}))}
		: {merged, id: selection.id};
	useLogFollow(follower, logTarget, merged ? null : (selected?.meta.startedAt ?? null));

	const layout = computeLayout({
		columns: size.columns,
		rows: size.rows,
		containerCount: rows.length,
		showGraphs: ui.showGraphs,
		showDetails: ui.showDetails,
		logFullscreen: ui.logFullscreen,
	});
	const withHealth = allRows.some((row) => row.meta.health !== undefined);
	const tableLayout = useMemo(() => fitColumns(size.columns, ui.sort.column, withHealth), [size.columns, ui.sort.column, withHealth]);
	const cells = useMemo(
		(): CellContext => ({
			now: snapshot.at || Date.now(),
			hostCpuCount: snapshot.host?.cpuCount ?? 1,
			hostMemoryMb: snapshot.host?.memoryTotalMb ?? 0,
		}),
		[snapshot.at, snapshot.host],
	);

	const orderNeedsAll = orderNeedsMetrics(ui.sort.column);
	const onShown = useCallback((ids: readonly string[]) => store.watch({ids, orderNeedsAll}), [store, orderNeedsAll]);

	const metas = useMemo(() => rows.map((row) => row.meta), [rows]);
	const context: KeyContext = {
		rows: metas,
		tableRows: layout.tableRows,
		logRows: layout.logRows,
		logBuffer: follower.buffer,
		logsVisible: layout.logRows > 0,
		logTimesShown: ui.logTimestamps ?? size.columns >= 100,
	};
	const contextRef = useRef(context);
	contextRef.current = context;

	useInput((input, key) => pressKey(input, key, contextRef.current));

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
	const ociImage = info ? ociImageOf(info) : null;
	const image = ociImage ? snapshot.images.get(ociImage.id) : undefined;
	const logs = (rowsForLogs: number) => (
		<LogSection
			follower={follower}
			containerId={targetKey(logTarget)}
			name={merged ? `${rows.length} container${rows.length === 1 ? '' : 's'}` : (selected?.meta.name ?? null)}
			view={ui.logView}
			rows={rowsForLogs}
			width={size.columns}
			focused={ui.focus === 'logs'}
			search={ui.search}
			currentMatch={ui.currentMatch}
			style={{showTime: context.logTimesShown ?? false, wrap: ui.logWrap}}
		/>
	);

	let body: React.ReactNode;
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
					onShown={onShown}
				/>
				{layout.detailsLines > 0 && (
					<Details meta={selected?.meta ?? null} info={info} now={cells.now} height={layout.detailsLines} image={image} />
				)}
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
				<StatusLine
					ui={ui}
					tickError={snapshot.error}
					shown={rows.length}
					total={allRows.length}
					width={size.columns}
					latestEvent={snapshot.latestEvent}
				/>
			</Box>
		</ScreenWidthContext.Provider>
	);
}
