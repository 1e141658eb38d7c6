import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'rm',
	help: `
Usage
  $ c32 rm [options] CONTAINER...      (alias: remove)

Remove containers and everything c32 keeps for them (logs, bundle, runtime state).

Options
  -f, --force   Kill a running or paused container first instead of refusing
  --json        A JSON array, one element per container: ref, id and name (docs/cli.md)

Examples
  $ c32 rm my-bot
  $ c32 rm -f $(c32 ps -aq)`,
	flags: {force: {type: 'boolean', shortFlag: 'f'}, json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref, flags) => {
		// Only --json needs to know what the ref named; a plain rm asks the engine once.
		const removed = flags.json ? await engine.getContainer(ref) : null;
		await engine.removeContainer(removed?.id ?? ref, {force: flags.force});
		return {line: ref, json: {id: removed?.id, name: removed?.name}};
	});
}
