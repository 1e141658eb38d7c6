// c32 generate kube's mapping: containers and stack services -> Pods, Deployments and
// Services, every one validated against the Kubernetes schema (kubernetes-models).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type ImageFacts, resolveConfig} from '../../engine/config.js';
import {cpuQuantity, kubeDocuments, kubeName, kubeYaml, sourceFromContainer, sourceFromService} from '../../engine/kube/index.js';
import type {KubeSource} from '../../engine/kube/types.js';
import {parseStack} from '../../engine/stack/compose.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';
import {validateObject, validateYaml} from '../helpers/kube-models.js';

const IMAGE: ImageFacts = {
	id: `sha256:${'a'.repeat(64)}`,
	name: 'registry.example.com/team/tool:1',
	digest: `sha256:${'c'.repeat(64)}`,
	config: imageConfig({cmd: ['/bin/sh'], env: ['PATH=/bin']}),
};

const PATHS: Record<string, 'file' | 'directory'> = {
	'/srv/data': 'directory',
	'/srv/out': 'directory',
	'/srv/bot.sh': 'file',
	'/srv/bot.py': 'file',
};
const base = fakeHost();
const HOST = fakeHost({pathKind: (p) => PATHS[p] ?? base.pathKind(p)});

/** A container as inspect shows it: the config resolved as create does, on an OCI image. */
function container(input: ContainerConfig, facts: ImageFacts | null = IMAGE): KubeSource {
	const config = resolveConfig({image: facts ? facts.name! : undefined, ...input}, 'web', HOST, facts);
	return sourceFromContainer({name: config.name, config});
}

// biome-ignore lint/suspicious/noExplicitAny: manifests are read by path in the assertions
type Obj = Record<string, any>;

/** The documents of a source, each validated, as plain objects. */
function generate(source: KubeSource, image?: string): Obj[] {
	const documents = kubeDocuments(source, image === undefined ? {} : {image});
	for (const document of documents) validateObject(document.object);
	// And the YAML text says the same, and validates too.
	const parsed = validateYaml(kubeYaml(documents));
	assert.deepEqual(
		parsed,
		documents.map((d) => d.object),
	);
	return parsed as Obj[];
}

const firstContainer = (pod: Obj): Obj => (pod['kind'] === 'Deployment' ? pod['spec'].template.spec : pod['spec']).containers[0];

