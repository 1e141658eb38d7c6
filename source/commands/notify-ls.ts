import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';
import {renderTable} from '../lib/table.js';

export const spec = defineCommand({
	name: 'notify ls',
	help: `
Usage
  $ c32 notify ls [options]      (alias: notify list)

List the webhooks: id, URL, events, timeout of one attempt.

Options
  --json   A JSON array: id, url, events, timeoutMs, createdAt

Examples
  $ c32 notify ls
  $ c32 notify ls --json | jq -r '.[].url'`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const webhooks = (await ctx.engine()).listWebhooks();
	if (flags.json) writeJson(ctx.stdout, webhooks);
	else {
		const rows = webhooks.map((hook) => [hook.id, hook.url, hook.events.join(','), `${hook.timeoutMs / 1000}s`].map(escapeControl));
		ctx.stdout.write(renderTable(['ID', 'URL', 'EVENTS', 'TIMEOUT'], rows));
	}
	return 0;
}
