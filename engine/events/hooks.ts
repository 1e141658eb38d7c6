// Hooks: a command run on the host when a chosen event happens. What a hook is, how one is
// written on the command line ("die=/usr/local/bin/page-me --urgent"), and which events it
// can name. The command is an argv, never given to a shell: a user who wants one writes
// `sh -c '...'` themselves. See docs/events.md for the contract.
import {C32Error} from '../errors.js';
import {type C32Event, CONTAINER_EVENTS} from './types.js';

export interface ContainerHook {
	/** An event name (die, oom, start, ...), or unhealthy / healthy for a health_status with that health. */
	event: string;
	/** The program and its arguments, run as they are (no shell). */
	command: string[];
}

/** What a hook may name: every container event, and the two health outcomes. */
export const HOOK_EVENTS: readonly string[] = [...CONTAINER_EVENTS, 'unhealthy', 'healthy'];

const MAX_ARGS = 256;
const MAX_COMMAND_BYTES = 16 * 1024;

/** "restart-loop" is "restart_loop": the issue and podman spell it both ways. */
export function normalizeEventName(name: string): string {
	return name.trim().toLowerCase().replaceAll('-', '_');
}

/** Whether a hook (or webhook) naming `wanted` fires for this event. */
export function eventMatches(wanted: string, event: C32Event): boolean {
	if (wanted === event.event) return true;
	if ((wanted === 'unhealthy' || wanted === 'healthy') && event.event === 'health_status') return event.attributes['health'] === wanted;
	return false;
}

/** The event name of a hook, checked; INVALID_CONFIG names the ones there are. */
export function checkHookEvent(name: string, what = 'hook'): string {
	const event = normalizeEventName(name);
	if (!HOOK_EVENTS.includes(event)) {
		throw new C32Error('INVALID_CONFIG', `unknown ${what} event ${JSON.stringify(name)}: use one of ${HOOK_EVENTS.join(', ')}`);
	}
	return event;
}

/** A hook given as an object (the API, hooks.json), checked and normalised. */
export function checkHook(input: unknown, what = 'hook'): ContainerHook {
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		throw new C32Error('INVALID_CONFIG', `${what}: expected {event, command}`);
	}
	const {event, command} = input as {event?: unknown; command?: unknown};
	if (typeof event !== 'string') throw new C32Error('INVALID_CONFIG', `${what}.event: expected an event name such as die`);
	const argv = typeof command === 'string' ? splitCommand(command) : command;
	return {event: checkHookEvent(event, what), command: checkArgv(argv, what)};
}

function checkArgv(argv: unknown, what: string): string[] {
	if (!Array.isArray(argv) || argv.length === 0 || !argv.every((word) => typeof word === 'string')) {
		throw new C32Error('INVALID_CONFIG', `${what}.command: expected a program and its arguments`);
	}
	const words = argv as string[];
	if (words[0] === '') throw new C32Error('INVALID_CONFIG', `${what}.command: the program is empty`);
	if (words.some((word) => word.includes('\0'))) throw new C32Error('INVALID_CONFIG', `${what}.command: contains a NUL byte`);
	if (words.length > MAX_ARGS || Buffer.byteLength(words.join(' ')) > MAX_COMMAND_BYTES) {
		throw new C32Error('INVALID_CONFIG', `${what}.command: too long (at most ${MAX_ARGS} arguments, 16 KiB)`);
	}
	return [...words];
}

/** `--hook EVENT=CMD`: the event, then the command split into words. */
export function parseHookSpec(spec: string): ContainerHook {
	const eq = spec.indexOf('=');
	if (eq <= 0) {
		throw new C32Error('INVALID_CONFIG', `invalid hook ${JSON.stringify(spec)}: write EVENT=COMMAND, such as die=/usr/local/bin/notify`);
	}
	const event = checkHookEvent(spec.slice(0, eq));
	const command = splitCommand(spec.slice(eq + 1));
	if (command.length === 0) throw new C32Error('INVALID_CONFIG', `invalid hook ${JSON.stringify(spec)}: the command after "=" is empty`);
	return {event, command: checkArgv(command, 'hook')};
}

/**
 * Splits a command line into words as a shell would split it, and does nothing else: single
 * quotes keep everything, double quotes keep everything but \" \\ \$ and \` (the
 * backslash goes), a backslash outside quotes keeps the next character. No variables, globs,
 * pipes or redirections. INVALID_CONFIG for an unclosed quote or a trailing backslash. The
 * dashboard's command prompt splits its text with this too.
 */
export function splitCommand(text: string): string[] {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: "'" | '"' | null = null;
	for (let i = 0; i < text.length; i++) {
		const char = text[i]!;
		if (quote === "'") {
			if (char === "'") quote = null;
			else word += char;
		} else if (quote === '"') {
			if (char === '"') quote = null;
			else if (char === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
			else word += char;
		} else if (char === "'" || char === '"') {
			quote = char;
			inWord = true;
		} else if (char === '\\') {
			if (i + 1 === text.length) throw new C32Error('INVALID_CONFIG', 'the command ends with a lone backslash');
			word += text[++i];
			inWord = true;
		} else if (char === ' ' || char === '\t' || char === '\n') {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += char;
			inWord = true;
		}
	}
	if (quote !== null) throw new C32Error('INVALID_CONFIG', `unclosed ${quote === "'" ? 'single' : 'double'} quote in the command`);
	if (inWord) words.push(word);
	return words;
}
