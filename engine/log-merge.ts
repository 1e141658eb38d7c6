// The logs of several containers as one stream: what each has recorded merged by time, then
// (when following) new lines of any of them in the order they arrive.
import type {ContainerLogEntry, LogEntry} from './types.js';

export interface LogSource {
	id: string;
	name: string;
	/** What the container has recorded, oldest first. */
	existing: readonly LogEntry[];
	/** When following: the lines written after `existing`. */
	updates?: AsyncIterable<LogEntry>;
}

const tagged = (source: LogSource, entry: LogEntry): ContainerLogEntry => ({...entry, id: source.id, name: source.name});

/**
 * A k-way merge by timestamp. Each container's own order is kept as recorded (a clock that
 * stepped back never reorders one container's lines); on equal timestamps the container
 * given first goes first.
 */
export function mergeByTime(sources: readonly LogSource[]): ContainerLogEntry[] {
	// A binary heap of [source index, position], smallest timestamp (then index) on top.
	const heap: [number, number][] = [];
	const key = ([source, at]: [number, number]) => sources[source]!.existing[at]!.timestamp;
	const before = (a: [number, number], b: [number, number]) => {
		const ka = key(a);
		const kb = key(b);
		return ka < kb || (ka === kb && a[0] < b[0]);
	};
	const swap = (i: number, j: number) => {
		const held = heap[i]!;
		heap[i] = heap[j]!;
		heap[j] = held;
	};
	const up = (index: number) => {
		let i = index;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!before(heap[i]!, heap[parent]!)) break;
			swap(i, parent);
			i = parent;
		}
	};
	const down = (index: number) => {
		let i = index;
		for (;;) {
			const left = 2 * i + 1;
			const right = left + 1;
			let least = i;
			if (left < heap.length && before(heap[left]!, heap[least]!)) least = left;
			if (right < heap.length && before(heap[right]!, heap[least]!)) least = right;
			if (least === i) return;
			swap(i, least);
			i = least;
		}
	};
	sources.forEach((source, index) => {
		if (source.existing.length > 0) {
			heap.push([index, 0]);
			up(heap.length - 1);
		}
	});
	const out: ContainerLogEntry[] = [];
	while (heap.length > 0) {
		const top = heap[0]!;
		const source = sources[top[0]]!;
		out.push(tagged(source, source.existing[top[1]]!));
		if (top[1] + 1 < source.existing.length) heap[0] = [top[0], top[1] + 1];
		else {
			heap[0] = heap[heap.length - 1]!;
			heap.pop();
		}
		if (heap.length > 0) down(0);
	}
	return out;
}

/** Entries of every source's updates as each arrives; ends when all have ended. */
export async function* mergeArrivals(sources: readonly LogSource[]): AsyncGenerator<ContainerLogEntry> {
	const iterators = sources.map((source) => source.updates?.[Symbol.asyncIterator]());
	type Step = {index: number; result: IteratorResult<LogEntry>};
	const pending = new Map<number, Promise<Step>>();
	const pull = (index: number) => {
		pending.set(
			index,
			iterators[index]!.next().then((result) => ({index, result})),
		);
	};
	iterators.forEach((iterator, index) => {
		if (iterator) pull(index);
	});
	try {
		while (pending.size > 0) {
			const {index, result} = await Promise.race(pending.values());
			if (result.done) {
				pending.delete(index);
				continue;
			}
			pull(index);
			yield tagged(sources[index]!, result.value);
		}
	} finally {
		// Ended early (the consumer stopped): each follower closes its file once its pending
		// read settles (the caller's abort signal settles it at once).
		for (const iterator of iterators) void iterator?.return?.().catch(() => {});
	}
}

/** The merged history, then (for sources that follow) what arrives. */
export async function* mergeLogs(sources: readonly LogSource[]): AsyncGenerator<ContainerLogEntry> {
	yield* mergeByTime(sources);
	yield* mergeArrivals(sources);
}
