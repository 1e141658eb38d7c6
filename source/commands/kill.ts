import {defineCommand} from '../lib/args.js';
import {signalFlag} from '../lib/checked-flags.js';
import type {Context} from '../lib/context.js';
import {actOnEach, allFlag, containerResult} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'kill',
	help: `
Usage
  $ c32 kill [options] CONTAINER...
  $ c32 kill [options] --all

Send a signal to the main process of running containers.

Options
  -a, --all             Signal every running or paused container
  -s, --signal SIGNAL   The signal: a name (HUP, SIGUSR1, SIGRTMIN+3), or a number 1-64 (default SIGKILL)
  --json                A JSON array, one element per container (fields in docs/cli.md)

Examples
  $ c32 kill my-bot
  $ c32 kill -s HUP my-bot
  $ c32 kill -a -s TERM`,
	flags: {...allFlag, signal: {type: 'string', shortFlag: 's', default: 'SIGKILL'}, json: {type: 'boolean'}},
	// At least one, or --all (checked with it: actOnEach).
	operands: {min: 0, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(
		spec,
		argv,
		ctx,
		async (engine, ref, flags) => {
			// Checked before the engine is asked: a bad signal is a usage error for every ref.
			return containerResult(ref, await engine.killContainer(ref, signalFlag('--signal', flags.signal)));
		},
		(state) => state === 'running' || state === 'paused',
	);
}
