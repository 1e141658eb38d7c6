import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag, containerResult} from '../lib/each-ref.js';
import {stopOptions} from '../lib/stop-options.js';

export const spec = defineCommand({
	name: 'restart',
	help: `
Usage
  $ c32 restart [options] CONTAINER...
  $ c32 restart [options] --all

Stop (if running) and start containers again.

Options
  -a, --all            Restart every container, stopped ones included
  -t, --time SECONDS   Wait this long before SIGKILL when stopping
  --json               A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 restart my-bot
  $ c32 restart -a`,
	flags: {...allFlag, time: {type: 'string', shortFlag: 't', aliases: ['timeout']}, json: {type: 'boolean'}},
	// At least one, or --all (checked with it: actOnEach).
	operands: {min: 0, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(
		spec,
		argv,
		ctx,
		async (engine, ref, flags) => {
			return containerResult(ref, await engine.restartContainer(ref, stopOptions(flags.time)));
		},
		(state) => state !== 'damaged',
	);
}
