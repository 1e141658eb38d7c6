import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';
import {formatDecimalBytes} from '../lib/size.js';

export const spec = defineCommand({
	name: 'image prune',
	help: `
Usage
  $ c32 image prune [options]

Remove every untagged image that no container uses, and the layers only they needed; print
the ids removed and the space reclaimed. It asks first; without a terminal to ask on, it
needs --force.

Options
  -f, --force   Remove without asking
  --json        {"deleted": [ids], "reclaimedBytes": N}

Examples
  $ c32 image prune
  $ c32 image prune -f --json`,
	flags: {force: {type: 'boolean', shortFlag: 'f'}, json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	// Refused before looking, so a script fails the same way whether or not there is something to remove.
	if (!flags.force && ctx.stdin.isTTY !== true) {
		throw new Error('c32 image prune removes images for good and there is no terminal to confirm on: add --force');
	}
	const engine = await ctx.engine();
	if (!flags.force) {
		const untagged = (await engine.listImages()).filter((image) => image.names.length === 0).length;
		if (untagged === 0) {
			if (flags.json) writeJson(ctx.stdout, {deleted: [], reclaimedBytes: 0});
			else ctx.stdout.write('Total reclaimed space: 0B\n');
			return 0;
		}
		const answer = await ctx.ask(
			`Remove the untagged images no container uses (${untagged} untagged image${untagged === 1 ? '' : 's'})? [y/N] `,
		);
		if (!/^y(es)?$/i.test(answer.trim())) {
			ctx.stderr.write('Nothing removed.\n');
			return 0;
		}
	}
	const result = await engine.pruneImages();
	if (flags.json) writeJson(ctx.stdout, result);
	else
		ctx.stdout.write(
			`${result.deleted.map((id) => `Deleted: ${id}\n`).join('')}Total reclaimed space: ${formatDecimalBytes(result.reclaimedBytes)}\n`,
		);
	return 0;
}
