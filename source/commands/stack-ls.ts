import {summarizeStacks} from '../../engine/stack/plan.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';
import {renderTable} from '../lib/table.js';

export const spec = defineCommand({
	name: 'stack ls',
	help: `
Usage
  $ c32 stack ls [--json]

The stacks of this storage root: name, services, running/total containers.

Examples
  $ c32 stack ls`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const stacks = summarizeStacks(await (await ctx.engine()).listContainers());
	if (flags.json) {
		writeJson(ctx.stdout, stacks);
		return 0;
	}
	const rows = stacks.map((s) => [escapeControl(s.name), escapeControl(s.services.join(',')), `${s.running}/${s.total}`]);
	ctx.stdout.write(renderTable(['NAME', 'SERVICES', 'RUNNING'], rows));
	return 0;
}
