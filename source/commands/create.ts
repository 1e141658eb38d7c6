import {defineCommand, parseArgs, valueFlagNames} from '../lib/args.js';
import {
	type ContainerFlagValues,
	IMAGE_FLAGS,
	containerConfigFromFlags,
	containerFlags,
	containerOptionsHelp,
	imageHelp,
} from '../lib/container-options.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {splitRunArgv} from '../lib/run-argv.js';

export const spec = defineCommand({
	name: 'create',
	help: `
Usage
  $ c32 create [options] [IMAGE] [COMMAND [ARG...]]
  $ c32 create [options] --image PATH [-- COMMAND [ARG...]]

Create a container without starting it (start it with c32 start) and print its id.
${imageHelp}

Options${containerOptionsHelp.replace(/\n.*--rm .*$/m, '')}

Examples
  $ c32 create --name my-bot --memory-limit 512 --cpu-limit 100 ./bots/sample_bot.py
  $ c32 create --name my-bot --image ./bots/sample_bot.py --entrypoint python3 --args ./sample_bot.py
  $ c32 create --name job -v "$PWD/data:/data:ro" -- sh -c 'wc -l /data/*'`,
	flags: containerFlags,
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const words = splitRunArgv(argv, valueFlagNames(spec.flags), IMAGE_FLAGS);
	const {flags} = parseArgs(spec, words.options, ctx);
	if (flags.rm) throw new UsageError('--rm needs an attached run: use c32 run --rm');
	const config = await containerConfigFromFlags(flags as ContainerFlagValues, words, ctx);
	const created = await (await ctx.engine()).createContainer(config);
	ctx.stdout.write(`${created.id}\n`);
	return 0;
}
