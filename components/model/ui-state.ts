// Everything the keyboard can change, and what each key does to it. A pure function of the
// state, the key and what is on screen, so every binding is testable without a terminal.
import type {ContainerMetadata} from '../../engine/index.js';
import {COLUMNS, type ColumnId, columnForKey, columnSpec} from './columns.js';
import {splitCommandLine} from './command-line.js';
import type {LogBuffer} from './log-buffer.js';
import {FOLLOWING, findMatches, type LogView, nextMatch, revealLine, scrollLog, scrollToTop, toggleFollow} from './log-view.js';
import {moveSelection, resolveSelection, type Selection} from './selection.js';
import type {SortOrder} from './sort.js';

/** `exec`: the command prompt of `e`, for the container in UiState.exec. */
export type Mode = 'normal' | 'filter' | 'search' | 'confirm' | 'help' | 'exec';
export type Focus = 'table' | 'logs';
export type Verb = 'start' | 'stop' | 'restart' | 'pause' | 'resume' | 'remove';

export interface StatusMessage {
	text: string;
	tone: 'info' | 'ok' | 'error';
}

export interface UiState {
	mode: Mode;
	focus: Focus;
	selection: Selection;
	filter: string;
	sort: SortOrder;
	showGraphs: boolean;
	showDetails: boolean;
	logFullscreen: boolean;
	/** The log pane shows the selected container, or (`a`) all the table shows, merged. */
	logScope: 'selected' | 'shown';
	/** `t`: timestamps on or off; null = as the width allows (on from 100 columns). */
	logTimestamps: boolean | null;
	/** `w`: long log lines go on in the next rows instead of being cut. */
	logWrap: boolean;
	logView: LogView;
	/** The committed log search; '' = none. */
	search: string;
	/** What is being typed after `/` (filter or search). */
	draft: string;
	/** Sequence number of the log line the last n/N landed on. */
	currentMatch: number | null;
	confirm: {id: string; name: string; force: boolean} | null;
	/** The container the `e` prompt runs its command in. */
	exec: {id: string; name: string} | null;
	status: StatusMessage | null;
	intervalMs: number;
}

export interface KeyInput {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
	home?: boolean;
	end?: boolean;
	return?: boolean;
	escape?: boolean;
	ctrl?: boolean;
	meta?: boolean;
	tab?: boolean;
	backspace?: boolean;
	delete?: boolean;
}

/** What is on screen right now, which the keys act on. */
export interface KeyContext {
	/** Containers in table order (filtered and sorted). */
	rows: readonly ContainerMetadata[];
	tableRows: number;
	logRows: number;
	logBuffer: LogBuffer;
	/** Whether the log pane is on screen (not squeezed out by a small terminal). */
	logsVisible: boolean;
	/** Whether the log pane shows timestamps now (what `t` turns the other way). */
	logTimesShown?: boolean;
}

export type Effect =
	| {type: 'quit'}
	| {type: 'action'; verb: Verb; id: string; name: string; force: boolean}
	| {type: 'exec'; id: string; name: string; command: string[]}
	| {type: 'save-prefs'}
	| {type: 'interval'; direction: 1 | -1};

export interface KeyResult {
	state: UiState;
	effects: Effect[];
}

export function initialUiState(init: {sort: SortOrder; showGraphs: boolean; showDetails: boolean; intervalMs: number}): UiState {
	return {
		mode: 'normal',
		focus: 'table',
		selection: {id: null, index: 0},
		filter: '',
		sort: init.sort,
		showGraphs: init.showGraphs,
		showDetails: init.showDetails,
		logFullscreen: false,
		logScope: 'selected',
		logTimestamps: null,
		logWrap: false,
		logView: FOLLOWING,
		search: '',
		draft: '',
		currentMatch: null,
		confirm: null,
		exec: null,
		status: null,
		intervalMs: init.intervalMs,
	};
}

const isText = (input: string, key: KeyInput) =>
	input.length > 0 && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab && !/[\x00-\x1f\x7f]/.test(input);

