import type {LogOptions} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {parseSince} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';
import {writeLogEntry, writeLogJson} from '../lib/log-writer.js';
import {parseInteger} from '../lib/numbers.js';

export const spec = defineCommand({
	name: 'logs',
	help: `
Usage
  $ c32 logs [options] CONTAINER

Print a container's output: its stdout to stdout and its stderr to stderr, as the
container wrote it (escape sequences included; c32 top and --json show them escaped).

Options
  -f, --follow        Keep printing new output until the container exits (or Ctrl-C)
  -n, --tail N        Only the last N lines ("all" for every line)
  --since WHEN        Only output since a duration ago (10m, 2h) or a timestamp
  -t, --timestamps    Prefix each line with its timestamp
  --stdout            Only the container's stdout
  --stderr            Only the container's stderr
  --json              One JSON object a line, to stdout: {"time", "stream", "text"}

Examples
  $ c32 logs my-bot
  $ c32 logs -f --tail 20 my-bot
  $ c32 logs --since 10m --stderr my-bot
  $ c32 logs --json my-bot | jq -r 'select(.stream == "stderr") | .text'`,
	flags: {
		follow: {type: 'boolean', shortFlag: 'f'},
		tail: {type: 'string', shortFlag: 'n'},
		since: {type: 'string'},
		timestamps: {type: 'boolean', shortFlag: 't'},
		stdout: {type: 'boolean'},
		stderr: {type: 'boolean'},
		json: {type: 'boolean'},
	},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const options: LogOptions = {follow: flags.follow};
	if (flags.stdout !== flags.stderr) options.stream = flags.stdout ? 'stdout' : 'stderr';
	if (flags.tail !== undefined && flags.tail !== 'all') {
		options.tail = parseInteger(flags.tail, '--tail');
		if (options.tail < 0) throw new UsageError(`invalid --tail "${flags.tail}": give a number of lines or "all"`);
	}
	if (flags.since !== undefined) options.since = parseSince(flags.since, ctx.now());

	const engine = await ctx.engine();
	const abort = new AbortController();
	const stopListening = ctx.onInterrupt(() => abort.abort());
	try {
		for await (const entry of engine.getLogs(operands[0]!, {...options, signal: abort.signal})) {
			await (flags.json
				? writeLogJson(entry, ctx.stdout, abort.signal)
				: writeLogEntry(entry, ctx, flags.timestamps === true, abort.signal));
			if (abort.signal.aborted) break;
		}
	} catch (error) {
		if (!abort.signal.aborted) throw error;
	} finally {
		stopListening();
	}
	return 0;
}
