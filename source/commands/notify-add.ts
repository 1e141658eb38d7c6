import {isC32Error} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {parseSecondsOrDuration} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'notify add',
	help: `
Usage
  $ c32 notify add URL [options]

POST the chosen events to URL (http:// or https://) as JSON, Content-Type
application/json: one request per event, retried up to 3 times (after 1 s, then 3 s) when
it times out, cannot connect or gets a 5xx, 408 or 429. Prints the webhook's id.

Options
  --events LIST    Comma-separated events: die, oom, unhealthy, restart_loop (the default),
                   or any other container event (start, stop, healthy, ...)
  --timeout T      How long one attempt may take: 5s (the default), 500ms, 2 (seconds)
  --json           The webhook as JSON: id, url, events, timeoutMs, createdAt

Examples
  $ c32 notify add https://hooks.example.com/c32
  $ c32 notify add http://127.0.0.1:9000/events --events die,restart-loop --timeout 2s`,
	flags: {
		events: {type: 'string'},
		timeout: {type: 'string'},
		json: {type: 'boolean'},
	},
	operands: {min: 1, max: 1, label: 'URL'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const events = flags.events === undefined ? undefined : flags.events.split(',').map((event) => event.trim());
	if (events?.some((event) => event === '')) throw new UsageError(`invalid --events "${flags.events}": give names such as die,oom`);
	const timeoutMs = flags.timeout === undefined ? undefined : parseSecondsOrDuration(flags.timeout, '--timeout');
	const engine = await ctx.engine();
	let webhook: Awaited<ReturnType<typeof engine.addWebhook>>;
	try {
		webhook = await engine.addWebhook({url: operands[0]!, events, timeoutMs});
	} catch (error) {
		// A bad URL, event name or timeout is a mistake on the command line.
		if (isC32Error(error) && error.code === 'INVALID_CONFIG') throw new UsageError(error.message);
		throw error;
	}
	if (flags.json) writeJson(ctx.stdout, webhook);
	else ctx.stdout.write(`${escapeControl(webhook.id)}\n`);
	return 0;
}
