import type {DoctorReport} from '../../engine/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {colorEnabled, type Palette, palette} from '../lib/color.js';
import type {Context} from '../lib/context.js';
import {writeJson} from '../lib/json.js';

export const spec = defineCommand({
	name: 'doctor',
	help: `
Usage
  $ c32 doctor [--json]

What this host supports (OCI runtime, conmon, the container init, cgroups, user namespaces,
overlayfs, seccomp, the CNI plugins and iptables that networks are made of) and what to
install for what is missing.

Options
  --json   The engine's report as JSON

Examples
  $ c32 doctor`,
	flags: {json: {type: 'boolean'}},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags} = parseArgs(spec, argv, ctx);
	const report = await (await ctx.engine()).doctor();
	if (flags.json) writeJson(ctx.stdout, report);
	else ctx.stdout.write(formatDoctor(report, palette(colorEnabled(ctx.stdout, ctx.env))));
	return 0;
}

function networkRows(stack: DoctorReport['network'], colors: Palette): [string, string][] {
	const safe = escapeControl;
	const tool = (found: {path: string; version: string} | null, absent: string): string =>
		found ? safe(`${found.version} (${found.path})`) : absent;
	const plugins: [string, string][] =
		stack.cniDir === null
			? [['CNI plugins', colors.red('missing')]]
			: [['CNI plugins', safe(`${stack.cniPlugins.join(', ')} (${stack.cniDir})`)]];
	if (stack.cniDir !== null && stack.cniMissing.length > 0) {
		plugins.push(['  missing', colors.red(safe(stack.cniMissing.join(', ')))]);
	}
	return [
		...plugins,
		['iptables', tool(stack.iptables, colors.red('missing'))],
		['nft', tool(stack.nft, colors.dim('not installed (optional: lists the rules networks add)'))],
	];
}

export function formatDoctor(report: DoctorReport, colors: Palette): string {
	// Paths come from the environment and versions from host tools: shown escaped.
	const safe = escapeControl;
	const yes = colors.green('yes');
	const no = colors.yellow('no');
	const missing = colors.red('missing');
	const rows: [string, string][] = [
		['OCI runtime', report.runtime ? safe(`${report.runtime.name} ${report.runtime.version} (${report.runtime.path})`) : missing],
		...report.runtimesRejected.map(({name, reason}): [string, string] => [`  ${safe(name)}`, colors.dim(`not used: ${safe(reason)}`)]),
		['conmon', report.conmon ? safe(`${report.conmon.version} (${report.conmon.path})`) : missing],
		['init', report.init ? safe(`${report.init.name} ${report.init.version} (${report.init.path})`) : missing],
		['skopeo', report.skopeo ? safe(`${report.skopeo.version} (${report.skopeo.path})`) : missing],
		['layer tools', report.layerTools ? 'setfattr, getfattr' : missing],
		[
			'cgroups',
			report.cgroupVersion === null ? missing : report.cgroupVersion === 'hybrid' ? 'hybrid (v1 + v2)' : `v${report.cgroupVersion}`,
		],
		['root', report.root ? yes : no],
		['user namespaces', report.userNamespaces ? yes : no],
		['overlayfs', report.overlayfs ? yes : no],
		['seccomp', report.seccomp ? yes : no],
		...networkRows(report.network, colors),
		['storage', safe(report.storageDir)],
		['runtime dir', safe(report.runtimeDir)],
		['debug log', safe(report.debugLog)],
	];
	const width = Math.max(...rows.map(([label]) => label.length));
	const lines = rows.map(([label, value]) => `${label.padEnd(width)}   ${value}`);
	if (report.problems.length === 0) lines.push('', colors.green('No problems found.'));
	else lines.push('', colors.bold('Problems'), ...report.problems.map((p) => `  - ${safe(p)}`));
	return `${lines.join('\n')}\n`;
}
