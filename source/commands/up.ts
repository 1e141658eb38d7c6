import type {ContainerLogEntry} from '../../engine/index.js';
import {planStackOn} from '../../engine/stack/apply.js';
import {planLines, stopStack, upStack} from '../../engine/stack/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {namePrefixes, writeMergedEntry} from '../lib/log-writer.js';
import {parseScale, readStack} from '../lib/stack-file.js';

export const spec = defineCommand({
	name: 'up',
	help: `
Usage
  $ c32 up [options]

Bring a stack up from a compose file (compose.yaml, compose.yml, docker-compose.yml,
docker-compose.yaml or c32.yaml in this directory; docs/stacks.md): print the plan, one
line a container (create, recreate, start, keep, remove), then carry it out, services in
depends_on order. Without -d it then follows the stack's merged logs; Ctrl-C stops the
stack (its containers stay: c32 up starts them again, c32 down removes them).

Options
  -f, --file FILE        The compose file
  -d, --detach           Return once the stack is up
  --dry-run              Print the plan only
  --scale SERVICE=N      N containers of SERVICE, over deploy.replicas (repeatable)

Examples
  $ c32 up -d
  $ c32 up --dry-run -f examples/stack/compose.yaml
  $ c32 up -d --scale worker=3`,
	flags: {
		file: {type: 'string', shortFlag: 'f'},
		detach: {type: 'boolean', shortFlag: 'd'},
		dryRun: {type: 'boolean'},
		scale: {type: 'string', isMultiple: true},
	},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	let scale: Record<string, number>;
	try {
		scale = parseScale(flags.scale ?? []);
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const stack = await readStack(flags.file, ctx);
	const engine = await ctx.engine();
	const print = (lines: string[]) => ctx.stdout.write(lines.map((line) => `${escapeControl(line)}\n`).join(''));
	if (flags.dryRun) {
		print(planLines(await planStackOn(engine, stack, scale)));
		return 0;
	}
	const abort = new AbortController();
	const stopListening = ctx.onInterrupt(() => abort.abort());
	try {
		const {containers} = await upStack(engine, stack, {scale, signal: abort.signal, onPlan: (plan) => print(planLines(plan))});
		if (flags.detach || abort.signal.aborted) return 0;
		const named = containers.map(({id, name}) => ({id, name}));
		const prefixes = namePrefixes(named, ctx, ctx.env);
		try {
			const entries: AsyncIterable<ContainerLogEntry> = engine.getMergedLogs(
				named.map((c) => c.id),
				{follow: true, tail: 0, signal: abort.signal},
			);
			for await (const entry of entries) {
				await writeMergedEntry(entry, ctx, prefixes, false, abort.signal);
				if (abort.signal.aborted) break;
			}
		} catch (error) {
			if (!abort.signal.aborted) throw error;
		}
		ctx.stderr.write(`stopping ${stack.name}\n`);
		await stopStack(engine, stack.name);
		return 0;
	} finally {
		stopListening();
	}
}
