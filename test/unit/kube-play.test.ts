// kube play's reading of a manifest: Pods and Deployments -> engine configs, generate ->
// play round-trips, and one-line errors naming the file, the line and the field.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import type {Engine} from '../../engine/api.js';
import {type ImageFacts, resolveConfig} from '../../engine/config.js';
import {C32Error} from '../../engine/errors.js';
import {downKube, kubeDocuments, kubeYaml, parseKube, playKube, sourceFromContainer} from '../../engine/kube/index.js';
import type {ContainerConfig, ContainerMetadata} from '../../engine/types.js';
import {container} from '../cli/sample-container.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';

const IMAGE: ImageFacts = {
	id: `sha256:${'a'.repeat(64)}`,
	name: 'registry.example.com/team/tool:1',
	digest: `sha256:${'c'.repeat(64)}`,
	config: imageConfig({cmd: ['/bin/sh'], env: ['PATH=/bin']}),
};
const base = fakeHost();
const HOST = fakeHost({pathKind: (p) => (p === '/srv/data' ? 'directory' : base.pathKind(p))});
const resolve = (input: ContainerConfig) => resolveConfig({image: IMAGE.name!, ...input}, 'web', HOST, IMAGE);

function rejects(text: string, pattern: RegExp): void {
	assert.throws(
		() => parseKube(text, '/srv/app/pod.yaml'),
		(error: Error & {code?: string}) => {
			assert.equal(error.code, 'INVALID_CONFIG');
			assert.ok(!error.message.includes('\n'), 'one line');
			assert.match(error.message, pattern);
			return true;
		},
	);
}

const POD = (spec: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: web
${extra}spec:
${spec}`;

describe('kube play: reading a manifest', () => {
	test('generate -> play round-trips a container: image, command, env, limits, ports, health check, volumes, securityContext', () => {
		for (const isolationLevel of ['standard', 'strict'] as const) {
			const original = resolve({
				name: 'web',
				entrypoint: 'sleep',
				args: ['1000'],
				environment: {GREETING: 'hi'},
				resourceLimits: {cpuLimitPercent: 50, memoryLimitMb: 64},
				ports: ['127.0.0.1:8080:80', '9000:9000/udp'],
				network: 'c32',
				healthcheck: {command: ['test', '-e', '/etc/added'], interval: 2, timeout: 3, retries: 4, startPeriod: 5},
				volumes: [{source: '/srv/data', destination: '/data', readOnly: true}],
				restartPolicy: 'on-failure',
				user: '1000:1000',
				init: true,
				isolationLevel,
				capAdd: isolationLevel === 'standard' ? ['NET_RAW'] : [],
			});
			const text = kubeYaml(kubeDocuments(sourceFromContainer({name: 'web', config: original})));
			const plan = parseKube(text, '/srv/web.yaml');
			assert.deepEqual(plan.workloads, [{kind: 'Pod', name: 'web'}]);
			assert.equal(plan.containers.length, 1);
			assert.deepEqual(plan.notes, [], "the Service's ports are the ones the container publishes");
			const played = resolve(plan.containers[0]!.config);
			for (const key of [
				'name',
				'ociImage',
				'entrypoint',
				'args',
				'environment',
				'ports',
				'volumes',
				'isolationLevel',
				'restartPolicy',
				'user',
				'init',
				'network',
				'capabilities',
				'stopTimeout',
			] as const) {
				assert.deepEqual(played[key], original[key], `${isolationLevel}: ${key}`);
			}
			assert.deepEqual(played.resourceLimits, {...original.resourceLimits}, 'CPU and memory; pids and open files at their defaults');
			assert.deepEqual(played.healthcheck, {...original.healthcheck, onFailure: 'restart'}, 'a liveness probe restarts');
			assert.deepEqual(plan.containers[0]!.config.labels, {
				'app.kubernetes.io/name': 'web',
				'c32.kube.kind': 'Pod',
				'c32.kube.name': 'web',
			});
		}
	});

	test('a Deployment: NAME-1 ... NAME-N, labelled with its kind, name and number', () => {
		const plan = parseKube(
			`apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app, tier: back}}
    spec:
      containers:
        - name: app
          image: busybox
          args: ["httpd", "-f"]
          resources: {limits: {cpu: "1.5", memory: 1Gi}, requests: {cpu: 100m}}
`,
			'/srv/app.yaml',
		);
		assert.deepEqual(
			plan.containers.map((c) => c.config.name),
			['app-1', 'app-2'],
		);
		const config = plan.containers[1]!.config;
		assert.equal(config.entrypoint, undefined, "the image's entrypoint stays");
		assert.deepEqual(config.args, ['httpd', '-f']);
		assert.deepEqual(config.resourceLimits, {cpuLimitPercent: 150, memoryLimitMb: 1024});
		assert.equal(config.restartPolicy, 'always');
		assert.deepEqual(config.labels, {
			app: 'app',
			tier: 'back',
			'c32.kube.kind': 'Deployment',
			'c32.kube.name': 'app',
			'c32.kube.number': '2',
		});
		assert.match(
			plan.notes.join('\n'),
			/app\.yaml:14: spec\.template\.spec\.containers\[0\]\.resources\.requests: ignored: c32 reserves nothing/,
		);
	});

	test("kubectl's own output (kubectl create deployment / run --dry-run=client -o yaml) plays", () => {
		const plan = parseKube(
			`apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels: {app: demo}
  name: demo
