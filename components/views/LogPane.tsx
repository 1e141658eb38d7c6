// The selected container's log, or the merged log of the shown ones: only the rows that fit
// are built, whatever the buffer holds.
import {memo} from 'react';
import type {LogBuffer} from '../model/log-buffer.js';
import {type LogLineStyle, logRows} from '../model/log-lines.js';
import {type LogView, logWindow} from '../model/log-view.js';
import type {Segment} from '../model/segments.js';
import type {LogSnapshot} from '../store/log-follower.js';
import {Pane, paneTitle} from './Pane.js';

export interface LogPaneProps {
	name: string | null;
	snapshot: LogSnapshot;
	buffer: LogBuffer;
	view: LogView;
	rows: number;
	width: number;
	focused: boolean;
	search: string;
	currentMatch: number | null;
	matchCount: number;
	/** 1-based position of the current match among all matches, or 0. */
	matchPosition: number;
	/** The buffer is mutable: its version makes the memoised pane redraw when lines arrive. */
	version: number;
	/** Timestamps, wrapping and the name column (a merged log). */
	style: LogLineStyle;
}

function stateText(props: LogPaneProps, newBelow: number): Segment[] {
	const {snapshot, view} = props;
	if (snapshot.state === 'error') return [{text: `error: ${snapshot.error ?? 'unknown'}`, tone: 'bad'}];
	if (snapshot.state === 'loading') return [{text: 'loading…', tone: 'dim'}];
	if (snapshot.state === 'idle') return [];
	const out: Segment[] = [];
	if (!view.follow) {
		out.push({text: 'paused', tone: 'warn', bold: true});
		if (newBelow > 0) out.push({text: ` · ${newBelow} newer below`, tone: 'warn'});
		out.push({text: ' (G follows)', tone: 'dim'});
	} else if (snapshot.state === 'ended') out.push({text: 'not running', tone: 'dim'});
	else out.push({text: 'following', tone: 'ok'});
	return out;
}

export const LogPane = memo(function LogPane(props: LogPaneProps) {
	const {name, buffer, view, rows, width, focused, search, currentMatch, matchCount, matchPosition, style} = props;
	const window = logWindow(buffer, view, rows);
	const extra: Segment[] = [{text: ' '}, ...stateText(props, window.newBelow)];
	if (search) {
		extra.push({text: '  search ', tone: 'dim'}, {text: `"${search}"`, bold: true});
		extra.push({
			text: matchCount === 0 ? ' no match' : ` ${matchPosition || '-'}/${matchCount}`,
			tone: matchCount === 0 ? 'bad' : undefined,
		});
	}
	extra.push({text: `  ${buffer.length} lines`, tone: 'dim'});
	if (style.wrap) extra.push({text: '  wrap', tone: 'dim'});
	const title = paneTitle(name ? `Logs ${name}` : 'Logs', focused, extra);
	const lines = logRows(buffer.range(window.fromSeq, window.toSeq), rows, width, style, search, currentMatch);
	if (lines.length === 0 && props.snapshot.state !== 'loading') {
		lines.push([{text: name ? '  (no output yet)' : '  Select a container to see its log', tone: 'dim'}]);
	}
	return <Pane title={title} lines={lines} height={rows + 1} />;
});
