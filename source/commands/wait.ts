import {defineCommand} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {actOnEach} from '../lib/each-ref.js';

export const spec = defineCommand({
	name: 'wait',
	help: `
Usage
  $ c32 wait CONTAINER...

Block until the containers stop, then print each one's exit code.

Options
  --json   A JSON array, one element per container: ref and exitCode (docs/cli.md)

Examples
  $ c32 wait my-bot
  $ code=$(c32 wait job) && echo "job exited with $code"`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export function main(argv: string[], ctx: Context): Promise<number> {
	return actOnEach(spec, argv, ctx, async (engine, ref) => {
		const exitCode = await engine.waitContainer(ref);
		return {line: String(exitCode), json: {exitCode}};
	});
}
