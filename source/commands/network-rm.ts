import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {forEachRef} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'network rm',
	help: `
Usage
  $ c32 network rm NETWORK...      (alias: network remove)

Remove networks: their bridge, NAT rules and address leases. A network a container is on
(running or not) is refused: remove the container or disconnect it first.

Options
  --json   A JSON array, one element per network: ref, or ref and error (docs/cli.md)

Examples
  $ c32 network rm team
  $ c32 network rm $(c32 network ls -q | grep -vx c32)`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'network'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	return forEachRef(
		operands,
		ctx,
		async (name) => {
			await engine.removeNetwork(name);
			return {line: name, json: {}};
		},
		flags.json === true,
	);
}
