// The bottom line: the prompt being typed, the confirmation asked, or the last result.
import {memo} from 'react';
import type {C32Event} from '../../engine/index.js';
import {eventSummary} from '../model/event-text.js';
import type {Segment} from '../model/segments.js';
import type {UiState} from '../model/ui-state.js';
import {Line} from './Line.js';

const HINTS = '? help  q quit  / filter  s x r p d start stop restart pause remove  e shell  l logs  Tab focus';
const SHORT_HINTS = '? help  q quit  / filter  s x r p d actions  e shell  l logs  Tab focus';

export interface StatusProps {
	ui: UiState;
	/** The last tick's failure, shown until a tick succeeds. */
	tickError: string | null;
	shown: number;
	total: number;
	width: number;
	/** The latest recorded event: shown after a short hint when nothing else is. */
	latestEvent?: C32Event | null;
}

export function statusSegments({ui, tickError, shown, total, width, latestEvent}: StatusProps): Segment[] {
	if (ui.mode === 'filter')
		return [
			{text: 'filter: ', bold: true},
			{text: ui.draft},
			{text: '█', tone: 'accent'},
			{text: `  ${shown}/${total}  Enter keeps · Esc clears`, tone: 'dim'},
		];
	if (ui.mode === 'search')
		return [
			{text: 'search log: ', bold: true},
			{text: ui.draft},
			{text: '█', tone: 'accent'},
			{text: '  Enter finds · Esc cancels', tone: 'dim'},
		];
	if (ui.mode === 'exec' && ui.exec)
		return [
			{text: `run in ${ui.exec.name}: `, bold: true},
			{text: 'command (default sh): ', tone: 'dim'},
			{text: ui.draft},
			{text: '█', tone: 'accent'},
			{text: '  Enter runs · Esc cancels', tone: 'dim'},
		];
	if (ui.mode === 'confirm' && ui.confirm) {
		const warning = ui.confirm.force ? ' It is running and will be killed.' : '';
		return [
			{text: `Remove ${ui.confirm.name}?${warning} `, tone: 'warn', bold: true},
			{text: 'y', bold: true},
			{text: '/'},
			{text: 'n', bold: true},
		];
	}
	const out: Segment[] = [];
	if (ui.status)
		out.push({
			text: ui.status.text,
			tone: ui.status.tone === 'error' ? 'bad' : ui.status.tone === 'ok' ? 'ok' : undefined,
			bold: ui.status.tone === 'error',
		});
	else if (tickError) out.push({text: tickError, tone: 'bad', bold: true});
	else if (latestEvent) {
		out.push({text: '? help  ', tone: 'dim'});
		out.push({text: eventSummary(latestEvent), tone: latestEvent.event === 'die' || latestEvent.event === 'oom' ? 'warn' : undefined});
	} else out.push({text: width >= 100 ? HINTS : SHORT_HINTS, tone: 'dim'});
	if (ui.filter) out.push({text: `   filter "${ui.filter}" ${shown}/${total}`, tone: 'accent'});
	return out;
}

export const StatusLine = memo(function StatusLine(props: StatusProps) {
	return <Line segments={statusSegments(props)} />;
});
