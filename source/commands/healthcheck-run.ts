import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {EXIT, reportError} from '../lib/errors.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'healthcheck run',
	help: `
Usage
  $ c32 healthcheck run CONTAINER

Run the container's health check now, inside it, and record the result as a scheduled check
does (c32 inspect shows the last 5). Prints nothing when the check passes; otherwise the
status (unhealthy, or starting while failures do not count yet), as podman does.

Exit status: 0 the check passed, 1 it failed, 125 the container has no health check or is
not running.

Options
  --json   The status, the failing streak and this check's result (start, end, exitCode, output)

Examples
  $ c32 healthcheck run web
  $ c32 healthcheck run web || c32 restart web`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	try {
		const run = await (await ctx.engine()).runHealthcheck(operands[0]!);
		if (flags.json) writeJson(ctx.stdout, run);
		else if (run.result.exitCode !== 0) ctx.stdout.write(`${run.status}\n`);
		return run.result.exitCode === 0 ? EXIT.ok : EXIT.failed;
	} catch (error) {
		// 125 as podman: no check, not running, no such container.
		return reportError(error, ctx.stderr, {command: 'healthcheck run', failureCode: EXIT.engineFailed, debug: ctx.env.C32_DEBUG === '1'});
	}
}
