import path from 'node:path';
import {downKube, loadKube, playKube} from '../../engine/kube/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'kube play',
	help: `
Usage
  $ c32 kube play [options] FILE

Run the Pods and Deployments of a Kubernetes manifest (multi-document YAML) as c32
containers (docs/kube.md): a Pod is a container of its name, a Deployment of N replicas
the containers NAME-1 ... NAME-N. Image, command, env, CPU and memory limits, hostPath
volumes, hostPort ports, the exec probes, restart policy, user and securityContext are
read (a read-only root filesystem is strict isolation). Services are not run: a note
names their ports that no container publishes with a hostPort. Any other field is
refused with its line. Everything is checked before anything is created, and a failure
leaves nothing behind. The images must be in the store (c32 pull).

Options
  --replace   Remove what an earlier play of the same Pods and Deployments made, first
  --down      Remove what a play of FILE made (as c32 kube down FILE)

Examples
  $ c32 generate kube web > web.yaml && c32 rm -f web
  $ c32 kube play web.yaml
  $ c32 kube play --replace web.yaml
  $ c32 kube play --down web.yaml`,
	flags: {
		replace: {type: 'boolean'},
		down: {type: 'boolean'},
	},
	operands: {min: 1, max: 1, label: 'FILE'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const plan = loadKube(path.resolve(ctx.cwd, operands[0]!));
	const engine = await ctx.engine();
	const print = (lines: string[]) => ctx.stdout.write(lines.map((line) => `${escapeControl(line)}\n`).join(''));
	if (flags.down) {
		print((await downKube(engine, plan.workloads)).map((name) => `remove ${name}`));
		return 0;
	}
	const made = await playKube(engine, plan, {replace: flags.replace});
	for (const note of plan.notes) ctx.stderr.write(`c32: note: ${escapeControl(note)}\n`);
	print(made.map((c) => `create ${c.name}`));
	return 0;
}
