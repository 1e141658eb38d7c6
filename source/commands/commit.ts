import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {changeFlag, changeFlagHelp, checkChanges, quietFlag} from '../lib/image-flags.js';
import {runTransfer} from '../lib/transfer.js';

export const spec = defineCommand({
	name: 'commit',
	help: `
Usage
  $ c32 commit [options] CONTAINER NAME[:TAG]

Make a new image of a container made from an OCI image: what it changed in its root (files
added, changed and deleted) becomes a layer on top of its image's, and its config (command,
environment, working directory, user, stop signal) the image's config. Prints the new
image's id. A container with a host-derived root (a host path as its image) has no layer
of its own to commit.

Options${changeFlagHelp}
  -q, --quiet            Print the image id only, no progress

Examples
  $ c32 run --name setup tools:1 -- sh -c 'echo ready > /marker'
  $ c32 commit setup tools:2 && c32 run --rm tools:2 -- cat /marker
  $ c32 commit --change 'CMD ["/bin/sh", "-c", "cat /marker"]' setup tools:3`,
	flags: {...changeFlag, ...quietFlag},
	operands: {min: 2, max: 2, label: 'arguments (CONTAINER and NAME)'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const changes = checkChanges(flags.change ?? []);
	const engine = await ctx.engine();
	const image = await runTransfer(ctx, {quiet: flags.quiet, what: 'commit'}, (transfer) =>
		engine.commitContainer(operands[0]!, operands[1]!, {changes, ...transfer}),
	);
	ctx.stdout.write(`${escapeControl(image.id)}\n`);
	return 0;
}
