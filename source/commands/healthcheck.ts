import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'healthcheck',
	summary: `Health checks: a command run inside a container every interval (run and create take
--health-cmd and the other --health-* options; an image's HEALTHCHECK applies too).`,
	subcommands: [{names: ['run'], summary: "Run a container's health check now", load: () => import('./healthcheck-run.js')}],
	examples: ['c32 run -d --name web --health-cmd "test -e /tmp/ready" busybox sleep 1d', 'c32 healthcheck run web'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
