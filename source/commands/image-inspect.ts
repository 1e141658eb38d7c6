import type {ImageDetails} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, errorLine} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'image inspect',
	help: `
Usage
  $ c32 image inspect IMAGE...

Print a JSON array with everything c32 knows about the images: id, names, digest, size,
architecture and os, the config containers start with (entrypoint, cmd, env, workingDir,
user, stopSignal, labels, exposedPorts), the layers bottom first, and the containers that
use it (docs/cli.md). IMAGE is a name, name@digest or an id (12 hex digits or more).

Examples
  $ c32 image inspect localhost/tools:1
  $ c32 image inspect tools:1 | jq '.[0].config.cmd'`,
	flags: {},
	operands: {min: 1, max: Infinity, label: 'name or id of an image'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const found: ImageDetails[] = [];
	let failed = false;
	// As c32 inspect: print what was found, complain about the rest, fail if anything was missing.
	for (const ref of operands) {
		try {
			found.push(await engine.inspectImage(ref));
		} catch (error) {
			failed = true;
			ctx.stderr.write(errorLine(error));
		}
	}
	writeJson(ctx.stdout, found);
	return failed ? EXIT.failed : EXIT.ok;
}
