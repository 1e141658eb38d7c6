import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'resume',
	help: `
Usage
  $ c32 resume CONTAINER...      (alias: unpause)
  $ c32 resume [options] --all

Thaw paused containers.

Options
  -a, --all   Resume every paused container
  --json      A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 resume my-bot
  $ c32 resume -a`,
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
			return containerResult(ref, await engine.resumeContainer(ref));
		},
		(state) => state === 'paused',
	);
}
