import {type EventFilters, isC32Error, parseEventFilters} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {parseSince} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';
import {eventLine} from '../lib/event-view.js';
import {jsonText} from '../lib/json.js';
import {writeDrained} from '../lib/output.js';

export const spec = defineCommand({
	name: 'events',
	help: `
Usage
  $ c32 events [options]

Print the recorded events: every change of a container (create, start, die, oom, stop,
kill, pause, unpause, restart, exec, exec_died, rename, remove, health_status, ...), and
the image and network events (pull, load, import, tag, untag, remove, commit; create,
remove, connect, disconnect). One line each: time, type, event, name, short id, details.
The log is bounded (two files of 1 MiB under the storage root): the oldest go first.

Options
  --since WHEN         Only events since a timestamp (2026-01-31T12:00:00Z), unix seconds or a duration ago (10m, 2h)
  --until WHEN         Only events until then (the same forms); with -f, stop following then
  --filter KEY=VALUE   container=NAME|ID, event=die, label=KEY or label=KEY=VALUE,
                       type=container|image|network (repeatable: the same key ORs, different keys AND)
  -f, --follow         Keep printing events as they happen, until Ctrl-C
  --json               One JSON object a line: {"time", "subject", "event", "id", "name", "labels", "attributes"}

Examples
  $ c32 events --since 1h
  $ c32 events --filter container=my-bot --filter event=die --json
  $ c32 events -f --filter type=container`,
	flags: {
		since: {type: 'string'},
		until: {type: 'string'},
		filter: {type: 'string', isMultiple: true},
		follow: {type: 'boolean', shortFlag: 'f'},
		json: {type: 'boolean'},
	},
	operands: {min: 0, max: 0, label: 'nothing'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const now = ctx.now();
	const since = flags.since === undefined ? undefined : parseSince(flags.since, now, '--since');
	const until = flags.until === undefined ? undefined : parseSince(flags.until, now, '--until');
	let filters: EventFilters;
	try {
		filters = parseEventFilters(flags.filter ?? []);
	} catch (error) {
		if (isC32Error(error)) throw new UsageError(error.message);
		throw error;
	}
	const engine = await ctx.engine();
	const abort = new AbortController();
	const stopListening = ctx.onInterrupt(() => abort.abort());
	try {
		for await (const event of engine.events({since, until, filters, follow: flags.follow, signal: abort.signal})) {
			await writeDrained(ctx.stdout, `${flags.json ? jsonText(event, false) : eventLine(event)}\n`, abort.signal);
			if (abort.signal.aborted) break;
		}
	} finally {
		stopListening();
	}
	return 0;
}
