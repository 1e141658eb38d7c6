import {defineCommand} from '../lib/args.js';
import {
	containerFlags,
	containerOptionsHelp,
	containerUsage,
	dockerHabitHints,
	imageHelp,
	parseContainerCommand,
} from '../lib/container-options.js';
import {containerJson} from '../lib/container-view.js';
import type {Context} from '../lib/context.js';
import {pullOptions} from '../lib/image-flags.js';
import {pullForContainer, pullPolicy} from '../lib/image-pull.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'create',
	help: `
${containerUsage('create')}

Create a container without starting it (start it with c32 start) and print its id.
${imageHelp}

Options
  --json                       Print the created container as JSON (docs/cli.md)${containerOptionsHelp}

Examples
  $ c32 create --name my-bot --memory-limit 512 --cpu-limit 100 ./examples/workers/bot.py
  $ c32 create --name my-bot --image ./examples/workers/bot.py --entrypoint python3 --args ./bot.py
  $ c32 create --name job -v "$PWD/examples/workers:/data:ro" -- sh -c 'wc -l /data/*'`,
	flags: {...containerFlags, json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
	hints: dockerHabitHints,
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, config} = await parseContainerCommand(spec, argv, ctx);
	const policy = pullPolicy(flags.pull);
	const engine = await ctx.engine();
	await pullForContainer(engine, config, {policy, pull: pullOptions(flags, ctx.cwd)}, ctx);
	const created = await engine.createContainer(config);
	if (flags.json) writeJson(ctx.stdout, containerJson(created));
	else ctx.stdout.write(`${created.id}\n`);
	return 0;
}
