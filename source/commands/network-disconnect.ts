import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'network disconnect',
	help: `
Usage
  $ c32 network disconnect NETWORK CONTAINER

Take a container off one of its networks: a running one loses that interface at once
and keeps running on the others. Leaving its first network drops the published ports
and the bandwidth limit (they belonged to it); off its last network it has loopback only.

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
