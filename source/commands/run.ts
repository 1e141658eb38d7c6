import type {Engine} from '../../engine/index.js';
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
import {writeLogEntry} from '../lib/log-writer.js';

export const spec = defineCommand({
	name: 'run',
	help: `
${containerUsage('run')}

Create and start a container. Attached (the default) it prints the container's output and
exits with its exit code; Ctrl-C stops it (twice: kills it). With -d it prints the id only.
${imageHelp}

Options
  -d, --detach                 Run in the background and print the container id${containerOptionsHelp}

Examples
  $ c32 run ./bots/sample_bot.py
  $ c32 run -d --name my-bot -m 512m --cpus 1 --restart on-failure:5 ./bots/sample_bot.py
  $ c32 run --rm -e GREETING=hi -- sh -c 'echo $GREETING from $(hostname)'
  $ c32 run --rm --isolation strict -v "$PWD/out:/out" ./job.sh`,
	flags: {...containerFlags, detach: {type: 'boolean', shortFlag: 'd'}},
	operands: {min: 0, max: 0, label: ''},
	hints: dockerHabitHints,
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, config} = await parseContainerCommand(spec, argv, ctx);
	const engine = await ctx.engine();
	// Attached, this command removes the container itself once it has read the exit code and
	// the last output; detached, the engine's exit hook does (autoRemove).
	const toCreate = {...config};
	if (!flags.detach) delete toCreate.autoRemove;
	const created = await engine.createContainer(toCreate);
	if (flags.detach) {
		await startOrRemove(engine, created.id);
		ctx.stdout.write(`${created.id}\n`);
		return 0;
	}
	return runAttached(engine, created.id, flags.rm === true, ctx);
}

/** A container that `run` made and that could not start never ran: it is not left behind. */
async function startOrRemove(engine: Engine, id: string): Promise<void> {
	try {
		await engine.startContainer(id);
	} catch (error) {
		await engine.removeContainer(id, {force: true}).catch(() => undefined);
		throw error;
	}
}

async function runAttached(engine: Engine, id: string, remove: boolean, ctx: Context): Promise<number> {
	const started = startOrRemove(engine, id);
	let interrupts = 0;
	// First Ctrl-C stops the container (its output keeps coming until it ends); a second kills it.
	const stopListening = ctx.onInterrupt(() => {
		interrupts++;
		const act = interrupts === 1 ? () => engine.stopContainer(id) : () => engine.killContainer(id, 'SIGKILL');
		started.then(act).catch(() => undefined);
	});
	try {
		await started;
		for await (const entry of engine.getLogs(id, {follow: true})) writeLogEntry(entry, ctx, false);
		return await engine.waitContainer(id);
	} finally {
		stopListening();
		if (remove) {
			await engine.removeContainer(id, {force: true}).catch((error: unknown) => {
				ctx.stderr.write(`c32: error: ${error instanceof Error ? error.message : String(error)}\n`);
			});
		}
	}
}