function same(state: UiState): KeyResult {
	return {state, effects: []};
}

function withSelection(state: UiState, selection: Selection): KeyResult {
	return same(selectionChanged(state, selection));
}

/** A new selection; another container's log starts out following, with no match marked. */
export function selectionChanged(state: UiState, selection: Selection): UiState {
	// The merged log does not change with the selection.
	if (selection.id === state.selection.id || state.logScope === 'shown') return {...state, selection};
	return {...state, selection, logView: FOLLOWING, currentMatch: null};
}

export function currentSelection(state: UiState, ctx: KeyContext): Selection {
	return resolveSelection(
		ctx.rows.map((row) => row.id),
		state.selection.id,
		state.selection.index,
	);
}

function selectedContainer(state: UiState, ctx: KeyContext): ContainerMetadata | null {
	const {id} = currentSelection(state, ctx);
	return ctx.rows.find((row) => row.id === id) ?? null;
}

function sortBy(state: UiState, column: ColumnId): KeyResult {
	const descending = state.sort.column === column ? !state.sort.descending : columnSpec(column).descendingFirst;
	return {state: {...state, sort: {column, descending}}, effects: [{type: 'save-prefs'}]};
}

function shiftSort(state: UiState, delta: number): KeyResult {
	const index = COLUMNS.findIndex((column) => column.id === state.sort.column);
	const next = COLUMNS[(index + delta + COLUMNS.length) % COLUMNS.length]!;
	return {state: {...state, sort: {column: next.id, descending: next.descendingFirst}}, effects: [{type: 'save-prefs'}]};
}

function act(state: UiState, ctx: KeyContext, verb: Verb): KeyResult {
	const container = selectedContainer(state, ctx);
	if (!container) return same({...state, status: {text: 'No container selected', tone: 'info'}});
	if (verb === 'pause' && container.state === 'paused') verb = 'resume';
	if (verb === 'remove') {
		const force = container.state === 'running' || container.state === 'paused';
		return same({...state, mode: 'confirm', confirm: {id: container.id, name: container.name, force}, status: null});
	}
	return {state, effects: [{type: 'action', verb, id: container.id, name: container.name, force: false}]};
}

/** `e`: the prompt for the command to run in the selected container, if it runs. */
function openExec(state: UiState, ctx: KeyContext): KeyResult {
	const container = selectedContainer(state, ctx);
	if (!container) return same({...state, status: {text: 'No container selected', tone: 'info'}});
	if (container.state !== 'running') {
		const hint = container.state === 'paused' ? 'resume it (p)' : 'start it (s)';
		return same({...state, status: {text: `${container.name} is ${container.state}: ${hint} to open a shell in it`, tone: 'info'}});
	}
	return same({...state, mode: 'exec', exec: {id: container.id, name: container.name}, draft: '', status: null});
}

function execPrompt(state: UiState, input: string, key: KeyInput): KeyResult {
	const closed: UiState = {...state, mode: 'normal', draft: '', exec: null};
	if (key.escape) return same(closed);
	if (key.return) {
		const target = state.exec;
		if (!target) return same(closed);
		const line = splitCommandLine(state.draft);
		if ('error' in line) return same({...closed, status: {text: `Not run: ${line.error}`, tone: 'error'}});
		return {state: closed, effects: [{type: 'exec', id: target.id, name: target.name, command: line.words}]};
	}
	if (key.backspace || key.delete) return same({...state, draft: state.draft.slice(0, -1)});
	if (isText(input, key)) return same({...state, draft: state.draft + input});
	return same(state);
}

function jumpToMatch(state: UiState, ctx: KeyContext, direction: 1 | -1): KeyResult {
	if (!state.search) return same({...state, status: {text: 'No search: press / in the log pane to search', tone: 'info'}});
	const bottom = state.logView.follow ? ctx.logBuffer.nextSeq : state.logView.bottomSeq;
	const from = state.currentMatch ?? (direction === -1 ? bottom + 1 : bottom);
	const target = nextMatch(findMatches(ctx.logBuffer, state.search), from, direction);
	if (target === null) return same({...state, status: {text: `Pattern not found: ${state.search}`, tone: 'error'}});
	return same({...state, currentMatch: target, logView: revealLine(ctx.logBuffer, target, ctx.logRows), status: null});
}

