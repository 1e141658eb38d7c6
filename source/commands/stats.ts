import {setTimeout as sleep} from 'node:timers/promises';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, errorLine} from '../lib/errors.js';
import {jsonText, writeJsonLine} from '../lib/json.js';
import {inPlaceFrame, statsJson, statsTable} from '../lib/stats-view.js';

export const spec = defineCommand({
	name: 'stats',
	help: `
Usage
  $ c32 stats [options] [CONTAINER...]

Live CPU, memory, process and block I/O usage of running containers (all of them when none
is named), refreshed every second in place until Ctrl-C.

Options
  --no-stream   Print one sample and exit
  --json        JSON: one array (with --no-stream) or one array per line per sample

Examples
  $ c32 stats
  $ c32 stats --no-stream my-bot
  $ c32 stats --no-stream --json | jq '.[].memoryMb'`,
	flags: {
		stream: {type: 'boolean', default: true},
		json: {type: 'boolean'},
	},
	operands: {min: 0, max: Infinity, label: 'container'},
});

const INTERVAL_MS = 1000;

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	// The batch call skips what it cannot find (a container removed meanwhile); a name typed
	// wrong must still be reported, as docker does: the others are shown, the exit code is 1.
	const found = await Promise.all(
		operands.map(async (ref) => {
			try {
				return (await engine.getContainer(ref)).id;
			} catch (error) {
				ctx.stderr.write(errorLine(error));
				return null;
			}
		}),
	);
	const refs = operands.length > 0 ? found.filter((id): id is string => id !== null) : undefined;
	const code = found.includes(null) ? EXIT.failed : EXIT.ok;
	if (refs?.length === 0) return code;
	const hostMemoryMb = flags.json ? 0 : (await engine.getHostStats()).memoryTotalMb;

	if (!flags.stream) {
		const samples = await engine.getMetricsBatch(refs);
		ctx.stdout.write(flags.json ? `${jsonText(samples.map(statsJson))}\n` : statsTable(samples, hostMemoryMb));
		return code;
	}

	const abort = new AbortController();
	const stopListening = ctx.onInterrupt(() => abort.abort());
	const inPlace = ctx.stdout.isTTY === true && !flags.json;
	try {
		for (let frame = 0; !abort.signal.aborted; frame++) {
			const samples = await engine.getMetricsBatch(refs);
			if (flags.json) writeJsonLine(ctx.stdout, samples.map(statsJson));
			else {
				const table = statsTable(samples, hostMemoryMb);
				ctx.stdout.write(inPlace ? inPlaceFrame(table, frame === 0) : `${frame === 0 ? '' : '\n'}${table}`);
			}
			await sleep(INTERVAL_MS, undefined, {signal: abort.signal}).catch(() => undefined);
		}
	} finally {
		stopListening();
	}
	return code;
}
