import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {absolute} from '../lib/image-flags.js';
import {jsonText} from '../lib/json.js';

export const spec = defineCommand({
	name: 'export',
	help: `
Usage
  $ c32 export [options] CONTAINER

Write a container's state (metadata and full configuration) as JSON, to recreate it later
with c32 import, here or on another host. With --with-image, a tar holding the state and
the container's OCI image (so c32 import works where the image is not stored; the tar is
an oci-archive too).

Options
  -o, --output FILE   Write to FILE instead of stdout
  --with-image        Write a tar with the container's image too (needs -o; OCI images only)

Examples
  $ c32 export my-bot --output my-bot-state.json
  $ c32 export my-bot > my-bot-state.json
  $ c32 export --with-image -o my-bot.tar my-bot && c32 import my-bot.tar`,
	flags: {output: {type: 'string', shortFlag: 'o'}, withImage: {type: 'boolean'}},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	if (flags.withImage) {
		if (flags.output === undefined || flags.output === '-') throw new UsageError('--with-image writes a tar: give the file with -o FILE');
		await (await ctx.engine()).exportContainerArchive(operands[0]!, absolute(flags.output, ctx.cwd));
		return 0;
	}
	const engine = await ctx.engine();
	const text = `${jsonText(await engine.exportContainerState(operands[0]!))}\n`;
	if (flags.output === undefined || flags.output === '-') ctx.stdout.write(text);
	else await ctx.writeFile(flags.output, text);
	return 0;
}
