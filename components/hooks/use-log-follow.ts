// Keeps the log follower on the selected container: after a short pause when the selection
// moves (holding j must not open a stream per row), and afresh when the container restarts.
import {useEffect, useRef} from 'react';
import type {LogFollower} from '../store/log-follower.js';

export const FOLLOW_DELAY_MS = 120;

export function useLogFollow(follower: LogFollower, id: string | null, startedAt: string | null): void {
	const started = useRef<{id: string | null; startedAt: string | null}>({id: null, startedAt: null});

	// biome-ignore lint/correctness/useExhaustiveDependencies: startedAt is handled below; a restart must not be debounced like a selection
	useEffect(() => {
		const timer = setTimeout(
			() => {
				started.current = {id, startedAt};
				follower.follow(id);
			},
			follower.getSnapshot().containerId === null ? 0 : FOLLOW_DELAY_MS,
		);
		return () => clearTimeout(timer);
	}, [follower, id]);

	useEffect(() => {
		const last = started.current;
		if (last.id !== id || id === null) return;
		if (startedAt !== null && startedAt !== last.startedAt) {
			started.current = {id, startedAt};
			// Only a restart, not the first sighting of a start time, needs a new stream.
			if (last.startedAt !== null || follower.getSnapshot().state === 'ended') follower.reload();
		}
	}, [follower, id, startedAt]);

	useEffect(() => () => follower.close(), [follower]);
}
