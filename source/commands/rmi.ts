import {isC32Error} from '../../engine/errors.js';
import type {RemovedImage} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, errorLine, errorText} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'rmi',
	help: `
Usage
  $ c32 rmi [options] IMAGE...      (also: c32 image rm)

Remove images: each name given is untagged, and an image left without names is deleted
with the layers no other image needs. An image a container uses is refused; with -f it is
untagged and kept for that container until the container is removed (then image prune).
Prints "Untagged: NAME" and "Deleted: ID" lines.

Options
  -f, --force   Untag an image even though a container uses it
  --json        A JSON array, one element per IMAGE: ref, id, untagged, deleted (docs/cli.md)

Examples
  $ c32 rmi localhost/tools:1
  $ c32 rmi -f $(c32 images -aq)`,
	flags: {force: {type: 'boolean', shortFlag: 'f'}, json: {type: 'boolean'}},
	operands: {min: 1, max: Infinity, label: 'name or id of an image'},
});

/** docker's lines for one removal. */
export function removalLines(removed: RemovedImage): string[] {
	const lines = removed.untagged.map((name) => `Untagged: ${name}`);
	if (removed.deleted) lines.push(`Deleted: ${removed.id}`);
	return lines;
}

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const results: Record<string, unknown>[] = [];
	let failed = false;
	// One image at a time, in the order given: each succeeds or fails on its own.
	for (const ref of operands) {
		try {
			for (const removed of await engine.removeImages([ref], {force: flags.force})) {
				results.push({...removed, ref});
				if (!flags.json)
					ctx.stdout.write(
						removalLines(removed)
							.map((line) => `${escapeControl(line)}\n`)
							.join(''),
					);
			}
		} catch (error) {
			failed = true;
			ctx.stderr.write(errorLine(error));
			results.push({ref, error: {code: isC32Error(error) ? error.code : 'ERROR', message: errorText(error)}});
		}
	}
	if (flags.json) writeJson(ctx.stdout, results);
	return failed ? EXIT.failed : EXIT.ok;
}
