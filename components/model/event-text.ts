// The latest event as the status line shows it: "last event 13:24:56 die bot exitCode=3",
// its time in local hours, every part a container controls escaped.
import type {C32Event} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';

const SHOWN = ['exitCode', 'signal', 'health', 'oldName', 'command'];

export function eventSummary(event: C32Event): string {
	const time = new Date(event.time);
	const clock = Number.isNaN(time.getTime()) ? event.time : time.toTimeString().slice(0, 8);
	const subject = event.subject === 'container' ? '' : `${event.subject} `;
	const details = SHOWN.filter((key) => event.attributes[key] !== undefined && event.attributes[key] !== null).map(
		(key) => `${key}=${String(event.attributes[key]).slice(0, 40)}`,
	);
	return escapeControl(['last event', clock, `${subject}${event.event}`, event.name ?? event.id.slice(0, 12), ...details].join(' '));
}
