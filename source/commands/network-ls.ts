import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';
import {byCreation, NETWORK_HEADERS, networkRows} from '../lib/network-view.js';
import {renderTable} from '../lib/table.js';

export const spec = defineCommand({
	name: 'network ls',
	help: `
Usage
  $ c32 network ls [options]      (alias: network list)

List the networks of this storage root, oldest first, with how many containers are on each.

Options
  -q, --quiet    Only the names, one per line
  --json         A JSON array: name, id, subnet, gateway, bridge, internal, createdAt,
                 containers (docs/cli.md)
  --no-trunc     Full network ids

Examples
  $ c32 network ls
  $ c32 network ls --json | jq -r '.[].subnet'`,
	flags: {
		quiet: {type: 'boolean', shortFlag: 'q'},
		json: {type: 'boolean'},
		trunc: {type: 'boolean', default: true},
	},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const networks = byCreation(await (await ctx.engine()).listNetworks());
	if (flags.json) writeJson(ctx.stdout, networks);
	else if (flags.quiet) ctx.stdout.write(networks.map((network) => `${network.name}\n`).join(''));
	else ctx.stdout.write(renderTable(NETWORK_HEADERS, networkRows(networks, !flags.trunc)));
	return 0;
}
