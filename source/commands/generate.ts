import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'generate',
	summary: 'Write what runs a container elsewhere: a systemd unit that starts and stops it.',
	subcommands: [
		{names: ['systemd'], summary: 'A systemd unit that starts and stops a container', load: () => import('./generate-systemd.js')},
	],
	examples: ['c32 generate systemd web', 'c32 generate systemd --new --files /etc/systemd/system web'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
