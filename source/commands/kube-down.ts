import path from 'node:path';
import {downKube, loadKube} from '../../engine/kube/index.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';

export const spec = defineCommand({
	name: 'kube down',
	help: `
Usage
  $ c32 kube down FILE

Stop and remove the containers c32 kube play made of the Pods and Deployments of FILE
(by their c32.kube.kind and c32.kube.name labels), and nothing else. Host paths stay.

Examples
  $ c32 kube down web.yaml`,
	flags: {},
	operands: {min: 1, max: 1, label: 'FILE'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const plan = loadKube(path.resolve(ctx.cwd, operands[0]!));
	const removed = await downKube(await ctx.engine(), plan.workloads);
	ctx.stdout.write(removed.map((name) => `remove ${escapeControl(name)}\n`).join(''));
	return 0;
}
