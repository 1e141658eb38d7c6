// The events a saved record change means: a pure function of the record before and after,
// called at the one place a record is written (lifecycle/context.ts save). So an end noticed
// by reconcile is recorded by whoever saves it first, once — every later read finds the end
// already saved and nothing changed.
import type {ContainerRecord} from '../record.js';
import type {EventValue, NewEvent} from './types.js';

const LIVE = new Set(['running', 'paused']);

/** An event of this container, named and labelled as it is now. */
export function containerEvent(record: ContainerRecord, name: string, attributes: Record<string, EventValue> = {}): NewEvent {
	const {metadata: meta} = record;
	return {subject: 'container', event: name, id: meta.id, name: meta.name, labels: meta.labels, attributes};
}

export function transitionEvents(before: ContainerRecord | null, after: ContainerRecord): NewEvent[] {
	const {metadata: meta} = after;
	const event = (name: string, attributes: Record<string, EventValue> = {}) => containerEvent(after, name, attributes);
	if (before === null) return [event('create', {image: meta.image, isolation: meta.isolationLevel})];

	const events: NewEvent[] = [];
	const was = before.metadata;
	if (was.name !== meta.name) events.push(event('rename', {oldName: was.name}));
	// A policy's restart is counted when its start begins.
	if (meta.restartCount > was.restartCount) events.push(event('restart', {reason: 'policy', restartCount: meta.restartCount}));
	if (meta.state === 'running' && meta.startedAt !== null && meta.startedAt !== was.startedAt) {
		events.push(event('start', {pid: meta.pid}));
	}
	const wasLive = LIVE.has(was.state);
	const isLive = LIVE.has(meta.state);
	const startEnded = before.internal.startingAt !== null && after.internal.startingAt === null && !isLive;
	if ((wasLive && !isLive) || startEnded) events.push(...endEvents(event, after));
	if (meta.state === 'stopped' && was.state !== 'stopped') events.push(event('stop', {exitCode: meta.exitCode}));
	if (was.state === 'running' && meta.state === 'paused') events.push(event('pause'));
	if (was.state === 'paused' && meta.state === 'running') events.push(event('unpause'));
	return events;
}

/** die (and oom when the kernel killed it): how it ended, and the restart planned, if any. */
function endEvents(event: (name: string, attributes?: Record<string, EventValue>) => NewEvent, record: ContainerRecord): NewEvent[] {
	const {metadata: meta} = record;
	const attributes: Record<string, EventValue> = {exitCode: meta.exitCode, oomKilled: meta.oomKilled, state: meta.state};
	if (meta.errorMessage !== null) attributes['error'] = meta.errorMessage;
	if (meta.nextRestartAt !== null) attributes['nextRestartAt'] = meta.nextRestartAt;
	const events = [event('die', attributes)];
	if (meta.oomKilled) events.push(event('oom', {exitCode: meta.exitCode}));
	return events;
}
