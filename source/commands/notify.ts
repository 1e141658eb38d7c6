import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'notify',
	summary: `Webhooks: URLs that chosen events are POSTed to as JSON (a 5 s timeout, 3 attempts),
from a detached process, so a slow receiver never delays a container (docs/events.md).`,
	subcommands: [
		{names: ['add'], summary: 'POST chosen events to a URL', load: () => import('./notify-add.js')},
		{names: ['ls', 'list'], summary: 'List the webhooks', load: () => import('./notify-ls.js')},
		{names: ['rm', 'remove'], summary: 'Remove webhooks by id or URL', load: () => import('./notify-rm.js')},
		{names: ['test'], summary: 'POST a test event to the webhooks now', load: () => import('./notify-test.js')},
	],
	examples: [
		'c32 notify add https://hooks.example.com/c32 --events die,oom,unhealthy,restart-loop',
		'c32 notify ls',
		'c32 notify test',
		'c32 notify rm https://hooks.example.com/c32',
	],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
