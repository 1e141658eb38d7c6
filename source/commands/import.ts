import type {ExportedState} from '../../engine/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {containerJson} from '../lib/container-view.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'import',
	help: `
Usage
  $ c32 import [options] FILE

Recreate a container from a file written by c32 export ("-" reads stdin). The new container
is created, not started, and its id printed. A name already in use is an error: pick
another with --name.

Options
  --name NAME   Give the new container this name instead of the exported one
  --json        Print the new container as JSON (as c32 create --json) instead of its id

Examples
  $ c32 import my-bot-state.json
  $ c32 import --name my-bot-2 my-bot-state.json && c32 start my-bot-2`,
	flags: {name: {type: 'string'}, json: {type: 'boolean'}},
	operands: {min: 1, max: 1, label: 'file'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const file = operands[0]!;
	const source = file === '-' ? 'stdin' : file;
	const text = file === '-' ? await ctx.readStdin() : await readOrExplain(ctx, file);
	const state = parseState(text, source);
	if (flags.name !== undefined) {
		state.config = {...state.config, name: flags.name};
		state.metadata = {...state.metadata, name: flags.name};
	}
	const engine = await ctx.engine();
	const created = await engine.importContainerState(state);
	if (flags.json) writeJson(ctx.stdout, containerJson(created));
	else ctx.stdout.write(`${created.id}\n`);
	return 0;
}

async function readOrExplain(ctx: Context, file: string): Promise<string> {
	try {
		return await ctx.readFile(file);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(
			code === 'ENOENT' ? `${file} does not exist: give a file written by c32 export` : `cannot read ${file}: ${code ?? String(error)}`,
		);
	}
}

/** Only the shape needed to apply --name; the engine validates the rest. */
function parseState(text: string, source: string): ExportedState {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new Error(`${source} is not JSON: give a file written by c32 export`);
	}
	const state = value as Partial<ExportedState> | null;
	if (!state || typeof state !== 'object' || typeof state.config !== 'object' || typeof state.metadata !== 'object') {
		throw new Error(`${source} is not a c32 export: it has no config and metadata`);
	}
	return state as ExportedState;
}
