import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {stopOptions} from '../lib/stop-options.js';
import {actOnEach, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'stop',
	help: `
Usage
  $ c32 stop [options] CONTAINER...

Stop running containers: the stop signal (SIGTERM unless configured), then SIGKILL to the
whole container after the timeout. A stopped container stays stopped whatever its restart
policy.

Options
  -t, --time SECONDS   Wait this long before SIGKILL (default: the container's stop timeout)
  --json               A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 stop my-bot
  $ c32 stop -t 2 worker-1 worker-2`,
	flags: {time: {type: 'string', shortFlag: 't', aliases: ['timeout']}, json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref, flags) => {
		return containerResult(ref, await engine.stopContainer(ref, stopOptions(flags.time)));
	});
}
