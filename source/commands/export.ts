import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {jsonText} from '../lib/json.js';

export const spec = defineCommand({
	name: 'export',
	help: `
Usage
  $ c32 export [options] CONTAINER

Write a container's state (metadata and full configuration) as JSON, to recreate it later
with c32 import, here or on another host.

Options
  -o, --output FILE   Write to FILE instead of stdout

Examples
  $ c32 export my-bot --output my-bot-state.json
  $ c32 export my-bot > my-bot-state.json`,
	flags: {output: {type: 'string', shortFlag: 'o'}},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const text = `${jsonText(await engine.exportContainerState(operands[0]!))}\n`;
	if (flags.output === undefined || flags.output === '-') ctx.stdout.write(text);
	else await ctx.writeFile(flags.output, text);
	return 0;
}
