import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, containerResult} from '../lib/each-ref.js';
import {stopOptions} from '../lib/stop-options.js';

export const spec = defineCommand({
	name: 'restart',
	help: `
Usage
  $ c32 restart [options] CONTAINER...

Stop (if running) and start containers again.

Options
  -t, --time SECONDS   Wait this long before SIGKILL when stopping
  --json               A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 restart my-bot`,
	flags: {time: {type: 'string', shortFlag: 't', aliases: ['timeout']}, json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref, flags) => {
		return containerResult(ref, await engine.restartContainer(ref, stopOptions(flags.time)));
	});
}
