import {C32Error} from '../../engine/errors.js';
import type {ContainerLogEntry, Engine, LogOptions} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {parseSince} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';
import {namePrefixes, writeLogEntry, writeLogJson, writeMergedEntry, writeMergedJson} from '../lib/log-writer.js';
import {parseInteger} from '../lib/numbers.js';
import {type Filters, matchesFilters, parseFilters} from '../lib/ps-filter.js';

export const spec = defineCommand({
	name: 'logs',
	help: `
Usage
  $ c32 logs [options] CONTAINER...
  $ c32 logs [options] --filter K=V

Print a container's output: its stdout to stdout and its stderr to stderr, as the
container wrote it (escape sequences included; c32 top and --json show them escaped).
Of several containers (or those a filter selects): every line prefixed by its
container's name, interleaved by time.

Options
  -f, --follow        Keep printing new output until the container exits (or Ctrl-C); of
                      several containers: until Ctrl-C, through exits and restarts
  -n, --tail N        Only the last N lines ("all" for every line), of each container
  --since WHEN        Only output since a duration ago (10m, 2h) or a timestamp
  --until WHEN        Only output up to a duration ago or a timestamp
  -t, --timestamps    Prefix each line with its timestamp
  --stdout            Only the container's stdout
  --stderr            Only the container's stderr
  --filter K=V        The containers that match: name=, id= (prefix), status=,
                      label=KEY[=VALUE], isolation= (repeatable, as for ps)
  --stack NAME        The containers of a stack (c32 up), merged
  --json              One JSON object a line, to stdout: {"time", "stream", "text"}
                      (and "name", "id" of several containers)

Examples
  $ c32 logs my-bot
  $ c32 logs -f --tail 20 my-bot
  $ c32 logs --since 10m --stderr my-bot
  $ c32 logs web worker
  $ c32 logs -f --filter label=team=bots
  $ c32 logs --stack demo
  $ c32 logs --json my-bot | jq -r 'select(.stream == "stderr") | .text'`,
	flags: {
		follow: {type: 'boolean', shortFlag: 'f'},
		tail: {type: 'string', shortFlag: 'n'},
		since: {type: 'string'},
		until: {type: 'string'},
		timestamps: {type: 'boolean', shortFlag: 't'},
		stdout: {type: 'boolean'},
		stderr: {type: 'boolean'},
		filter: {type: 'string', isMultiple: true},
		stack: {type: 'string'},
		json: {type: 'boolean'},
	},
	operands: {min: 0, max: Number.POSITIVE_INFINITY, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	// A stack is its containers' label: --stack NAME is --filter label=c32.stack=NAME.
	if (flags.stack !== undefined && (operands.length > 0 || (flags.filter ?? []).length > 0)) {
		throw new UsageError('give containers, --filter or --stack, not several');
	}
	const filterWords = flags.stack === undefined ? (flags.filter ?? []) : [`label=c32.stack=${flags.stack}`];
	const filters = parseFilters(filterWords);
	if (operands.length === 0 && filters.size === 0) throw new UsageError('"c32 logs" needs a container (or --filter K=V)');
	if (operands.length > 0 && filters.size > 0) throw new UsageError('give containers or --filter, not both');
	const options: LogOptions = {follow: flags.follow};
	if (flags.stdout !== flags.stderr) options.stream = flags.stdout ? 'stdout' : 'stderr';
	if (flags.tail !== undefined && flags.tail !== 'all') {
		options.tail = parseInteger(flags.tail, '--tail');
		if (options.tail < 0) throw new UsageError(`invalid --tail "${flags.tail}": give a number of lines or "all"`);
	}
	if (flags.since !== undefined) options.since = parseSince(flags.since, ctx.now());
	if (flags.until !== undefined) options.until = parseSince(flags.until, ctx.now(), '--until');

	const engine = await ctx.engine();
	const abort = new AbortController();
	const stopListening = ctx.onInterrupt(() => abort.abort());
	try {
		if (operands.length === 1 && flags.stack === undefined) {
			for await (const entry of engine.getLogs(operands[0]!, {...options, signal: abort.signal})) {
				await (flags.json
					? writeLogJson(entry, ctx.stdout, abort.signal)
					: writeLogEntry(entry, ctx, flags.timestamps === true, abort.signal));
				if (abort.signal.aborted) break;
			}
		} else {
			const containers = operands.length > 0 ? await named(engine, operands) : await matching(engine, filters, filterWords);
			const entries = engine.getMergedLogs(
				containers.map((c) => c.id),
				{...options, signal: abort.signal},
			);
			await writeMerged(entries, ctx, containers, {json: flags.json === true, timestamps: flags.timestamps === true}, abort.signal);
		}
	} catch (error) {
		if (!abort.signal.aborted) throw error;
	} finally {
		stopListening();
	}
	return 0;
}

type Named = {id: string; name: string};

/** The containers a filter selects, oldest first; none is an error. */
async function matching(engine: Engine, filters: Filters, words: string[]): Promise<Named[]> {
	const containers = (await engine.listContainers()).filter((c) => matchesFilters(c, filters));
	if (containers.length === 0) {
		throw new C32Error('NOT_FOUND', `no container matches ${words.map((word) => `--filter ${word}`).join(' ')}: see c32 ps -a`);
	}
	return containers.map(({id, name}) => ({id, name}));
}

/** Id and name of each container named, in the order given, each once; an unknown one fails them all. */
async function named(engine: Engine, refs: readonly string[]): Promise<Named[]> {
	const seen = new Map<string, string>();
	for (const ref of refs) {
		const {id, name} = await engine.getContainer(ref);
		seen.set(id, name);
	}
	return [...seen].map(([id, name]) => ({id, name}));
}

async function writeMerged(
	entries: AsyncIterable<ContainerLogEntry>,
	ctx: Context,
	containers: Named[],
	format: {json: boolean; timestamps: boolean},
	signal: AbortSignal,
): Promise<void> {
	const prefixes = namePrefixes(containers, ctx, ctx.env);
	for await (const entry of entries) {
		await (format.json ? writeMergedJson(entry, ctx.stdout, signal) : writeMergedEntry(entry, ctx, prefixes, format.timestamps, signal));
		if (signal.aborted) break;
	}
}
