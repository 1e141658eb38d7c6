// Connects the log pane to the follower. Only this subtree re-renders when lines arrive;
// the rest of the screen waits for the data tick.
import {useMemo} from 'react';
import {useExternal} from '../hooks/use-external.js';
import {LogBuffer} from '../model/log-buffer.js';
import {findMatches} from '../model/log-view.js';
import type {LogFollower, LogSnapshot} from '../store/log-follower.js';

const EMPTY = new LogBuffer(1);

import {LogPane, type LogPaneProps} from './LogPane.js';

export type LogSectionProps = Pick<LogPaneProps, 'name' | 'view' | 'rows' | 'width' | 'focused' | 'search' | 'currentMatch'> & {
	follower: LogFollower;
	/** The selected container; until the follower has switched to it, its pane shows as loading. */
	containerId: string | null;
};

export function LogSection({follower, containerId, name, view, rows, width, focused, search, currentMatch}: LogSectionProps) {
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
		/>
	);
}
