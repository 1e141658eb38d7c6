// Runs container actions through the engine without ever blocking the screen, remembers
// which container is busy with what, and reports each outcome once.
import type {ContainerMetadata, Engine} from '../../engine/index.js';
import {isC32Error} from '../../engine/index.js';
import type {StatusMessage, Verb} from '../model/ui-state.js';

const PROGRESS: Record<Verb, string> = {
	start: 'starting',
	stop: 'stopping',
	restart: 'restarting',
	pause: 'pausing',
	resume: 'resuming',
	remove: 'removing',
};

const DONE: Record<Verb, string> = {
	start: 'Started',
	stop: 'Stopped',
	restart: 'Restarted',
	pause: 'Paused',
	resume: 'Resumed',
	remove: 'Removed',
};

export function progressWord(verb: Verb): string {
	return PROGRESS[verb];
}

export interface ActionRequest {
	verb: Verb;
	id: string;
	name: string;
	force: boolean;
}

export function describeError(error: unknown): string {
	if (isC32Error(error)) return `${error.message} [${error.code}]`;
	return error instanceof Error ? error.message : String(error);
}

export class ActionRunner {
	private pending: ReadonlyMap<string, Verb> = new Map();
	private readonly inFlight = new Set<Promise<void>>();
	private readonly listeners = new Set<() => void>();

	/** Receives each status message: on start, on success, on failure. */
	onStatus: (status: StatusMessage) => void = () => {};

	constructor(
		private readonly engine: Engine,
		/** Called after every action, to refresh the data at once. */
		private readonly settled: () => void,
		private readonly now: () => number = () => performance.now(),
	) {}

	subscribe = (listener: () => void): (() => void) => {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	};

	getPending = (): ReadonlyMap<string, Verb> => this.pending;

	run(request: ActionRequest): void {
		const busy = this.pending.get(request.id);
		if (busy) {
			this.onStatus({text: `${request.name} is busy ${PROGRESS[busy]}; try again when it is done`, tone: 'info'});
			return;
		}
		this.setPending(request.id, request.verb);
		this.onStatus({text: `${capitalise(PROGRESS[request.verb])} ${request.name}…`, tone: 'info'});
		const started = this.now();
		const work = this.call(request)
			.then(
				() => {
					const seconds = ((this.now() - started) / 1000).toFixed(1);
					this.onStatus({text: `${DONE[request.verb]} ${request.name} (${seconds}s)`, tone: 'ok'});
				},
				(error: unknown) => {
					this.onStatus({text: `Could not ${request.verb} ${request.name}: ${describeError(error)}`, tone: 'error'});
				},
			)
			.finally(() => {
				this.setPending(request.id, null);
				this.inFlight.delete(work);
				this.settled();
			});
		this.inFlight.add(work);
	}

	/** Resolves once every action started so far has finished. */
	async drain(): Promise<void> {
		while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
	}

	get busyCount(): number {
		return this.inFlight.size;
	}

	private call({verb, id, force}: ActionRequest): Promise<ContainerMetadata | undefined> {
		switch (verb) {
			case 'start':
				return this.engine.startContainer(id);
			case 'stop':
				return this.engine.stopContainer(id);
			case 'restart':
				return this.engine.restartContainer(id);
			case 'pause':
				return this.engine.pauseContainer(id);
			case 'resume':
				return this.engine.resumeContainer(id);
			case 'remove':
				return this.engine.removeContainer(id, {force}).then(() => undefined);
		}
	}

	private setPending(id: string, verb: Verb | null): void {
		const next = new Map(this.pending);
		if (verb) next.set(id, verb);
		else next.delete(id);
		this.pending = next;
		for (const listener of this.listeners) listener();
	}
}

function capitalise(word: string): string {
	return word.charAt(0).toUpperCase() + word.slice(1);
}
