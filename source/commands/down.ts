import {downStack} from '../../engine/stack/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {readStack} from '../lib/stack-file.js';

export const spec = defineCommand({
	name: 'down',
	help: `
Usage
  $ c32 down [options]

Remove what c32 up made of a stack, and only that: its containers (by their c32.stack
label) and the networks it declares (not external ones). Bind-mounted host paths stay.

Options
  -f, --file FILE   The compose file (default: as c32 up finds it)
  --volumes         Accepted for compose's sake: a c32 stack has only bind mounts, host
                    paths that down never deletes, so there is nothing more to remove

Examples
  $ c32 down
  $ c32 down -f examples/stack/compose.yaml`,
	flags: {
		file: {type: 'string', shortFlag: 'f'},
		volumes: {type: 'boolean', shortFlag: 'v'},
	},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const stack = await readStack(flags.file, ctx);
	const removed = await downStack(await ctx.engine(), stack);
	const lines = [...removed.containers.map((name) => `remove ${name}`), ...removed.networks.map((name) => `remove network ${name}`)];
	ctx.stdout.write(lines.map((line) => `${escapeControl(line)}\n`).join(''));
	return 0;
}
