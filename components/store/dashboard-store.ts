// The one data tick behind the whole screen: every interval it lists the containers, samples
// live ones in one batch and reads the host, then publishes one immutable snapshot.
// Components subscribe to the snapshot; none of them runs a timer of its own.
//
// Sampling costs a few cgroup files per container, the dashboard's largest cost with many
// containers: once the table says which rows it shows (watch), a tick samples those, and
// every live container only every few seconds (often enough for an order by CPU or memory
// to stay right). A row not sampled in a tick keeps its latest sample.
import type {C32Event, ContainerInfo, ContainerMetadata, ContainerMetrics, Engine, HostStats} from '../../engine/index.js';
import {type ImageInfo, ociImageOf} from '../model/details.js';
import {isLive} from '../model/row.js';
import {Series} from '../model/series.js';

export interface Snapshot {
	containers: ContainerMetadata[];
	metrics: ReadonlyMap<string, ContainerMetrics>;
	/** Inspected configs by id; a container appears here a tick or so after it is first seen. */
	infos: ReadonlyMap<string, ContainerInfo>;
	/** The OCI images of the inspected containers, by image id: inspected once each, or why that failed. */
	images: ReadonlyMap<string, ImageInfo>;
	host: HostStats | null;
	/** The runtime the engine uses, once known. */
	runtime: string | null;
	/** Wall-clock time of the last successful tick (ms since epoch); 0 before the first. */
	at: number;
	/** How long the last tick took, in ms. */
	tickMs: number;
	/** The last tick's failure, cleared by the next success. */
	error: string | null;
	intervalMs: number;
	/** The latest recorded event (of any container, image or network), for the status line. */
	latestEvent: C32Event | null;
	/** Bumped on every publish. */
	version: number;
}

export interface History {
	cpu: Series;
	mem: Series;
}

export interface StoreOptions {
	intervalMs: number;
	/** Samples kept per container for the graphs. */
	historySize?: number;
	now?: () => number;
}

const EMPTY: Snapshot = {
	containers: [],
	metrics: new Map(),
	infos: new Map(),
	images: new Map(),
	host: null,
	runtime: null,
	at: 0,
	tickMs: 0,
	error: null,
	intervalMs: 1000,
	latestEvent: null,
	version: 0,
};

/** Whether two views of a container are of the same run: a start or an end makes a new one. */
export function sameRun(a: ContainerMetadata, b: ContainerMetadata): boolean {
	return isLive(a) === isLive(b) && (a.startedAt ?? '') === (b.startedAt ?? '');
}

/** `infos` without the containers no longer listed; the same map when all are. */
export function keepListed<T>(infos: ReadonlyMap<string, T>, containers: readonly ContainerMetadata[]): ReadonlyMap<string, T> {
	const known = new Set(containers.map((container) => container.id));
	for (const id of infos.keys()) if (!known.has(id)) return new Map([...infos].filter(([key]) => known.has(key)));
	return infos;
}

/** How often every live container is sampled once the table watches its rows: ordered by a metric, and otherwise. */
export const SAMPLE_ALL_MS = {byMetric: 5_000, otherwise: 30_000} as const;

/**
 * A timer's tick lists the containers again only once LIST_BUDGET times the CPU the last
 * listing took has passed (at most LIST_MAX_AGE_MS): a listing checks every container, and
 * with 1000 it costs ~20 ms, 2% of a core every second. A tick in between keeps the last
 * list (its samples, the host and the clock are fresh); a refresh asked for (after an
 * action) always lists. With a few hundred containers or fewer, every tick lists.
 */
export const LIST_BUDGET = 100;
export const LIST_MAX_AGE_MS = 5_000;

/** What the table shows: the ids of its rows on screen, and whether its order needs every container's sample. */
export interface Watched {
	ids: readonly string[];
	orderNeedsAll: boolean;
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function sameIds(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
	if (a.size !== b.size) return false;
	for (const id of a) if (!b.has(id)) return false;
	return true;
}

export class DashboardStore {
	private snapshot: Snapshot;
	private readonly listeners = new Set<() => void>();
	private readonly history = new Map<string, History>();
	private readonly inspecting = new Set<string>();
	private readonly inspectingImages = new Set<string>();
	private timer: NodeJS.Timeout | null = null;
	private running = false;
	private inFlight: Promise<void> | null = null;
	private again = false;
	private readonly historySize: number;
	private readonly now: () => number;
	/** Null until the table says what it shows: then every tick samples every live container. */
	private watched: {ids: Set<string>; orderNeedsAll: boolean} | null = null;
	/** When every live container was last sampled (this.now()); -Infinity before the first time. */
	private sampledAllAt = Number.NEGATIVE_INFINITY;
	/** The last listing: when (this.now()), what, and the CPU it took (ms). */
	private listed: {at: number; containers: ContainerMetadata[]; cpuMs: number} | null = null;
	/** The tick under way or next lists whatever its timing (a refresh was asked for). */
	private listWanted = true;

