import path from 'node:path';
import {isC32Error} from '../../engine/errors.js';
import type {ContainerConfig, ContainerMetadata, Engine} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand} from '../lib/args.js';
import {attachSession, requireInputTerminal} from '../lib/attach-session.js';
import {removeCidfile, writeCidfile} from '../lib/cidfile.js';
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
import {errorLine, UsageError} from '../lib/errors.js';
import {pullOptions} from '../lib/image-flags.js';
import {pullForContainer, pullPolicy} from '../lib/image-pull.js';
import {writeJson} from '../lib/json.js';
import {writeLogEntry} from '../lib/log-writer.js';

export const spec = defineCommand({
	name: 'run',
	help: `
${containerUsage('run')}

Create and start a container. Attached (the default) it prints the container's output and
exits with its exit code; Ctrl-C stops it (twice: kills it). With -d it prints the id only.
With -i your stdin goes to the container (its end is the container's EOF); with -it the
container gets a terminal: yours, in raw mode, so Ctrl-C reaches the container's process.
Ctrl-P Ctrl-Q detaches (--detach-keys) and leaves it running: c32 attach comes back.
${imageHelp}

Options
  -d, --detach                 Run in the background and print the container id
  --detach-keys KEYS           Keys that detach from -i (default ctrl-p,ctrl-q)
  --json                       With -d: print the started container as JSON (docs/cli.md)
  --cidfile FILE               With -d: write the container's id to FILE (for stop and rm --cidfile)
  --replace                    Remove a container of the same --name first (that name exactly)${containerOptionsHelp}

Examples
  $ c32 run ./examples/workers/bot.py
  $ c32 run -it --rm -- sh
  $ echo hello | c32 run -i --rm -- tr a-z A-Z
  $ c32 run -d --name my-bot -m 512m --cpus 1 --restart on-failure:5 ./examples/workers/bot.py
  $ c32 run -d --json --name counter ./examples/workers/counter.js | jq -r .id
  $ c32 run --rm -e GREETING=hi -- sh -c 'echo $GREETING from $(hostname)'
  $ mkdir -p out && c32 run --rm --isolation strict -v "$PWD/out:/out" ./examples/workers/job.sh`,
	flags: {
		...containerFlags,
		detach: {type: 'boolean', shortFlag: 'd'},
		detachKeys: {type: 'string'},
		json: {type: 'boolean'},
		cidfile: {type: 'string'},
		replace: {type: 'boolean'},
	},
	operands: {min: 0, max: 0, label: ''},
	hints: dockerHabitHints,
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, config} = await parseContainerCommand(spec, argv, ctx);
	if (flags.json && !flags.detach) {
		throw new UsageError("--json goes with -d: attached, c32 run prints the container's own output (see c32 logs --json)");
	}
	if (flags.detachKeys !== undefined && (flags.detach || !flags.interactive)) {
		throw new UsageError('--detach-keys goes with -i: the keys are read from your stdin');
	}
	if (flags.cidfile !== undefined && !flags.detach)
		throw new UsageError('--cidfile goes with -d: attached, the container is gone when run returns');
	if (flags.replace && config.name === undefined)
		throw new UsageError('--replace goes with --name: it replaces the container of that name');
	// Before anything is created.
	if (!flags.detach) requireInputTerminal(flags.tty === true, flags.interactive === true, ctx);
	const policy = pullPolicy(flags.pull);
	const engine = await ctx.engine();
	await pullForContainer(engine, config, {policy, pull: pullOptions(flags, ctx.cwd)}, ctx);
	if (flags.replace) await removeByName(engine, config.name!);
	if (!flags.detach && (flags.interactive || flags.tty)) return runInteractive(engine, config, flags.detachKeys, ctx);
	// Attached, this command removes the container itself once it has read the exit code and
	// the last output; detached, the engine's exit hook does (autoRemove).
	const toCreate = {...config};
	if (!flags.detach) delete toCreate.autoRemove;
	const created = await engine.createContainer(toCreate);
	if (flags.detach) {
		const cidfile = flags.cidfile === undefined ? null : path.resolve(ctx.cwd, flags.cidfile);
		if (cidfile !== null) {
			try {
				writeCidfile(cidfile, created.id);
			} catch (error) {
				await engine.removeContainer(created.id, {force: true}).catch(() => undefined);
				throw error;
			}
		}
		let started: ContainerMetadata;
		try {
			started = await startOrRemove(engine, created.id);
		} catch (error) {
			if (cidfile !== null) removeCidfile(cidfile, created.id);
			throw error;
		}
		if (flags.json) writeJson(ctx.stdout, containerJson(started));
		else ctx.stdout.write(`${created.id}\n`);
		return 0;
	}
	return runAttached(engine, created, flags.rm === true, ctx);
}

