import {generateKube, type KubeSource, kubeYaml, sourceFromContainer, sourceFromService} from '../../engine/kube/index.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {readStack} from '../lib/stack-file.js';

export const spec = defineCommand({
	name: 'generate kube',
	help: `
Usage
  $ c32 generate kube [options] CONTAINER...
  $ c32 generate kube [options] --stack FILE

Write Kubernetes YAML to stdout (docs/kube.md): a Pod for each container, or with --stack
a Deployment for each service of a compose file (replicas from deploy.replicas), and a
Service for each that publishes ports. Image, command, environment, CPU and memory
(limits, and requests equal to them), bind mounts (hostPath), ports, the health check
(liveness and readiness probes), restart policy, user and a securityContext of the
isolation level are mapped; what has no Kubernetes field is said in a comment.

A cluster cannot pull a host-path image or a host-derived root: give the name of an OCI
image pushed for it with --image (c32 commit makes an image of a container).

Options
  --stack FILE        A compose file: a Deployment per service
  --image [REF=]NAME  The image the cluster pulls, for every container or for REF only (repeatable)

Examples
  $ c32 generate kube web > web.yaml
  $ c32 generate kube web worker --image worker=registry.example.com/team/worker:1
  $ c32 generate kube --stack compose.yaml --image registry.example.com/team/app:1`,
	flags: {
		stack: {type: 'string'},
		image: {type: 'string', isMultiple: true},
	},
	operands: {min: 0, max: Infinity, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	if ((flags.stack === undefined) === (operands.length === 0)) throw new UsageError('give containers or --stack FILE (one of them)');
	const images = imageOptions(flags.image ?? []);
	const sources: {ref: string; source: KubeSource}[] = [];
	if (flags.stack !== undefined) {
		const stack = await readStack(flags.stack, ctx);
		for (const service of stack.services) sources.push({ref: service.name, source: sourceFromService(service)});
	} else {
		const engine = await ctx.engine();
		for (const ref of operands) sources.push({ref, source: sourceFromContainer(await engine.inspectContainer(ref))});
	}
	for (const ref of images.byRef.keys()) {
		if (!sources.some((s) => s.ref === ref || s.source.name === ref)) {
			throw new UsageError(`--image ${ref}=...: ${ref} is not one of the ${flags.stack ? 'services' : 'containers'} given`);
		}
	}
	const byRef = (source: KubeSource) => {
		const entry = sources.find((s) => s.source === source)!;
		return images.byRef.get(entry.ref) ?? images.byRef.get(source.name) ?? images.all;
	};
	const documents = generateKube(
		sources.map((s) => s.source),
		(source) => {
			const image = byRef(source);
			return image === undefined ? {} : {image};
		},
	);
	ctx.stdout.write(kubeYaml(documents));
	return 0;
}

/** --image NAME (every container) and --image REF=NAME (that one). */
function imageOptions(words: string[]): {all?: string; byRef: Map<string, string>} {
	const byRef = new Map<string, string>();
	let all: string | undefined;
	for (const word of words) {
		const equals = word.indexOf('=');
		const [ref, name] = equals < 0 ? [undefined, word] : [word.slice(0, equals), word.slice(equals + 1)];
		if (name === '' || /\s/.test(name) || ref === '') throw new UsageError(`invalid --image "${word}": use NAME or REF=NAME`);
		if (ref === undefined) {
			if (all !== undefined) throw new UsageError('--image NAME is given twice: use REF=NAME for each container');
			all = name;
		} else byRef.set(ref, name);
	}
	return {all, byRef};
}
