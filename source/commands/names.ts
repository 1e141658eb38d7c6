import type {Context} from '../lib/context.js';

/** Hidden: every container's name, one per line, for the completion scripts. */
export async function main(_argv: string[], ctx: Context): Promise<number> {
	const containers = await (await ctx.engine()).listContainers();
	ctx.stdout.write(containers.map((c) => `${c.name}\n`).join(''));
	return 0;
}