describe('generate kube: a container -> a Pod', () => {
	test('image, command, args, env, working dir, user, labels', () => {
		const [pod, ...rest] = generate(
			container({
				name: 'web',
				entrypoint: '/bin/sh',
				args: ['-c', 'exec sleep 1d'],
				environment: {GREETING: 'hi', EMPTY: ''},
				workingDir: '/srv',
				user: '1000:1001',
				labels: {team: 'bots', 'c32.stack': 'demo', note: 'not a label value!'},
				init: false,
			}),
		);
		assert.equal(rest.length, 0, 'no Service without published ports');
		assert.equal(pod!['kind'], 'Pod');
		assert.equal(pod!['metadata'].name, 'web');
		assert.deepEqual(pod!['metadata'].labels, {team: 'bots', 'app.kubernetes.io/name': 'web'}, "c32's own labels are left out");
		assert.deepEqual(pod!['metadata'].annotations, {note: 'not a label value!'});
		const c = firstContainer(pod!);
		assert.equal(c.image, 'registry.example.com/team/tool:1');
		assert.deepEqual(c.command, ['/bin/sh']);
		assert.deepEqual(c.args, ['-c', 'exec sleep 1d']);
		assert.deepEqual(c.env, [
			{name: 'PATH', value: '/bin'},
			{name: 'GREETING', value: 'hi'},
			{name: 'EMPTY', value: ''},
		]);
		assert.equal(c.workingDir, '/srv');
		assert.equal(c.securityContext.runAsUser, 1000);
		assert.equal(c.securityContext.runAsGroup, 1001);
		assert.equal(pod!['spec'].restartPolicy, 'Never');
		assert.equal(pod!['spec'].shareProcessNamespace, undefined);
		assert.equal(pod!['spec'].terminationGracePeriodSeconds, 10);
	});

	test('resources: CPU and memory as limits and equal requests; pids in a comment', () => {
		const source = container({resourceLimits: {cpuLimitPercent: 50, memoryLimitMb: 64, maxProcesses: 100}});
		const c = firstContainer(generate(source)[0]!);
		assert.deepEqual(c.resources, {limits: {cpu: '500m', memory: '64Mi'}, requests: {cpu: '500m', memory: '64Mi'}});
		const text = kubeYaml(kubeDocuments(source));
		assert.match(text, /# c32 limits without a Kubernetes field: pids 100 \(the kubelet's podPidsLimit is per node\)/);
		assert.match(text, /# requests equal the limits/);
		assert.equal(cpuQuantity(200), '2');
		assert.equal(cpuQuantity(150), '1500m');
		assert.equal(cpuQuantity(12.5), '125m');
	});

	test('bind volumes -> hostPath volumes and mounts, with a comment that the path must exist on the node', () => {
		const source = container({
			volumes: [
				{source: '/srv/data', destination: '/data', readOnly: true},
				{source: '/srv/out', destination: '/out'},
			],
		});
		const pod = generate(source)[0]!;
		assert.deepEqual(pod['spec'].volumes, [
			{name: 'volume-1', hostPath: {path: '/srv/data'}},
			{name: 'volume-2', hostPath: {path: '/srv/out'}},
		]);
		assert.deepEqual(firstContainer(pod).volumeMounts, [
			{name: 'volume-1', mountPath: '/data', readOnly: true},
			{name: 'volume-2', mountPath: '/out'},
		]);
		assert.match(kubeYaml(kubeDocuments(source)), /# bind mounts of this host: each hostPath must exist on the node/);
	});

	test('published ports -> containerPort and hostPort, and a Service', () => {
		const [pod, service] = generate(container({ports: ['127.0.0.1:8080:80', '9090:90/udp', '7000']}));
		assert.deepEqual(firstContainer(pod!).ports, [
			{containerPort: 80, protocol: 'TCP', hostPort: 8080, hostIP: '127.0.0.1'},
			{containerPort: 90, protocol: 'UDP', hostPort: 9090},
			{containerPort: 7000, protocol: 'TCP'},
		]);
		assert.equal(service!['kind'], 'Service');
		assert.equal(service!['metadata'].name, 'web');
		assert.deepEqual(service!['spec'].selector, {'app.kubernetes.io/name': 'web'});
		assert.deepEqual(service!['spec'].ports, [
			{name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP'},
			{name: 'udp-9090', port: 9090, targetPort: 90, protocol: 'UDP'},
			{name: 'tcp-7000', port: 7000, targetPort: 7000, protocol: 'TCP'},
		]);
	});

	test('a health check -> exec liveness and readiness probes', () => {
		const source = container({
			healthcheck: {command: ['test', '-e', '/ready'], interval: 5, timeout: 2, retries: 4, startPeriod: 10},
		});
		const c = firstContainer(generate(source)[0]!);
		const probe = {
			exec: {command: ['test', '-e', '/ready']},
			periodSeconds: 5,
			timeoutSeconds: 2,
			failureThreshold: 4,
			initialDelaySeconds: 10,
		};
		assert.deepEqual(c.livenessProbe, probe);
		assert.deepEqual(c.readinessProbe, probe);
		assert.match(kubeYaml(kubeDocuments(source)), /# c32 only marked the container unhealthy; a failing liveness probe restarts it/);
		const shell = firstContainer(generate(container({healthcheck: {command: 'wget -q localhost', interval: 1, timeout: 0.5}}))[0]!);
		assert.deepEqual(shell.livenessProbe.exec.command, ['/bin/sh', '-c', 'wget -q localhost']);
		assert.equal(shell.livenessProbe.timeoutSeconds, 1, 'Kubernetes counts whole seconds, at least 1');
		const none = firstContainer(generate(container({healthcheck: null}))[0]!);
		assert.equal(none.livenessProbe, undefined);
	});

	test('restart policies', () => {
		const policy = (restartPolicy: ContainerConfig['restartPolicy']) => generate(container({restartPolicy}))[0]!['spec'].restartPolicy;
		assert.equal(policy('always'), 'Always');
		assert.equal(policy('unless-stopped'), 'Always');
		assert.equal(policy('on-failure:3'), 'OnFailure');
		assert.equal(policy('no'), 'Never');
		assert.match(kubeYaml(kubeDocuments(container({restartPolicy: 'on-failure:3'}))), /# c32 gave up after 3 restarts/);
	});

	test('strict isolation: read-only root, no capabilities, RuntimeDefault seccomp, no privilege escalation, a user namespace', () => {
		const pod = generate(container({isolationLevel: 'strict'}))[0]!;
		assert.deepEqual(firstContainer(pod).securityContext, {
			allowPrivilegeEscalation: false,
			capabilities: {drop: ['ALL']},
			seccompProfile: {type: 'RuntimeDefault'},
			readOnlyRootFilesystem: true,
		});
		assert.equal(pod['spec'].hostUsers, false);
	});

	test("standard isolation: drop ALL, add c32's standard set, honouring capAdd and capDrop", () => {
		const standard = firstContainer(generate(container({}))[0]!).securityContext;
		assert.deepEqual(standard, {
			allowPrivilegeEscalation: false,
			capabilities: {
				drop: ['ALL'],
				add: [
					'CHOWN',
					'DAC_OVERRIDE',
					'FOWNER',
					'FSETID',
					'KILL',
					'SETGID',
					'SETUID',
					'SETPCAP',
					'NET_BIND_SERVICE',
					'SYS_CHROOT',
					'SETFCAP',
				],
			},
			seccompProfile: {type: 'RuntimeDefault'},
		});
		const changed = firstContainer(generate(container({capAdd: ['NET_RAW'], capDrop: ['CHOWN', 'SETFCAP', 'SETPCAP']}))[0]!);
		assert.deepEqual(changed.securityContext.capabilities.add, [
			'DAC_OVERRIDE',
			'FOWNER',
			'FSETID',
			'KILL',
			'SETGID',
			'SETUID',
			'NET_BIND_SERVICE',
			'NET_RAW',
			'SYS_CHROOT',
		]);
		// A stack service has no resolved set: computed from cap_add / cap_drop the same way.
		const service = firstContainer(
			generate({name: 's', image: {kind: 'oci', reference: 'busybox'}, config: {capDrop: ['ALL'], capAdd: ['KILL']}, replicas: 1})[0]!,
		);
		assert.deepEqual(service.securityContext.capabilities, {drop: ['ALL'], add: ['KILL']});
	});

	test('minimal isolation: no securityContext of its own, said in a comment; it needs --image', () => {
		const source = container({image: '/srv/bot.sh', isolationLevel: 'minimal'}, null);
		assert.throws(
			() => kubeDocuments(source),
			/runs the host-path image \/srv\/bot\.sh, which a cluster cannot pull: .*c32 commit.*--image NAME/,
		);
		const c = firstContainer(generate(source, 'registry.example.com/bot:1')[0]!);
		assert.equal(c.image, 'registry.example.com/bot:1');
		assert.equal(c.securityContext, undefined);
		assert.match(kubeYaml(kubeDocuments(source, {image: 'x/bot:1'})), /# minimal isolation ran a plain host process/);
	});

	test('a host-path image or a host-derived root is refused in one line naming c32 commit, unless --image names one', () => {
		const hostPath = container({image: '/srv/bot.py'}, null);
		assert.equal(hostPath.image.kind, 'host-path');
		for (const source of [hostPath, container({entrypoint: 'sleep', args: ['1']}, null)]) {
			assert.throws(
				() => kubeDocuments(source),
				(error: Error & {code?: string}) => {
					assert.equal(error.code, 'INVALID_CONFIG');
					assert.ok(!error.message.includes('\n'));
					assert.match(error.message, /cannot pull: .*c32 commit.*--image NAME$/);
					return true;
				},
			);
			assert.equal(firstContainer(generate(source, 'registry.example.com/bot:2')[0]!).image, 'registry.example.com/bot:2');
		}
		// An image known by id only has no name a cluster can pull either.
		assert.throws(() => kubeDocuments({...container({}), image: {kind: 'oci', reference: null, id: 'sha256:1'}}), /has no name/);
		// A localhost/ name is this host's only: kept, with a comment.
		const local = container({}, {...IMAGE, name: 'localhost/tool:1'});
		assert.match(kubeYaml(kubeDocuments(local)), /# localhost\/tool:1 is in this host's image store only/);
	});

	test('init, host network, hostname, names Kubernetes refuses', () => {
		const pod = generate(container({name: 'My_Web.1', init: true, network: 'host', hostname: 'box'}))[0]!;
		assert.equal(pod['metadata'].name, 'my-web-1');
		assert.equal(pod['spec'].shareProcessNamespace, true);
		assert.equal(pod['spec'].hostNetwork, true);
		assert.equal(pod['spec'].hostname, 'box');
		assert.equal(kubeName('9lives'), 'lives');
		assert.equal(kubeName('___'), 'c32');
		assert.equal(kubeName('a'.repeat(80)).length, 63);
	});

	test("strings YAML 1.1 reads as booleans or numbers are quoted (kubectl's YAML is 1.1)", () => {
		const text = kubeYaml(kubeDocuments(container({environment: {A: 'yes', B: 'on', C: 'n', D: '1_000'}})));
		for (const value of ['"yes"', '"on"', '"n"', '"1_000"']) assert.match(text, new RegExp(`value: ${value}$`, 'm'));
	});

	test('comments are one line each, control characters escaped', () => {
		const text = kubeYaml(kubeDocuments(container({user: 'bad\nname'.replace('\n', '')})));
		assert.match(text, /# user badname: Kubernetes takes numeric ids only/);
		const odd = kubeYaml(kubeDocuments({...container({}), image: {kind: 'oci', reference: 'localhost/x\u001b[31m:1'}}));
		assert.doesNotMatch(odd, /\u001b/);
	});
});

describe('generate kube --stack: services -> Deployments', () => {
	test('a Deployment per service (replicas from deploy.replicas), a Service for published ports', async () => {
		const stack = await parseStack(
			`name: demo
services:
  web:
    image: registry.example.com/web:1
    command: ["httpd", "-f", "-p", "80"]
    ports: ["8080:80"]
    restart: "no"
    healthcheck: {test: ["CMD", "wget", "-q", "localhost"], interval: 10s}
    deploy: {replicas: 3, resources: {limits: {cpus: "1.5", memory: 256m, pids: 50}}}
    x-c32: {isolation: strict}
    read_only: true
    networks: [app]
  worker:
    x-c32: {image: ./worker.py}
    environment: {MODE: fast}
networks:
  app: {}
`,
			'/srv/demo/compose.yaml',
			{env: {}},
		);
		const [web, worker] = stack.services.map(sourceFromService);
		assert.equal(worker!.image.kind, 'host-path');
		assert.throws(() => kubeDocuments(worker!), /worker runs the host-path image \/srv\/demo\/worker\.py/);
		const [deployment, service] = generate(web!);
		assert.equal(deployment!['kind'], 'Deployment');
		assert.equal(deployment!['spec'].replicas, 3);
		assert.deepEqual(deployment!['spec'].selector, {matchLabels: {'app.kubernetes.io/name': 'web'}});
		assert.deepEqual(deployment!['spec'].template.metadata.labels, {'app.kubernetes.io/name': 'web'});
		const pod = deployment!['spec'].template.spec;
		assert.equal(pod.restartPolicy, 'Always', 'a Deployment allows only Always');
		assert.equal(pod.hostUsers, false);
		const c = pod.containers[0];
		assert.equal(c.command, undefined, "the image's entrypoint stays");
		assert.deepEqual(c.args, ['httpd', '-f', '-p', '80']);
		assert.deepEqual(c.resources.limits, {cpu: '1500m', memory: '256Mi'});
		assert.equal(c.securityContext.readOnlyRootFilesystem, true);
		assert.equal(c.livenessProbe.periodSeconds, 10);
		assert.equal(c.livenessProbe.timeoutSeconds, 30, "c32's default timeout");
		assert.deepEqual(service!['spec'].ports, [{name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP'}]);
		const text = kubeYaml(kubeDocuments(web!));
		assert.match(text, /# restart no: a Deployment only allows Always/);
		assert.match(text, /pids 50/);
		assert.match(text, /^---$/m);
		const [withImage] = generate(worker!, 'registry.example.com/worker:1');
		assert.deepEqual(withImage!['spec'].template.spec.containers[0].env, [{name: 'MODE', value: 'fast'}]);
	});
});
