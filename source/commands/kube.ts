import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'kube',
	summary: `Run Kubernetes manifests locally (docs/kube.md): a Pod or a Deployment becomes c32
containers, labelled so that kube down removes them.`,
	subcommands: [
		{names: ['play'], summary: "Create and start a manifest's Pods and Deployments", load: () => import('./kube-play.js')},
		{names: ['down'], summary: 'Remove what kube play made of a manifest', load: () => import('./kube-down.js')},
	],
	examples: ['c32 generate kube web > web.yaml', 'c32 kube play web.yaml', 'c32 kube down web.yaml'],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
