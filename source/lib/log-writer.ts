// Writes log entries back to the stream they came from, as `docker logs` does, or as JSON
// lines. The text is the container's own output, written as it is (docs/cli.md).
import type {ContainerLogEntry, LogEntry} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {colorEnabled, nameColor} from './color.js';
import type {OutputStream} from './context.js';
import {jsonText} from './json.js';
import {writeDrained} from './output.js';

export function writeLogEntry(
	entry: LogEntry,
	out: {stdout: OutputStream; stderr: OutputStream},
	timestamps: boolean,
	signal?: AbortSignal,
): Promise<void> {
	const stream = entry.stream === 'stderr' ? out.stderr : out.stdout;
	return writeDrained(stream, timestamps ? `${entry.timestamp} ${entry.line}\n` : `${entry.line}\n`, signal);
}

/** The documented `logs --json` line: {"time", "stream", "text"}. */
export function writeLogJson(entry: LogEntry, stdout: OutputStream, signal?: AbortSignal): Promise<void> {
	return writeDrained(stdout, `${jsonText({time: entry.timestamp, stream: entry.stream, text: entry.line}, false)}\n`, signal);
}

export interface Prefixes {
	/** The prefix of each container id, for lines written to stdout and to stderr. */
	stdout: Map<string, string>;
	stderr: Map<string, string>;
}

/**
 * "name | " for each container, names padded to the longest and each in a colour of its own
 * where that stream shows colour (a terminal, no NO_COLOR), as `docker compose logs` does.
 */
export function namePrefixes(
	containers: readonly {id: string; name: string}[],
	out: {stdout: OutputStream; stderr: OutputStream},
	env: NodeJS.ProcessEnv,
): Prefixes {
	const names = containers.map((c) => escapeControl(c.name));
	const width = Math.max(0, ...names.map((name) => [...name].length));
	const build = (stream: OutputStream) => {
		const color = colorEnabled(stream, env);
		return new Map(containers.map((c, index) => [c.id, `${nameColor(index, color)(names[index]!.padEnd(width))} | `]));
	};
	return {stdout: build(out.stdout), stderr: build(out.stderr)};
}

/** A merged log's line: the container's prefix, then what writeLogEntry writes. */
export function writeMergedEntry(
	entry: ContainerLogEntry,
	out: {stdout: OutputStream; stderr: OutputStream},
	prefixes: Prefixes,
	timestamps: boolean,
	signal?: AbortSignal,
): Promise<void> {
	const toStderr = entry.stream === 'stderr';
	const prefix = (toStderr ? prefixes.stderr : prefixes.stdout).get(entry.id) ?? `${escapeControl(entry.name)} | `;
	const text = timestamps ? `${prefix}${entry.timestamp} ${entry.line}\n` : `${prefix}${entry.line}\n`;
	return writeDrained(toStderr ? out.stderr : out.stdout, text, signal);
}

/** A merged log's JSON line: the single-container fields, and which container wrote it. */
export function writeMergedJson(entry: ContainerLogEntry, stdout: OutputStream, signal?: AbortSignal): Promise<void> {
	const line = {time: entry.timestamp, stream: entry.stream, text: entry.line, name: entry.name, id: entry.id};
	return writeDrained(stdout, `${jsonText(line, false)}\n`, signal);
}
