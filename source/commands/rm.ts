import path from 'node:path';
import {defineCommand} from '../lib/args.js';
import {removeCidfile} from '../lib/cidfile.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'rm',
	help: `
Usage
  $ c32 rm [options] CONTAINER...
  $ c32 rm [options] --all      (alias: remove)

Remove containers and everything c32 keeps for them (logs, bundle, runtime state).

Options
  -a, --all        Remove every container (with -f, running ones too)
  -f, --force      Kill a running or paused container first instead of refusing
  --cidfile FILE   Remove the container whose id FILE holds (c32 run --cidfile), and FILE
  --ignore         A container (or --cidfile) that does not exist is no error
  --json           A JSON array, one element per container: ref, id and name (docs/cli.md)

Examples
  $ c32 rm my-bot
  $ c32 rm -f $(c32 ps -aq)
  $ c32 rm -af`,
	flags: {
		...allFlag,
		force: {type: 'boolean', shortFlag: 'f'},
		cidfile: {type: 'string'},
		ignore: {type: 'boolean'},
		json: {type: 'boolean'},
	},
	// At least one, or --cidfile (checked with it: containerRefs).
	operands: {min: 0, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(
		spec,
		argv,
		ctx,
		async (engine, ref, flags) => {
			// Only --json needs to know what the ref named; a plain rm asks the engine once.
			const removed = flags.json ? await engine.getContainer(ref) : null;
			await engine.removeContainer(removed?.id ?? ref, {force: flags.force});
			// The id file names a container that is gone now (only an id ref can be from it).
			if (flags.cidfile !== undefined) removeCidfile(path.resolve(ctx.cwd, flags.cidfile), ref);
			return {line: ref, json: {id: removed?.id, name: removed?.name}};
		},
		() => true,
	);
}
