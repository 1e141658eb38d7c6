import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'network',
	summary: `Manage c32 networks: private bridges whose containers reach each other by name. Standard
containers join the default network c32 (10.90.0.0/22) unless run with --network.`,
	subcommands: [
		{names: ['create'], summary: 'Create a network', load: () => import('./network-create.js')},
		{names: ['ls', 'list'], summary: 'List networks', load: () => import('./network-ls.js')},
		{names: ['inspect'], summary: 'Everything about networks, as JSON', load: () => import('./network-inspect.js')},
		{names: ['rm', 'remove'], summary: 'Remove networks no container is on', load: () => import('./network-rm.js')},
		{names: ['connect'], summary: 'Put a container on a network', load: () => import('./network-connect.js')},
		{names: ['disconnect'], summary: 'Take a container off a network', load: () => import('./network-disconnect.js')},
	],
	examples: [
		'c32 network create team',
		'c32 run -d --network team --name api busybox sleep 1d',
		'c32 network inspect team',
		'c32 network rm team',
	],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
