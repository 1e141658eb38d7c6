import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'network disconnect',
	help: `
Usage
  $ c32 network disconnect NETWORK CONTAINER

Take a container off a network: it keeps only its loopback (network none) until it is
connected to another.

Examples
  $ c32 network disconnect team my-bot`,
	flags: {},
	operands: {min: 2, max: 2, label: 'network and container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const [network, container] = operands as [string, string];
	await (await ctx.engine()).disconnectNetwork(container, network);
	return 0;
}
