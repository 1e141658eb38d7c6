import type {DiskUsage} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';
import {formatDecimalBytes} from '../lib/size.js';
import {renderTable} from '../lib/table.js';

export const spec = defineCommand({
	name: 'system df',
	help: `
Usage
  $ c32 system df [--json]

How much disk c32's storage root uses: images (their blobs as stored, and what image prune
would reclaim), unpacked layers (a layer two images share is stored and counted once; SHARED
says how much of it is shared) and containers (what c32 keeps for each).

Options
  --json   The numbers in bytes (docs/cli.md)

Examples
  $ c32 system df
  $ c32 system df --json | jq .layers.shared`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export function diskUsageRows(usage: DiskUsage): string[][] {
	const size = formatDecimalBytes;
	return [
		['Images', String(usage.images.count), size(usage.images.size), size(usage.images.reclaimable), '-'],
		['Layers', String(usage.layers.count), size(usage.layers.size), '-', size(usage.layers.shared)],
		['Containers', String(usage.containers.count), size(usage.containers.size), '-', '-'],
	];
}

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const usage = await (await ctx.engine()).diskUsage();
	if (flags.json) writeJson(ctx.stdout, usage);
	else ctx.stdout.write(renderTable(['TYPE', 'TOTAL', 'SIZE', 'RECLAIMABLE', 'SHARED'], diskUsageRows(usage)));
	return 0;
}
