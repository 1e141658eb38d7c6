// Connects the log pane to the follower. Only this subtree re-renders when lines arrive;
// the rest of the screen waits for the data tick.
import {useMemo} from 'react';
import {useExternal} from '../hooks/use-external.js';
import {findMatches, type LogView} from '../model/log-view.js';
import type {LogFollower} from '../store/log-follower.js';
import {LogPane} from './LogPane.js';

export interface LogSectionProps {
	follower: LogFollower;
	name: string | null;
	view: LogView;
	rows: number;
	width: number;
	focused: boolean;
	search: string;
	currentMatch: number | null;
}

export function LogSection({follower, name, view, rows, width, focused, search, currentMatch}: LogSectionProps) {
	const snapshot = useExternal(follower);
	const matches = useMemo(
		() => findMatches(follower.buffer, search),
		// The buffer is mutable; its version says when the matches must be found again.
		// eslint-disable-next-line react-hooks/exhaustive-deps
		[follower.buffer, follower.buffer.version, search],
	);
	const position = currentMatch === null ? 0 : matches.indexOf(currentMatch) + 1;
	return (
		<LogPane
			name={name}
			snapshot={snapshot}
			buffer={follower.buffer}
			view={view}
			rows={rows}
			width={width}
			focused={focused}
			search={search}
			currentMatch={currentMatch}
			matchCount={matches.length}
			matchPosition={position}
			version={snapshot.version}
		/>
	);
}
