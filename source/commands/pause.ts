import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'pause',
	help: `
Usage
  $ c32 pause CONTAINER...

Freeze every process of running containers (cgroup freezer). Resume with c32 resume.

Options
  --json   A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 pause my-bot`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref) => {
		return containerResult(ref, await engine.pauseContainer(ref));
	});
}
