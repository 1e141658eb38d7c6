import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';

export const spec = defineCommand({
	name: 'rename',
	help: `
Usage
  $ c32 rename CONTAINER NEW_NAME

Give a container a new name, running or not. Its id, hostname, logs and state stay as they
are. A name another container has is an error.

Examples
  $ c32 rename my-bot my-bot-old
  $ c32 rename 3f9a api`,
	flags: {},
	operands: {min: 0, max: 2, label: 'arguments'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	if (operands.length < 2) throw new UsageError('"c32 rename" needs a container and its new name');
	await (await ctx.engine()).renameContainer(operands[0]!, operands[1]!);
	return 0;
}
