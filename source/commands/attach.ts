import {defineCommand, parseArgs} from '../lib/args.js';
import {attachExisting} from '../lib/attach-session.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'attach',
	help: `
Usage
  $ c32 attach [options] CONTAINER

Attach to a running container: print its output from now on, forward your stdin to it
when it was created with -i, and for one created with -it connect your terminal (raw
mode; resizes follow). c32 exits with the container's exit code when it ends.
Ctrl-P Ctrl-Q detaches and leaves it running. Without a terminal of its own, Ctrl-C
stops the container (twice: kills it), as attached run does.

Options
  --detach-keys KEYS   Keys that detach (default ctrl-p,ctrl-q)
  --no-stdin           Do not forward stdin: only watch the output

Examples
  $ c32 attach shell
  $ c32 attach --no-stdin my-bot
  $ c32 attach --detach-keys ctrl-a,d shell`,
	flags: {
		detachKeys: {type: 'string'},
		stdin: {type: 'boolean', default: true},
	},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	return attachExisting(await ctx.engine(), ctx, operands[0]!, {wantStdin: flags.stdin, start: false, detachKeys: flags.detachKeys});
}
