import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'start',
	help: `
Usage
  $ c32 start CONTAINER...

Start one or more created or stopped containers (they run detached).

Options
  --json   A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 start my-bot
  $ c32 start $(c32 ps -aq)`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref) => {
		return containerResult(ref, await engine.startContainer(ref));
	});
}
