import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'tag',
	help: `
Usage
  $ c32 tag SOURCE TARGET      (also: c32 image tag)

Give the image SOURCE (a name or an id) the name TARGET too. A bare name is made local:

Examples
  $ c32 tag localhost/tools:1 tools:stable
  $ c32 tag tools:1 127.0.0.1:5000/team/tools:1`,
	flags: {},
	operands: {min: 2, max: 2, label: 'images (SOURCE and TARGET)'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	await (await ctx.engine()).tagImage(operands[0]!, operands[1]!);
	return 0;
}
