import {readMonitoringIntervalMs, readThresholdSettings} from '../../engine/threshold-settings.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {parseSecondsOrDuration} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';

export const spec = defineCommand({
	name: 'top',
	help: `
Usage
  $ c32 top [options]

The live dashboard: every container with CPU, memory and state, logs, and actions.
Needs a terminal.

Options
  --interval SECONDS   Time between samples (default MONITORING_INTERVAL_SEC, else the last
                       one chosen, else 1; 500ms also works). Every sample checks the
                       thresholds (MEMORY_THRESHOLD_MB, CPU_THRESHOLD_PERCENT, --memory-threshold):
                       a value above one is marked "!" in red

Examples
  $ c32 top
  $ c32 top --interval 2`,
	flags: {interval: {type: 'string'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const options: {interval?: number} = {};
	if (flags.interval !== undefined) {
		options.interval = parseSecondsOrDuration(flags.interval, '--interval');
		if (options.interval < 100) throw new UsageError(`--interval ${flags.interval} is too short: give at least 100ms`);
	} else {
		const fromSetting = readMonitoringIntervalMs(ctx.env);
		if (fromSetting !== null) options.interval = fromSetting;
	}
	// A bad threshold setting is said once here rather than on every tick.
	readThresholdSettings(ctx.env);
	if (ctx.stdout.isTTY !== true) {
		throw new Error('c32 top needs a terminal: run it in one, or use c32 ps / c32 stats --no-stream in scripts');
	}
	// Imported here, not at the top: only `c32 top` may load React and Ink.
	const {runTop} = await import('../../components/top.js');
	// The dashboard quits on SIGTERM/SIGINT itself; this only absorbs the echo of that signal
	// which the state store's exit hook sends back, so it cannot kill the process after the
	// dashboard has stopped listening.
	const absorbEcho = ctx.onInterrupt(() => {});
	try {
		await runTop(await ctx.engine(), options);
	} finally {
		absorbEcho();
	}
	return 0;
}
