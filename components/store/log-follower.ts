// Follows one container's log at a time, or the merged log of several, into a capped buffer.
// Entries are collected as they arrive and handed to the screen in batches, so a container
// printing thousands of lines a second costs a few renders a second, not one per line.
import type {ContainerLogEntry, Engine, LogEntry} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {type BufferEntry, LogBuffer} from '../model/log-buffer.js';

export type FollowState = 'idle' | 'loading' | 'following' | 'ended' | 'error';

export interface LogSnapshot {
	/** What is followed: a container's id, a mergedKey() of several, or null. */
	containerId: string | null;
	/** The names of a merged log's containers, in colour order; empty for one container. */
	names: readonly string[];
	state: FollowState;
	error: string | null;
	/** Bumped whenever lines arrive or the buffer is reset. */
	version: number;
}

export interface FollowerOptions {
	capacity?: number;
	/** Lines of history to load when a container is first shown. */
	tail?: number;
	/** Longest wait between a line's arrival and its batch reaching the screen. */
	flushMs?: number;
}

export class LogFollower {
	readonly buffer: LogBuffer;
	private snapshot: LogSnapshot = {containerId: null, names: [], state: 'idle', error: null, version: 0};
	private readonly listeners = new Set<() => void>();
	private controller: AbortController | null = null;
	private pending: BufferEntry[] = [];
	/** The containers of the merged log followed, if that is what is followed. */
	private merged: readonly {id: string; name: string}[] | null = null;
	private flushTimer: NodeJS.Timeout | null = null;
	private readonly tail: number;
	private readonly flushMs: number;

	constructor(
		private readonly engine: Engine,
		options: FollowerOptions = {},
	) {
		this.buffer = new LogBuffer(options.capacity ?? 10_000);
		this.tail = options.tail ?? 1000;
		this.flushMs = options.flushMs ?? 100;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getSnapshot = (): LogSnapshot => this.snapshot;

	/** Shows `id`'s log (the last `tail` lines, then new ones as they come); null shows nothing. */
	follow(id: string | null): void {
		this.merged = null;
		this.restart(id, []);
		if (id) void this.pump((signal) => this.engine.getLogs(id, {follow: true, tail: this.tail, stream: 'both', signal}));
	}

	/**
	 * Shows the merged log of `containers` (in this order: it picks their colours): what each
	 * recorded, by time, then new lines of any of them as they come, through exits and restarts.
	 */
	followMerged(containers: readonly {id: string; name: string}[]): void {
		const ids = containers.map((c) => c.id);
		this.merged = containers;
		this.restart(
			mergedKey(ids),
			containers.map((c) => escapeControl(c.name)),
		);
		if (ids.length === 0) {
			this.publish({state: 'ended'});
			return;
		}
		const source = new Map(ids.map((id, index) => [id, index]));
		// The history is shared out: every container's tail together is about one container's.
		const tail = Math.max(100, Math.ceil(this.tail / ids.length));
		void this.pump(
			(signal) => this.engine.getMergedLogs(ids, {follow: true, tail, stream: 'both', signal}),
			(entry: ContainerLogEntry) => ({...entry, source: source.get(entry.id) ?? 0}),
		);
	}

	/** Follows the same container (or containers) again from a fresh tail, after it restarted. */
	reload(): void {
		if (this.merged) this.followMerged(this.merged);
		else this.follow(this.snapshot.containerId);
	}

	private restart(key: string | null, names: readonly string[]): void {
		this.stopStream();
		this.buffer.clear();
		this.pending = [];
		this.publish({containerId: key, names, state: key ? 'loading' : 'idle', error: null});
	}

	close(): void {
		this.stopStream();
		this.pending = [];
	}

	private stopStream(): void {
		this.controller?.abort();
		this.controller = null;
		if (this.flushTimer) clearTimeout(this.flushTimer);
		this.flushTimer = null;
	}

	private async pump<Entry extends LogEntry>(
		open: (signal: AbortSignal) => AsyncIterable<Entry>,
		toBuffer: (entry: Entry) => BufferEntry = (entry) => entry,
	): Promise<void> {
		const controller = new AbortController();
		this.controller = controller;
		const {signal} = controller;
		try {
			const stream = open(signal);
			this.publish({state: 'following'});
			for await (const entry of stream) {
				if (signal.aborted) return;
				this.pending.push(toBuffer(entry));
				// Bound the queue between flushes too: a flood past the capacity only keeps its tail.
				if (this.pending.length > this.buffer.capacity * 2) this.pending = this.pending.slice(-this.buffer.capacity);
				this.flushTimer ??= setTimeout(this.flush, this.flushMs);
			}
			if (signal.aborted) return;
			this.flush();
			this.publish({state: 'ended'});
		} catch (error) {
			if (signal.aborted) return;
			this.flush();
			this.publish({state: 'error', error: error instanceof Error ? error.message : String(error)});
		}
	}

	private readonly flush = (): void => {
		if (this.flushTimer) clearTimeout(this.flushTimer);
		this.flushTimer = null;
		if (this.pending.length === 0) return;
		const batch = this.pending;
		this.pending = [];
		this.buffer.append(batch);
		this.publish({});
	};

	private publish(changes: Partial<LogSnapshot>): void {
		this.snapshot = {...this.snapshot, ...changes, version: this.snapshot.version + 1};
		for (const listener of this.listeners) listener();
	}
}

/** The follower's key of a merged log: the same containers in any order are the same log. */
export function mergedKey(ids: readonly string[]): string {
	return `merged:${[...ids].sort().join(',')}`;
}
