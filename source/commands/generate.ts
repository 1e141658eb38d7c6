import type {Context} from '../lib/context.js';
import {runSubcommand, type SubcommandSet} from '../lib/subcommands.js';

export const subcommands: SubcommandSet = {
	name: 'generate',
	summary: 'Write what runs containers elsewhere: Kubernetes manifests (docs/kube.md) and systemd units (docs/systemd.md).',
	subcommands: [
		{names: ['kube'], summary: 'Kubernetes YAML: a Pod per container, Deployments of a stack', load: () => import('./generate-kube.js')},
		{names: ['systemd'], summary: 'A systemd unit that starts and stops a container', load: () => import('./generate-systemd.js')},
	],
	examples: [
		'c32 generate kube web > web.yaml',
		'c32 generate kube --stack compose.yaml --image registry.example.com/team/worker:1',
		'c32 generate systemd web',
		'c32 generate systemd --new --files /etc/systemd/system web',
	],
};

export function main(argv: string[], ctx: Context): Promise<number> {
	return runSubcommand(subcommands, argv, ctx);
}