spec:
  replicas: 1
  selector:
    matchLabels: {app: demo}
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels: {app: demo}
    spec:
      containers:
      - image: busybox
        name: busybox
        resources: {}
status: {}
---
apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels: {run: solo}
  name: solo
spec:
  containers:
  - image: busybox
    name: solo
    resources: {}
  dnsPolicy: ClusterFirst
  restartPolicy: Always
status: {}
`,
			'k.yaml',
		);
		assert.deepEqual(
			plan.containers.map((c) => [c.config.name, c.config.image, c.config.restartPolicy]),
			[
				['demo-1', 'busybox', 'always'],
				['solo', 'busybox', 'always'],
			],
		);
		rejects(POD('  containers: [{name: a, image: b}]\n  dnsPolicy: None\n'), /spec\.dnsPolicy: not supported/);
	});

	test('a Service is not run: a note names the ports no container publishes', () => {
		const plan = parseKube(
			`${POD('  containers: [{name: a, image: b, ports: [{containerPort: 80, hostPort: 8080}, {containerPort: 90}]}]\n')}---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 8080, targetPort: 80}, {port: 90, targetPort: 90}, {port: 91, targetPort: http}]
`,
			'/srv/web.yaml',
		);
		assert.deepEqual(plan.notes, ['web.yaml:9: Service web: not run, and no container publishes its ports 90, http (give it a hostPort)']);
		assert.deepEqual(plan.containers[0]!.config.ports, [{hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp'}]);
	});

	test('quantities', () => {
		const limits = (cpu: string, memory: string) =>
			parseKube(POD(`  containers: [{name: a, image: b, resources: {limits: {cpu: "${cpu}", memory: "${memory}"}}}]\n`), 'p.yaml')
				.containers[0]!.config.resourceLimits;
		assert.deepEqual(limits('500m', '64Mi'), {cpuLimitPercent: 50, memoryLimitMb: 64});
		assert.deepEqual(limits('2', '100M'), {cpuLimitPercent: 200, memoryLimitMb: 96});
		assert.deepEqual(limits('0.25', '1Gi'), {cpuLimitPercent: 25, memoryLimitMb: 1024});
		rejects(POD('  containers: [{name: a, image: b, resources: {limits: {cpu: lots}}}]\n'), /resources\.limits\.cpu: expected a quantity/);
	});

	test('bad YAML names the line', () => {
		rejects('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [web\nspec: {}\n', /^pod\.yaml:\d+: YAML syntax error: /);
		rejects('apiVersion: v1\nkind: Pod\nkind: Pod\n', /^pod\.yaml:3: YAML syntax error: Map keys must be unique/);
	});

	test('unsupported fields are refused with their path and line', () => {
		rejects(POD('  initContainers: []\n  containers: [{name: a, image: b}]\n'), /^pod\.yaml:6: spec\.initContainers: not supported/);
		rejects(
			POD('  containers:\n    - name: a\n      image: b\n      envFrom: []\n'),
			/^pod\.yaml:9: spec\.containers\[0\]\.envFrom: not supported/,
		);
		rejects(
			POD('  containers:\n    - name: a\n      image: b\n      env: [{name: A, valueFrom: {}}]\n'),
			/^pod\.yaml:9: spec\.containers\[0\]\.env\[0\]\.valueFrom: not supported/,
		);
		rejects(
			POD('  containers: [{name: a, image: b, livenessProbe: {httpGet: {path: /, port: 80}}}]\n'),
			/spec\.containers\[0\]\.livenessProbe\.httpGet: not supported: c32 health checks run a command/,
		);
		rejects(
			POD('  containers: [{name: a, image: b}, {name: c, image: d}]\n'),
			/spec\.containers\[1\]: not supported: c32 runs one container per Pod/,
		);
		rejects(
			POD('  containers: [{name: a, image: b}]\n  volumes: [{name: v, emptyDir: {}}]\n'),
			/spec\.volumes\[0\]\.emptyDir: not supported/,
		);
		rejects(
			POD('  containers: [{name: a, image: b, volumeMounts: [{name: nope, mountPath: /x}]}]\n'),
			/volumeMounts\[0\]\.name: no volume nope/,
		);
		rejects(
			POD('  containers: [{name: a, image: b, securityContext: {privileged: true}}]\n'),
			/securityContext\.privileged: not supported/,
		);
		rejects(POD('  containers: [{name: a, image: b}]\n  nodeSelector: {disk: ssd}\n'), /^pod\.yaml:7: spec\.nodeSelector: not supported/);
		rejects(POD('  containers: [{name: a}]\n'), /spec\.containers\[0\]\.image: missing/);
		rejects(
			`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: y}}\n    spec: {containers: [{name: a, image: b}]}\n`,
			/^pod\.yaml:5: spec\.selector\.matchLabels: must select the template's labels/,
		);
		rejects(
			`apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {matchLabels: {app: x}}\n  template:\n    metadata: {labels: {app: x}}\n    spec: {restartPolicy: Never, containers: [{name: a, image: b}]}\n`,
			/restartPolicy: a Deployment allows only Always/,
		);
	});

	test('unknown kinds and names Kubernetes refuses are refused', () => {
		rejects(
			'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
			/^pod\.yaml:2: kind: ConfigMap is not supported: kube play runs Pod and Deployment/,
		);
		rejects('apiVersion: apps/v1\nkind: Pod\nmetadata: {name: c}\n', /^pod\.yaml:1: apiVersion: expected v1 for a Pod/);
		rejects('apiVersion: v1\nkind: Service\nmetadata: {name: s}\n', /no Pod or Deployment to play/);
		rejects(
			POD('  containers: [{name: a, image: b}]\n').replace('name: web', 'name: Web_1'),
			/^pod\.yaml:4: metadata\.name: expected a Kubernetes name/,
		);
	});
});

describe('kube play through the engine', () => {
	const twoPods = parseKube(
		`${POD('  containers: [{name: a, image: busybox}]\n').replace('name: web', 'name: a')}---\n${POD('  containers: [{name: b, image: busybox}]\n').replace('name: web', 'name: b')}`,
		'two.yaml',
	);

	/** An engine double holding `existing`; startContainer fails for `failStart`. */
	function engineDouble(existing: ContainerMetadata[], failStart?: string) {
		const containers = [...existing];
		const removed: string[] = [];
		const engine = {
			listContainers: async () => [...containers],
			getContainer: async (ref: string) => containers.find((c) => c.id === ref || c.name === ref)!,
			validateConfig: async () => ({}) as never,
			createContainer: async (config: ContainerConfig) => {
				const made = container(config.name!, {id: `id-${config.name}`, state: 'created', labels: config.labels ?? {}});
				containers.push(made);
				return made;
			},
			startContainer: async (ref: string) => {
				const found = containers.find((c) => c.id === ref)!;
				if (found.name === failStart) throw new C32Error('START_FAILED', `${found.name} would not start`);
				return {...found, state: 'running' as const};
			},
			stopContainer: async (ref: string) => containers.find((c) => c.id === ref)!,
			removeContainer: async (ref: string) => {
				removed.push(containers.find((c) => c.id === ref)!.name);
				containers.splice(
					containers.findIndex((c) => c.id === ref),
					1,
				);
			},
		};
		return {engine: engine as unknown as Engine, containers, removed};
	}

	test('a failed start removes what this play made', async () => {
		const {engine, containers, removed} = engineDouble([], 'b');
		await assert.rejects(playKube(engine, twoPods), /b would not start/);
		assert.deepEqual(removed.sort(), ['a', 'b']);
		assert.deepEqual(containers, []);
	});

	test('names in use: refused unless an earlier play made them and --replace is given', async () => {
		const stranger = container('a', {id: 'stranger'});
		await assert.rejects(playKube(engineDouble([stranger]).engine, twoPods), /the name a is in use by a container kube play did not make/);
		const earlier = container('a', {id: 'earlier', labels: {'c32.kube.kind': 'Pod', 'c32.kube.name': 'a'}});
		await assert.rejects(playKube(engineDouble([earlier]).engine, twoPods), /a exists from an earlier kube play: .*--replace/);
		const {engine, removed} = engineDouble([earlier]);
		const made = await playKube(engine, twoPods, {replace: true});
		assert.deepEqual(removed, ['a']);
		assert.deepEqual(
			made.map((c) => [c.name, c.state]),
			[
				['a', 'running'],
				['b', 'running'],
			],
		);
	});

	test('down removes the containers labelled with the file workloads, and only those', async () => {
		const labelled = (name: string, kind: string, workload: string) =>
			container(name, {id: `id-${name}`, labels: {'c32.kube.kind': kind, 'c32.kube.name': workload}});
		const {engine, removed} = engineDouble([
			labelled('a', 'Pod', 'a'),
			labelled('b-1', 'Deployment', 'b'),
			labelled('other', 'Pod', 'other'),
			container('b', {id: 'plain'}),
		]);
		assert.deepEqual(
			await downKube(engine, [
				{kind: 'Pod', name: 'a'},
				{kind: 'Deployment', name: 'b'},
			]),
			['a', 'b-1'],
		);
		assert.deepEqual(removed.sort(), ['a', 'b-1']);
	});
});
