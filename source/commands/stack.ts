import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'stack',
	summary: `Stacks: the containers c32 up made of a compose file (docs/stacks.md), by their
c32.stack label.`,
	subcommands: [
		{names: ['ls', 'list'], summary: 'List stacks: services, running/total', load: () => import('./stack-ls.js')},
		{names: ['ps'], summary: "List a stack's containers (every stack's without NAME)", load: () => import('./stack-ps.js')},
	],
	examples: ['c32 stack ls', 'c32 stack ps demo'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
