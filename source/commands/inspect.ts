import type {ContainerInfo} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, errorLine} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'inspect',
	help: `
Usage
  $ c32 inspect CONTAINER...

Print a JSON array with everything c32 knows about the containers: state, timestamps,
exit code, its network (name, ip, gateway, published ports; null on the host's network) and
the full configuration as the engine stores it (docs/cli.md).

Examples
  $ c32 inspect my-bot
  $ c32 inspect my-bot | jq '.[0].config.resourceLimits'
  $ c32 inspect web | jq -r '.[0].network.ip'`,
	flags: {},
	operands: {min: 1, max: Infinity, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const engine = await ctx.engine();
	const found: ContainerInfo[] = [];
	let failed = false;
	// Like docker: print what was found, complain about the rest, fail if anything was missing.
	for (const ref of operands) {
		try {
			found.push(await engine.inspectContainer(ref));
		} catch (error) {
			failed = true;
			ctx.stderr.write(errorLine(error));
		}
	}
	writeJson(ctx.stdout, found);
	return failed ? EXIT.failed : EXIT.ok;
}