	constructor(
		private readonly engine: Engine,
		options: StoreOptions,
	) {
		this.snapshot = {...EMPTY, intervalMs: options.intervalMs};
		this.historySize = options.historySize ?? 600;
		this.now = options.now ?? Date.now;
	}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getSnapshot = (): Snapshot => this.snapshot;

	historyOf(id: string): History | undefined {
		return this.history.get(id);
	}

	/** The rows on screen, sampled on every tick; the others are sampled every SAMPLE_ALL_MS. */
	watch = (watched: Watched): void => {
		const previous = this.watched;
		const ids = new Set(watched.ids);
		if (previous && previous.orderNeedsAll === watched.orderNeedsAll && sameIds(previous.ids, ids)) return;
		this.watched = {ids, orderNeedsAll: watched.orderNeedsAll};
	};

	/** Starts ticking: one tick now, then one every interval after the previous one ends. */
	start(): void {
		if (this.running) return;
		this.running = true;
		void this.refresh();
		this.runtimeOnce();
	}

	stop(): void {
		this.running = false;
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
	}

	setIntervalMs(intervalMs: number): void {
		this.publish({intervalMs});
		if (this.running && !this.inFlight) this.schedule();
	}

	/**
	 * Runs a tick now (after an action, say). Ticks never overlap: a call during a tick makes
	 * one more tick follow it, and the returned promise resolves after that one.
	 */
	refresh(): Promise<void> {
		this.listWanted = true;
		return this.run();
	}

	private run(): Promise<void> {
		if (this.inFlight) {
			this.again = true;
			return this.inFlight.then(() => this.inFlight ?? undefined);
		}
		if (this.timer) clearTimeout(this.timer);
		this.timer = null;
		const run = this.tick().finally(() => {
			this.inFlight = null;
			if (this.again) {
				this.again = false;
				void this.run();
			} else if (this.running) this.schedule();
		});
		this.inFlight = run;
		return run;
	}

	private schedule(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => void this.run(), this.snapshot.intervalMs);
		// A pending tick must not keep the process alive once the dashboard has quit.
		this.timer.unref?.();
	}

	private async tick(): Promise<void> {
		const started = performance.now();
		try {
			const containers = await this.list();
			const plan = this.samplingPlan(containers);
			const [samples, host] = await Promise.all([
				// Without refs the batch covers every live container, resolving none of them by name.
				plan === 'all' ? this.engine.getMetricsBatch() : plan.length > 0 ? this.engine.getMetricsBatch(plan) : Promise.resolve([]),
				this.engine.getHostStats(),
			]);
			const fresh = new Map(samples.map((sample) => [sample.id, sample]));
			this.record(containers, fresh);
			const metrics = plan === 'all' ? fresh : this.withLatest(containers, fresh);
			this.inspectNew(containers);
			this.publish({
				containers,
				metrics,
				infos: keepListed(this.snapshot.infos, containers),
				host,
				at: this.now(),
				tickMs: performance.now() - started,
				error: null,
				latestEvent: this.engine.latestEvents(1)[0] ?? null,
			});
		} catch (error) {
			this.publish({error: `refresh failed: ${message(error)}`, tickMs: performance.now() - started});
		}
	}

	/** The containers: listed again, or the last list while a new one is not due (LIST_BUDGET). */
	private async list(): Promise<ContainerMetadata[]> {
		const now = this.now();
		const last = this.listed;
		const due = last === null || this.listWanted || now - last.at >= Math.min(LIST_MAX_AGE_MS, last.cpuMs * LIST_BUDGET);
		if (!due) return last.containers;
		// Cleared before the call: a refresh asked for while it runs makes the tick after it list again.
		this.listWanted = false;
		const before = process.cpuUsage();
		let containers: ContainerMetadata[];
		try {
			containers = await this.engine.listContainers();
		} catch (error) {
			this.listWanted = true; // a failed listing is retried by the next tick, not covered by the last list
			throw error;
		}
		const used = process.cpuUsage(before);
		this.listed = {at: now, containers, cpuMs: (used.user + used.system) / 1000};
		return containers;
	}

