import type {NetworkInfo} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, errorLine} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'network inspect',
	help: `
Usage
  $ c32 network inspect NETWORK...

Print a JSON array with everything c32 knows about the networks: name, id, subnet, gateway,
bridge, internal, createdAt and the names of the containers on it (docs/cli.md).

Examples
  $ c32 network inspect c32
  $ c32 network inspect team | jq -r '.[0].containers[]'`,
	flags: {},
	operands: {min: 1, max: Infinity, label: 'network'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const found: NetworkInfo[] = [];
	let failed = false;
	// As c32 inspect: print what was found, complain about the rest, fail if anything was missing.
	for (const name of operands) {
		try {
			found.push(await engine.inspectNetwork(name));
		} catch (error) {
			failed = true;
			ctx.stderr.write(errorLine(error));
		}
	}
	writeJson(ctx.stdout, found);
	return failed ? EXIT.failed : EXIT.ok;
}