/** The container of exactly this name, if any, removed: never an id that merely starts with it. */
async function removeByName(engine: Engine, name: string): Promise<void> {
	const existing = (await engine.listContainers()).find((container) => container.name === name);
	if (existing) await engine.removeContainer(existing.id, {force: true});
}

/** A container that `run` made and that could not start never ran: it is not left behind. */
async function startOrRemove(engine: Engine, id: string): Promise<ContainerMetadata> {
	try {
		return await engine.startContainer(id);
	} catch (error) {
		await engine.removeContainer(id, {force: true}).catch(() => undefined);
		throw error;
	}
}

async function runAttached(engine: Engine, container: ContainerMetadata, remove: boolean, ctx: Context): Promise<number> {
	const {id} = container;
	const name = escapeControl(container.name);
	const started = startOrRemove(engine, id);
	let interrupts = 0;
	// First Ctrl-C stops the container (its output keeps coming until it ends); a second kills it.
	const stopListening = ctx.onInterrupt(() => {
		interrupts++;
		if (interrupts === 1) ctx.stderr.write(`c32: stopping ${name} (Ctrl-C again to kill it)\n`);
		else ctx.stderr.write(`c32: killing ${name}\n`);
		const act = interrupts === 1 ? () => engine.stopContainer(id) : () => engine.killContainer(id, 'SIGKILL');
		started.then(act).catch(() => undefined);
	});
	try {
		await started;
	} catch (error) {
		// Already removed by startOrRemove: only the start's own error is worth reading.
		stopListening();
		throw error;
	}
	try {
		for await (const entry of engine.getLogs(id, {follow: true})) await writeLogEntry(entry, ctx, false);
		return await engine.waitContainer(id);
	} finally {
		stopListening();
		if (remove) await removeQuietly(engine, id, ctx);
	}
}

/**
 * -i and/or -t: attached to the container's monitor, started once attached so no output is
 * missed. --rm stays with the engine here: a detached session leaves the container running,
 * and the engine removes it when it ends.
 */
async function runInteractive(engine: Engine, config: ContainerConfig, detachKeys: string | undefined, ctx: Context): Promise<number> {
	const created = await engine.createContainer(config);
	let detached = false;
	try {
		const session = await attachSession(engine, ctx, {
			id: created.id,
			name: escapeControl(created.name),
			tty: config.tty === true,
			stdin: config.stdinOpen === true,
			start: true,
			detachKeys,
		});
		detached = session.detached;
		return session.code;
	} catch (error) {
		// A start that failed left a container that never ran: it is not left behind.
		if (isC32Error(error) && error.code === 'START_FAILED') await engine.removeContainer(created.id, {force: true}).catch(() => undefined);
		throw error;
	} finally {
		if (config.autoRemove && !detached) await removeQuietly(engine, created.id, ctx);
	}
}

/** --rm: a container someone else removed meanwhile is already what --rm wants. */
async function removeQuietly(engine: Engine, id: string, ctx: Context): Promise<void> {
	try {
		await engine.removeContainer(id, {force: true});
	} catch (error) {
		if (!(isC32Error(error) && error.code === 'NOT_FOUND')) ctx.stderr.write(errorLine(error));
	}
}
