import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'notify rm',
	help: `
Usage
  $ c32 notify rm ID|URL...      (alias: notify remove)

Remove webhooks, by the id c32 notify add printed or by their URL (every webhook with it).

Examples
  $ c32 notify rm 3fa9c1b2
  $ c32 notify rm https://hooks.example.com/c32`,
	flags: {},
	operands: {min: 1, max: Infinity, label: 'webhook'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	for (const ref of operands) {
		for (const hook of await engine.removeWebhook(ref)) ctx.stdout.write(`${escapeControl(hook.id)}\n`);
	}
	return 0;
}
