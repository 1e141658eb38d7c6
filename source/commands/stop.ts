import {defineCommand} from '../lib/args.js';
import {signalFlag} from '../lib/checked-flags.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag, containerResult} from '../lib/each-ref.js';
import {stopOptions} from '../lib/stop-options.js';

export const spec = defineCommand({
	name: 'stop',
	help: `
Usage
  $ c32 stop [options] CONTAINER...
  $ c32 stop [options] --all

Stop running containers: the stop signal (SIGTERM unless configured), then SIGKILL to the
whole container after the timeout. A stopped container stays stopped whatever its restart
policy.

Options
  -a, --all            Stop every running, paused or restarting container
  -t, --time SECONDS   Wait this long before SIGKILL (default: the container's stop timeout)
  -s, --signal SIGNAL  Send this signal instead of the container's stop signal (name or 1-64)
  --cidfile FILE       Stop the container whose id FILE holds (c32 run --cidfile)
  --ignore             A container (or --cidfile) that does not exist is no error
  --json               A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 stop my-bot
  $ c32 stop -t 2 worker-1 worker-2
  $ c32 stop -a`,
	flags: {
		...allFlag,
		time: {type: 'string', shortFlag: 't', aliases: ['timeout']},
		signal: {type: 'string', shortFlag: 's'},
		cidfile: {type: 'string'},
		ignore: {type: 'boolean'},
		json: {type: 'boolean'},
	},
	// At least one, or --cidfile (checked with it: containerRefs).
	operands: {min: 0, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(
		spec,
		argv,
		ctx,
		async (engine, ref, flags) => {
			// Checked before the engine is asked: a bad signal is a usage error for every ref.
			const signal = flags.signal === undefined ? undefined : signalFlag('--signal', flags.signal);
			return containerResult(ref, await engine.stopContainer(ref, {...stopOptions(flags.time), ...(signal === undefined ? {} : {signal})}));
		},
		(state) => state === 'running' || state === 'paused' || state === 'restarting',
	);
}
