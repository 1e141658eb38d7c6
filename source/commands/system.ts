import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'system',
	summary: 'About the storage root as a whole, and starting containers at boot.',
	subcommands: [
		{names: ['df'], summary: 'Disk used by images, layers and containers', load: () => import('./system-df.js')},
		{names: ['boot'], summary: 'Start, after a reboot, the containers whose policy says so', load: () => import('./system-boot.js')},
		{
			names: ['install-boot'],
			summary: 'Write and enable the systemd unit that runs system boot',
			load: () => import('./system-install-boot.js'),
		},
	],
	examples: ['c32 system df', 'c32 system df --json', 'c32 system boot', 'c32 system install-boot --print'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