	/** Which live containers this tick samples: all of them, or the ids of the watched ones. */
	private samplingPlan(containers: readonly ContainerMetadata[]): 'all' | string[] {
		const live = containers.filter(isLive);
		if (live.length === 0) return [];
		const now = this.now();
		const watched = this.watched;
		const every = watched?.orderNeedsAll ? SAMPLE_ALL_MS.byMetric : SAMPLE_ALL_MS.otherwise;
		if (watched === null || now - this.sampledAllAt >= every || live.every((c) => watched.ids.has(c.id))) {
			this.sampledAllAt = now;
			return 'all';
		}
		return live.filter((c) => watched.ids.has(c.id)).map((c) => c.id);
	}

	/** This tick's samples, and the latest one of each live container not sampled in it. */
	private withLatest(
		containers: readonly ContainerMetadata[],
		fresh: ReadonlyMap<string, ContainerMetrics>,
	): Map<string, ContainerMetrics> {
		const metrics = new Map(fresh);
		for (const container of containers) {
			const latest = this.snapshot.metrics.get(container.id);
			if (latest && !metrics.has(container.id) && isLive(container)) metrics.set(container.id, latest);
		}
		return metrics;
	}

	private record(containers: readonly ContainerMetadata[], metrics: ReadonlyMap<string, ContainerMetrics>): void {
		for (const container of containers) {
			let history = this.history.get(container.id);
			if (!history) {
				history = {cpu: new Series(this.historySize), mem: new Series(this.historySize)};
				this.history.set(container.id, history);
			}
			const sample = metrics.get(container.id);
			// A gap (NaN) while it is not running, or not sampled, keeps every graph on the same time axis.
			history.cpu.push(sample ? sample.cpuPercent : Number.NaN);
			history.mem.push(sample ? sample.memoryMb : Number.NaN);
		}
		if (this.history.size > containers.length) {
			const listed = new Set(containers.map((container) => container.id));
			for (const id of this.history.keys()) if (!listed.has(id)) this.history.delete(id);
		}
	}

	/**
	 * Configs never change after create, but a container's address and host ports are those of
	 * its current run: each container is inspected when first seen and again when it starts or
	 * ends, off the tick; all that one tick discovers lands in a single publish.
	 */
	private inspectNew(containers: readonly ContainerMetadata[]): void {
		const stale = (container: ContainerMetadata) => {
			const info = this.snapshot.infos.get(container.id);
			return !info || !sameRun(info, container);
		};
		const fresh = containers.filter((container) => stale(container) && !this.inspecting.has(container.id)).map((c) => c.id);
		if (fresh.length === 0) return;
		for (const id of fresh) this.inspecting.add(id);
		void Promise.allSettled(fresh.map((id) => this.engine.inspectContainer(id))).then((results) => {
			for (const id of fresh) this.inspecting.delete(id);
			const listed = new Set(this.snapshot.containers.map((container) => container.id));
			const infos = new Map(this.snapshot.infos);
			let changed = false;
			for (const result of results) {
				// A failure (removed in between) is retried by the next tick if it is still listed.
				if (result.status === 'fulfilled' && listed.has(result.value.id)) {
					infos.set(result.value.id, result.value);
					changed = true;
				}
			}
			if (changed) this.publish({infos});
			this.inspectImages([...infos.values()]);
		});
	}

	/** An image never changes under its id: each is inspected once, whatever the outcome. */
	private inspectImages(infos: readonly ContainerInfo[]): void {
		const ids = new Set(infos.flatMap((info) => ociImageOf(info)?.id ?? []));
		const fresh = [...ids].filter((id) => !this.snapshot.images.has(id) && !this.inspectingImages.has(id));
		if (fresh.length === 0) return;
		for (const id of fresh) this.inspectingImages.add(id);
		void Promise.allSettled(fresh.map((id) => this.engine.inspectImage(id))).then((results) => {
			const images = new Map(this.snapshot.images);
			results.forEach((result, index) => {
				const id = fresh[index]!;
				this.inspectingImages.delete(id);
				images.set(id, result.status === 'fulfilled' ? {details: result.value} : {error: message(result.reason)});
			});
			this.publish({images});
		});
	}

	private runtimeOnce(): void {
		this.engine
			.doctor()
			.then((report) => {
				const runtime = report.runtime ? `${report.runtime.name} ${report.runtime.version}`.trim() : 'process';
				this.publish({runtime});
			})
			.catch(() => {
				// The header falls back to the runtimes the containers report.
			});
	}

	private publish(changes: Partial<Snapshot>): void {
		this.snapshot = {...this.snapshot, ...changes, version: this.snapshot.version + 1};
		for (const listener of this.listeners) listener();
	}
}
