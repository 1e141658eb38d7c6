import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT} from '../lib/errors.js';

export const spec = defineCommand({
	name: 'notify test',
	help: `
Usage
  $ c32 notify test [ID|URL]

POST one event "test" to every webhook (or the one named) now, once, and say what each
answered. Exit 1 when one was not delivered.

Examples
  $ c32 notify test
  $ c32 notify test 3fa9c1b2`,
	flags: {},
	operands: {min: 0, max: 1, label: 'webhook'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const results = await (await ctx.engine()).testWebhooks(operands[0]);
	if (results.length === 0) ctx.stdout.write('no webhooks: add one with c32 notify add URL\n');
	for (const {webhook, error} of results) {
		ctx.stdout.write(`${escapeControl(`${webhook.id} ${webhook.url}: ${error ?? 'delivered'}`)}\n`);
	}
	return results.some((result) => result.error !== null) ? EXIT.failed : EXIT.ok;
}
