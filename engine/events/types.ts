// What an event is: one change of a container (or later an image or network), as it is
// written to the events log and handed to hooks, webhooks and `c32 events`.

export const CONTAINER_EVENTS = [
	'create',
	'start',
	'die',
	'oom',
	'stop',
	'kill',
	'pause',
	'unpause',
	'restart',
	'restart_loop',
	'health_status',
	'exec',
	'exec_died',
	'rename',
	'remove',
	'threshold',
] as const;

export type ContainerEventName = (typeof CONTAINER_EVENTS)[number];

export type EventSubject = 'container' | 'image' | 'network';

export type EventValue = string | number | boolean | null;

export interface C32Event {
	/** ISO 8601 with milliseconds, UTC. */
	time: string;
	subject: EventSubject;
	/** A ContainerEventName for containers; image and network events name theirs (pull, connect, ...). */
	event: string;
	/** The container's full id, the image's id, the network's name. */
	id: string;
	/** The container's name when the event happened; null where there is none. */
	name: string | null;
	/** The container's labels, so `--filter label=` needs no record (which may be gone). */
	labels: Record<string, string>;
	/** What else is known: exitCode, oomKilled, signal, health, restartCount, command... */
	attributes: Record<string, EventValue>;
}

/** What an emitter gives; the time is filled in when it is not. */
export type NewEvent = Omit<C32Event, 'time' | 'labels' | 'attributes'> & Partial<Pick<C32Event, 'time' | 'labels' | 'attributes'>>;
