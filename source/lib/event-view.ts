// How `c32 events` shows one event to people: one line, everything a container or user
// controls (names, labels, commands, errors) escaped for the terminal.
import type {C32Event} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';

/** `2026-12-02T13:14:59.123Z container die bot 3f2a9c1b7d4e exitCode=1 oomKilled=false` */
export function eventLine(event: C32Event): string {
	const id = event.id.replace(/^sha256:/, '').slice(0, 12);
	const attributes = Object.entries(event.attributes)
		.filter(([, value]) => value !== null && value !== '')
		.map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`);
	const words = [event.time, event.subject, event.event, event.name ?? '-', id, ...attributes];
	return escapeControl(words.join(' '));
}
