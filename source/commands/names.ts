import {escapeControl} from '../../engine/text.js';
import type {Context} from '../lib/context.js';

/** Hidden: every container's name, one per line, for the completion scripts. */
export async function main(_argv: string[], ctx: Context): Promise<number> {
	const containers = await (await ctx.engine()).listContainers();
	// Escaped: a shell shows these as completions, and one name must stay one line.
	ctx.stdout.write(containers.map((c) => `${escapeControl(c.name)}\n`).join(''));
	return 0;
}
