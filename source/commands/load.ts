import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {absolute, quietFlag} from '../lib/image-flags.js';
import {runTransfer} from '../lib/transfer.js';

export const spec = defineCommand({
	name: 'load',
	help: `
Usage
  $ c32 load -i FILE [options]

Store the images of an archive written by c32 save, podman save or docker save: an
oci-archive or a docker-archive (told apart by content). Prints "Loaded image: NAME" for
each name (the id for an image without one).

Options
  -i, --input FILE   The archive to read
  -q, --quiet        Print the ids of the loaded images only, no progress

Examples
  $ c32 save localhost/tools:1 -o tools.tar && c32 load -i tools.tar
  $ c32 load -q -i bot-docker.tar`,
	flags: {input: {type: 'string', shortFlag: 'i'}, ...quietFlag},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	if (flags.input === undefined) throw new UsageError('"c32 load" needs the archive: -i FILE');
	const engine = await ctx.engine();
	const file = absolute(flags.input, ctx.cwd);
	const images = await runTransfer(ctx, {quiet: flags.quiet, what: 'load'}, (transfer) => engine.loadImage(file, transfer));
	for (const image of images) {
		if (flags.quiet) ctx.stdout.write(`${image.id}\n`);
		else for (const name of image.names.length > 0 ? image.names : [image.id]) ctx.stdout.write(`Loaded image: ${name}\n`);
	}
	return 0;
}
