import {escapeControl} from '../../engine/text.js';
import type {Context} from '../lib/context.js';

/** Hidden: every container's name (with `networks`: every network's), one per line, for the completion scripts. */
export async function main(argv: string[], ctx: Context): Promise<number> {
	const names =
		argv[0] === 'networks'
			? (await (await ctx.engine()).listNetworks()).map((network) => network.name)
			: (await (await ctx.engine()).listContainers()).map((container) => container.name);
	// Escaped: a shell shows these as completions, and one name must stay one line.
	ctx.stdout.write(names.map((name) => `${escapeControl(name)}\n`).join(''));
	return 0;
}
