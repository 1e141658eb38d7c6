import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'network create',
	help: `
Usage
  $ c32 network create [options] NAME

Create a network: a bridge of its own with a private subnet and outbound NAT. Its containers
reach each other by name (and --network-alias); containers of other networks cannot reach
them. Prints the network's name.

Options
  --subnet CIDR   Its subnet, e.g. 10.91.0.0/24 (default: the next free 10.90.N.0/24);
                  one that overlaps another network or a route of the host is refused
  --internal      No outbound traffic: its containers reach only each other
  --json          The new network as JSON (fields in docs/cli.md)

Examples
  $ c32 network create team
  $ c32 network create --subnet 10.91.0.0/24 --internal backend`,
	flags: {subnet: {type: 'string'}, internal: {type: 'boolean'}, json: {type: 'boolean'}},
	operands: {min: 1, max: 1, label: 'network name'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const options = {...(flags.subnet === undefined ? {} : {subnet: flags.subnet}), ...(flags.internal ? {internal: true} : {})};
	const network = await engine.createNetwork(operands[0]!, options);
	if (flags.json) writeJson(ctx.stdout, network);
	else ctx.stdout.write(`${network.name}\n`);
	return 0;
}
