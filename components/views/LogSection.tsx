// Connects the log pane to the follower. Only this subtree re-renders when lines arrive;
// the rest of the screen waits for the data tick.
import {useMemo} from 'react';
import {useExternal} from '../hooks/use-external.js';
import {LogBuffer} from '../model/log-buffer.js';
import type {LogLineStyle} from '../model/log-lines.js';
import {findMatches} from '../model/log-view.js';
import {textWidth} from '../model/width.js';
import type {LogFollower, LogSnapshot} from '../store/log-follower.js';

const EMPTY = new LogBuffer(1);

import {LogPane, type LogPaneProps} from './LogPane.js';

export type LogSectionProps = Pick<LogPaneProps, 'name' | 'view' | 'rows' | 'width' | 'focused' | 'search' | 'currentMatch'> & {
	/** Timestamps and wrap (the name column follows from what is followed). */
	style: Omit<LogLineStyle, 'nameWidth'>;
	follower: LogFollower;
	/** The selected container or a mergedKey(); until the follower has switched to it, the pane shows as loading. */
	containerId: string | null;
};

export function LogSection({follower, containerId, name, view, rows, width, focused, search, currentMatch, style}: LogSectionProps) {
	const followed = useExternal(follower);
	const current = followed.containerId === containerId;
	const snapshot: LogSnapshot = current ? followed : {...followed, containerId, state: containerId ? 'loading' : 'idle'};
	const matches = useMemo(
		() => findMatches(follower.buffer, search),
		// The buffer is mutable; its version says when the matches must be found again.
		[follower.buffer, follower.buffer.version, search],
	);
	const shownMatches = current ? matches : [];
	const position = currentMatch === null ? 0 : shownMatches.indexOf(currentMatch) + 1;
	const nameWidth = useMemo(() => Math.max(0, ...snapshot.names.map(textWidth)), [snapshot.names]);
	const {showTime, wrap} = style;
	// One object while nothing changes: the pane is memoised on its props.
	const lineStyle = useMemo(() => ({showTime, wrap, nameWidth}), [showTime, wrap, nameWidth]);
	return (
		<LogPane
			name={name}
			snapshot={snapshot}
			buffer={current ? follower.buffer : EMPTY}
			view={view}
			rows={rows}
			width={width}
			focused={focused}
			search={search}
			currentMatch={currentMatch}
			matchCount={shownMatches.length}
			matchPosition={position}
			version={snapshot.version}
			style={lineStyle}
		/>
	);
}
