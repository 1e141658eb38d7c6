import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {shortId} from '../lib/container-view.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'system boot',
	help: `
Usage
  $ c32 system boot [--json]

After the host rebooted: start every container whose restart policy is always, or
unless-stopped, and that you did not stop — never one you stopped, never a no or on-failure
one. Each record of the previous boot is settled first (a container recorded running then
is dead now). Starts go through the normal start path, so health checks run again.
Running it twice in one boot starts nothing the second time. c32 system install-boot makes
systemd run it at every boot.

Prints one line per container started or failed; exits 1 when any failed.

Options
  --json   {"started": [{id, name}], "failed": [{id, name, error}]}

Examples
  $ c32 system boot`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const report = await (await ctx.engine()).bootContainers();
	if (flags.json) {
		writeJson(ctx.stdout, report);
	} else {
		for (const {id, name} of report.started) ctx.stdout.write(`started ${escapeControl(name)} (${shortId(id)})\n`);
		for (const {id, name, error} of report.failed) {
			ctx.stderr.write(`failed ${escapeControl(name)} (${shortId(id)}): ${escapeControl(error)}\n`);
		}
	}
	return report.failed.length > 0 ? 1 : 0;
}
