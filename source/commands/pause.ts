import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'pause',
	help: `
Usage
  $ c32 pause CONTAINER...
  $ c32 pause [options] --all

Freeze every process of running containers (cgroup freezer). Resume with c32 resume.

Options
  -a, --all   Pause every running container
  --json      A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 pause my-bot
  $ c32 pause -a`,
	flags: {...allFlag, json: {type: 'boolean'}},
	// At least one, or --all (checked with it: actOnEach).
	operands: {min: 0, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(
		spec,
		argv,
		ctx,
		async (engine, ref) => {
			return containerResult(ref, await engine.pauseContainer(ref));
		},
		(state) => state === 'running',
	);
}
