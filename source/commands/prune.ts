import type {ContainerMetadata} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {forEachRef} from '../lib/each-ref.js';
import {matchesFilters, parseFilters} from '../lib/ps-filter.js';

export const spec = defineCommand({
	name: 'prune',
	help: `
Usage
  $ c32 prune [options]

Remove every ended container (exited, stopped by a user, or failed to start) with all that
c32 keeps for it, and print the names removed. Running, paused and created containers stay.
It asks first; without a terminal to ask on, it needs --force.

Options
  --filter K=V   Only ended containers that also match, as c32 ps --filter (repeatable)
  -f, --force    Remove without asking
  --json         A JSON array of what was removed: ref (the id), id and name

Examples
  $ c32 prune
  $ c32 prune --force --filter label=team=bots
  $ c32 prune -f --filter status=failed --json`,
	flags: {
		filter: {type: 'string', isMultiple: true},
		force: {type: 'boolean', shortFlag: 'f'},
		json: {type: 'boolean'},
	},
	operands: {min: 0, max: 0, label: ''},
});

const ENDED = new Set(['exited', 'stopped', 'failed']);

export function isEnded(container: ContainerMetadata): boolean {
	return ENDED.has(container.state);
}

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const filters = parseFilters(flags.filter ?? []);
	// Refused before looking, so a script fails the same way whether or not there is something to remove.
	if (!flags.force && ctx.stdin.isTTY !== true) {
		throw new Error('c32 prune removes containers for good and there is no terminal to confirm on: add --force');
	}
	const engine = await ctx.engine();
	const ended = (await engine.listContainers()).filter((c) => isEnded(c) && matchesFilters(c, filters));
	if (!flags.force && ended.length > 0) {
		const names = ended.map((c) => escapeControl(c.name)).join(', ');
		const answer = await ctx.ask(`Remove ${ended.length} ended container${ended.length === 1 ? '' : 's'} (${names})? [y/N] `);
		if (!/^y(es)?$/i.test(answer.trim())) {
			ctx.stderr.write('Nothing removed.\n');
			return 0;
		}
	}
	const byId = new Map(ended.map((c) => [c.id, c]));
	return forEachRef(
		[...byId.keys()],
		ctx,
		async (id) => {
			await engine.removeContainer(id);
			const {name} = byId.get(id)!;
			return {line: name, json: {id, name}};
		},
		flags.json === true,
	);
}
