import {defineCommand, parseArgs} from '../lib/args.js';
import {attachExisting} from '../lib/attach-session.js';
import type {Context} from '../lib/context.js';
import {actOnEach, containerResult} from '../lib/each-ref.js';
import {UsageError} from '../lib/errors.js';

export const spec = defineCommand({
	name: 'start',
	help: `
Usage
  $ c32 start CONTAINER...
  $ c32 start -a [-i] CONTAINER

Start one or more created or stopped containers (they run detached). With -a, start one
attached: its output is printed from its first byte, and c32 exits with its exit code;
-i also forwards your stdin (a container created with -i), and for a container created
with -it your terminal, in raw mode. Ctrl-P Ctrl-Q detaches and leaves it running.

Options
  -a, --attach         Attach to the container's output (and terminal) until it ends
  -i, --interactive    Attach your stdin too (implies -a)
  --detach-keys KEYS   Keys that detach from -i (default ctrl-p,ctrl-q)
  --json               A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 start my-bot
  $ c32 start $(c32 ps -aq)
  $ c32 create -it --name shell -- sh && c32 start -ai shell`,
	flags: {
		attach: {type: 'boolean', shortFlag: 'a'},
		interactive: {type: 'boolean', shortFlag: 'i'},
		detachKeys: {type: 'string'},
		json: {type: 'boolean'},
	},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	if (!flags.attach && !flags.interactive) {
		if (flags.detachKeys !== undefined) throw new UsageError('--detach-keys goes with -i');
		return actOnEach(spec, argv, ctx, async (engine, ref) => containerResult(ref, await engine.startContainer(ref)));
	}
	if (operands.length > 1) throw new UsageError('start -a or -i attaches to one container: give one');
	if (flags.json) throw new UsageError("--json goes without -a: attached, c32 start prints the container's own output");
	if (flags.detachKeys !== undefined && !flags.interactive) throw new UsageError('--detach-keys goes with -i');
	return attachExisting(await ctx.engine(), ctx, operands[0]!, {
		wantStdin: flags.interactive === true,
		start: true,
		detachKeys: flags.detachKeys,
	});
}
