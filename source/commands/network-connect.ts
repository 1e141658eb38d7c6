import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'network connect',
	help: `
Usage
  $ c32 network connect [options] NETWORK CONTAINER

Put a container on one more network: the others on it reach it by its name and its
aliases, and it reaches them. A running container gets a new interface (eth1, eth2...) at
once and stays on its other networks; a stopped one joins at its next start. Published
ports and the bandwidth limit stay on its first network.

Options
  --alias NAME   Another name it is known by on this network (repeatable)

Examples
  $ c32 network connect team my-bot
  $ c32 network connect --alias db team postgres-1`,
	flags: {alias: {type: 'string', isMultiple: true}},
	operands: {min: 2, max: 2, label: 'network and container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const [network, container] = operands as [string, string];
	const aliases = flags.alias ?? [];
	await (await ctx.engine()).connectNetwork(container, network, aliases.length > 0 ? {aliases} : {});
	return 0;
}
