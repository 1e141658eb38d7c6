// Keeps the log follower on what the pane shows: the selected container, or the merged log of
// those the table shows. After a short pause when that changes (holding j, or typing a filter,
// must not open a stream per step), and afresh when the selected container restarts (a merged
// follow goes on through restarts by itself).
import {useEffect, useRef} from 'react';
import {type LogFollower, mergedKey} from '../store/log-follower.js';

export const FOLLOW_DELAY_MS = 120;

export type LogTarget = {merged: false; id: string | null} | {merged: true; containers: readonly {id: string; name: string}[]};

/** The follower's key of a target: what LogSection compares to know the pane is current. */
export function targetKey(target: LogTarget): string | null {
	return target.merged ? mergedKey(target.containers.map((c) => c.id)) : target.id;
}

export function useLogFollow(follower: LogFollower, target: LogTarget, startedAt: string | null): void {
	const started = useRef<{id: string | null; startedAt: string | null}>({id: null, startedAt: null});
	const key = targetKey(target);
	const id = target.merged ? null : target.id;
	const latest = useRef(target);
	latest.current = target;

	// biome-ignore lint/correctness/useExhaustiveDependencies: the key says what is followed (the target's latest value is read when the timer fires); startedAt is handled below, as a restart must not be debounced like a selection
	useEffect(() => {
		const timer = setTimeout(
			() => {
				const current = latest.current;
				if (current.merged) {
					started.current = {id: null, startedAt: null};
					follower.followMerged(current.containers);
					return;
				}
				started.current = {id: current.id, startedAt};
				follower.follow(current.id);
			},
			follower.getSnapshot().containerId === null ? 0 : FOLLOW_DELAY_MS,
		);
		return () => clearTimeout(timer);
	}, [follower, key]);

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
