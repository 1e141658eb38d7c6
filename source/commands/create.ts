import {defineCommand} from '../lib/args.js';
import {
	containerFlags,
	containerOptionsHelp,
	containerUsage,
	dockerHabitHints,
	imageHelp,
	parseContainerCommand,
} from '../lib/container-options.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'create',
	help: `
${containerUsage('create')}

Create a container without starting it (start it with c32 start) and print its id.
${imageHelp}

Options${containerOptionsHelp}

Examples
  $ c32 create --name my-bot --memory-limit 512 --cpu-limit 100 ./bots/sample_bot.py
  $ c32 create --name my-bot --image ./bots/sample_bot.py --entrypoint python3 --args ./sample_bot.py
  $ c32 create --name job -v "$PWD/data:/data:ro" -- sh -c 'wc -l /data/*'`,
	flags: containerFlags,
	operands: {min: 0, max: 0, label: ''},
	hints: dockerHabitHints,
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, config} = await parseContainerCommand(spec, argv, ctx);
	const created = await (await ctx.engine()).createContainer(config);
	ctx.stdout.write(`${created.id}\n`);
	return 0;
}
