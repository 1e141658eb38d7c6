import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'resume',
	help: `
Usage
  $ c32 resume CONTAINER...      (alias: unpause)

Thaw paused containers.

Examples
  $ c32 resume my-bot`,
	flags: {},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref) => {
		await engine.resumeContainer(ref);
		return ref;
	});
}