function textEntry(state: UiState, input: string, key: KeyInput, ctx: KeyContext): KeyResult {
	const filtering = state.mode === 'filter';
	if (key.escape) {
		return same(filtering ? {...state, mode: 'normal', filter: '', draft: ''} : {...state, mode: 'normal', draft: ''});
	}
	if (key.return) {
		if (filtering) return same({...state, mode: 'normal', draft: ''});
		const search = state.draft;
		const committed: UiState = {...state, mode: 'normal', draft: '', search, currentMatch: null};
		if (!search) return same(committed);
		return jumpToMatch(committed, ctx, -1);
	}
	if (filtering && (key.upArrow || key.downArrow)) {
		return withSelection(
			state,
			moveSelection(
				ctx.rows.map((row) => row.id),
				currentSelection(state, ctx),
				key.upArrow ? -1 : 1,
			),
		);
	}
	let draft = state.draft;
	if (key.backspace || key.delete) draft = draft.slice(0, -1);
	else if (isText(input, key)) draft += input;
	else return same(state);
	return same(filtering ? {...state, draft, filter: draft} : {...state, draft});
}

function tableKeys(state: UiState, input: string, key: KeyInput, ctx: KeyContext): KeyResult | null {
	const ids = ctx.rows.map((row) => row.id);
	const current = currentSelection(state, ctx);
	const page = Math.max(1, ctx.tableRows);
	if (key.upArrow || input === 'k') return withSelection(state, moveSelection(ids, current, -1));
	if (key.downArrow || input === 'j') return withSelection(state, moveSelection(ids, current, 1));
	if (key.pageUp) return withSelection(state, moveSelection(ids, current, -page));
	if (key.pageDown) return withSelection(state, moveSelection(ids, current, page));
	if (key.home) return withSelection(state, moveSelection(ids, current, -ids.length));
	if (key.end) return withSelection(state, moveSelection(ids, current, ids.length));
	if (key.return) return {state: {...state, showDetails: !state.showDetails}, effects: [{type: 'save-prefs'}]};
	if (input === 'g') return {state: {...state, showGraphs: !state.showGraphs}, effects: [{type: 'save-prefs'}]};
	if (input === '/') return same({...state, mode: 'filter', draft: state.filter});
	const column = columnForKey(input);
	if (column) return sortBy(state, column);
	return null;
}

function logKeys(state: UiState, input: string, key: KeyInput, ctx: KeyContext): KeyResult | null {
	const buffer = ctx.logBuffer;
	const height = ctx.logRows;
	const scroll = (delta: number) => same({...state, logView: scrollLog(buffer, state.logView, height, delta)});
	if (key.upArrow || input === 'k') return scroll(-1);
	if (key.downArrow || input === 'j') return scroll(1);
	if (key.pageUp) return scroll(-Math.max(1, height - 1));
	if (key.pageDown) return scroll(Math.max(1, height - 1));
	if (key.home || input === 'g') return same({...state, logView: scrollToTop(buffer, height)});
	if (key.end || input === 'G') return same({...state, logView: FOLLOWING});
	if (input === 'f' || input === ' ') return same({...state, logView: toggleFollow(buffer, state.logView)});
	if (input === '/') return same({...state, mode: 'search', draft: ''});
	if (input === 'n') return jumpToMatch(state, ctx, 1);
	if (input === 'N') return jumpToMatch(state, ctx, -1);
	if (input === 't') return same({...state, logTimestamps: !(ctx.logTimesShown ?? false)});
	if (input === 'w') return same({...state, logWrap: !state.logWrap});
	return null;
}

