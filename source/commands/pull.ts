import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {pullFlags, pullFlagsHelp, pullOptions, quietFlag} from '../lib/image-flags.js';
import {runTransfer} from '../lib/transfer.js';

export const spec = defineCommand({
	name: 'pull',
	help: `
Usage
  $ c32 pull [options] REF

Fetch an OCI image into the storage root (through skopeo) and print its id. REF is a
registry reference (127.0.0.1:5000/team/bot:1, docker.io/library/alpine:3.19) or a transport
skopeo knows: oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE. Progress goes to stderr:
a bar on a terminal, a line per layer otherwise.

Options${pullFlagsHelp}
  -q, --quiet            Print the image id only, no progress

Examples
  $ c32 pull --tls-verify=false 127.0.0.1:5000/team/bot:1
  $ c32 pull -q oci-archive:./bot.tar
  $ c32 pull --authfile ~/.docker/config.json registry.example.com/team/bot:2`,
	flags: {...pullFlags, ...quietFlag},
	operands: {min: 1, max: 1, label: 'image reference'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const image = await runTransfer(ctx, {quiet: flags.quiet, what: 'pull'}, (transfer) =>
		engine.pullImage(operands[0]!, {...pullOptions(flags, ctx.cwd), ...transfer}),
	);
	ctx.stdout.write(`${image.id}\n`);
	return 0;
}
