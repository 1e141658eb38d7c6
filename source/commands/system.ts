import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'system',
	summary: 'About the storage root as a whole.',
	subcommands: [{names: ['df'], summary: 'Disk used by images, layers and containers', load: () => import('./system-df.js')}],
	examples: ['c32 system df', 'c32 system df --json'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