/** `a`: the merged log of every container the table shows, or back to the selected one. */
function toggleLogScope(state: UiState): KeyResult {
	const logScope = state.logScope === 'selected' ? 'shown' : 'selected';
	return same({...state, logScope, logView: FOLLOWING, currentMatch: null});
}

export function handleKey(state: UiState, input: string, key: KeyInput, ctx: KeyContext): KeyResult {
	if (key.ctrl && input === 'c') return {state, effects: [{type: 'quit'}]};
	switch (state.mode) {
		case 'help':
			return same({...state, mode: 'normal'});
		case 'confirm': {
			const confirm = state.confirm;
			const base: UiState = {...state, mode: 'normal', confirm: null};
			if (confirm && (input === 'y' || input === 'Y')) {
				return {state: base, effects: [{type: 'action', verb: 'remove', id: confirm.id, name: confirm.name, force: confirm.force}]};
			}
			return same({...base, status: {text: `Kept ${confirm?.name ?? 'the container'}`, tone: 'info'}});
		}
		case 'filter':
		case 'search':
			return textEntry(state, input, key, ctx);
		case 'exec':
			return execPrompt(state, input, key);
		case 'normal':
			break;
	}

	if (input === 'q') return {state, effects: [{type: 'quit'}]};
	if (input === '?') return same({...state, mode: 'help'});
	if (input === 's') return act(state, ctx, 'start');
	if (input === 'x') return act(state, ctx, 'stop');
	if (input === 'r') return act(state, ctx, 'restart');
	if (input === 'p') return act(state, ctx, 'pause');
	if (input === 'd') return act(state, ctx, 'remove');
	if (input === 'e') return openExec(state, ctx);
	if (input === 'a') return toggleLogScope(state);
	if (input === '+' || input === '=') return {state, effects: [{type: 'interval', direction: 1}]};
	if (input === '-') return {state, effects: [{type: 'interval', direction: -1}]};
	if (input === '<' || input === ',') return shiftSort(state, -1);
	if (input === '>' || input === '.') return shiftSort(state, 1);
	if (input === 'l') {
		const logFullscreen = !state.logFullscreen;
		return same({...state, logFullscreen, focus: logFullscreen ? 'logs' : 'table'});
	}
	if (key.tab) {
		if (state.logFullscreen) return same(state);
		if (state.focus === 'table' && !ctx.logsVisible)
			return same({...state, status: {text: 'No room for the log pane: press l for full-screen logs', tone: 'info'}});
		return same({...state, focus: state.focus === 'table' ? 'logs' : 'table'});
	}
	if (key.escape) {
		if (state.logFullscreen) return same({...state, logFullscreen: false, focus: 'table'});
		if (state.focus === 'logs') return same({...state, focus: 'table'});
		if (state.filter) return same({...state, filter: ''});
		if (state.search) return same({...state, search: '', currentMatch: null});
		return same({...state, status: null});
	}
	const handled = state.focus === 'logs' ? logKeys(state, input, key, ctx) : tableKeys(state, input, key, ctx);
	return handled ?? same(state);
}

/**
 * Ink hands over a chunk of plain text as one input (a paste, keys typed faster than they
 * are read, tmux send-keys). Each character is a key press of its own here.
 */
export function splitInput(input: string, key: KeyInput): [string, KeyInput][] {
	// Escape and a key read together look like Alt+key; nothing here is bound to Alt, so it
	// was Escape typed quickly followed by the key.
	if (key.meta && !key.escape && !key.ctrl && input.length === 1 && input >= ' ')
		return [
			['', {escape: true}],
			[input, {}],
		];
	if (input.length <= 1 || key.ctrl || key.meta || key.escape) return [[input, key]];
	const out: [string, KeyInput][] = [];
	for (const char of input) {
		if (char === '\r' || char === '\n') out.push(['', {return: true}]);
		else if (char === '\t') out.push(['', {tab: true}]);
		else if (char === '\x7f' || char === '\b') out.push(['', {backspace: true}]);
		else if (char === '\x03') out.push(['c', {ctrl: true}]);
		else if (char >= ' ') out.push([char, {}]);
	}
	return out;
}
