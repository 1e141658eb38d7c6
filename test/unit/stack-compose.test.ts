// Compose files -> stacks: the keys c32 reads, and one-line errors naming file, line and key.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {parseStack} from '../../engine/stack/compose.js';
import {planStack} from '../../engine/stack/plan.js';
import type {ContainerMetadata} from '../../engine/types.js';

const FILE = '/srv/demo/compose.yaml';
const parse = (text: string, files: Record<string, string> = {}) =>
	parseStack(text, FILE, {env: {HOME: '/home/u', FROM_ENV: 'yes'}, readFile: (f) => files[f] ?? assert.fail(`no ${f}`)});

async function rejects(text: string, pattern: RegExp): Promise<void> {
	await assert.rejects(parse(text), (error: Error & {code?: string}) => {
		assert.equal(error.code, 'INVALID_CONFIG');
		assert.ok(!error.message.includes('\n'), 'one line');
		assert.match(error.message, pattern);
		return true;
	});
}

describe('parseStack', () => {
	test('maps the compose keys onto ContainerConfig', async () => {
		const stack = await parse(
			`name: demo
services:
  web:
    image: busybox
    entrypoint: ["httpd", "-f"]
    command: -p 80
    environment: {A: 1, B: "two", FROM_ENV: null}
    env_file: web.env
    volumes: ["./data:/data:ro", {type: bind, source: /srv/x, target: /x}]
    ports: ["127.0.0.1:8080:80", {target: 81, published: 8081, host_ip: 127.0.0.1}]
    networks: {front: {aliases: [www]}, back: null}
    healthcheck: {test: ["CMD", "wget", "-q", "localhost"], interval: 1m30s, timeout: 500ms, retries: 2, start_period: 2s}
    restart: on-failure:3
    deploy: {replicas: 2, resources: {limits: {cpus: "0.5", memory: 256m, pids: 50}}}
    labels: [team=bots]
    user: "1000"
    working_dir: /data
    hostname: w
    init: true
    cap_add: [NET_RAW]
    cap_drop: [CHOWN]
    stop_signal: SIGINT
    stop_grace_period: 3s
    x-c32: {io_limit: 10, network_limit: 8}
  job:
    x-c32: {image: ./job.sh, isolation: strict}
    read_only: true
    depends_on: {web: {condition: service_healthy}}
networks:
  front: {}
  back: {internal: true, ipam: {config: [{subnet: 10.99.1.0/24}]}}
`,
			{'/srv/demo/web.env': '# c\nA=0\nC="three"\n'},
		);
		assert.equal(stack.name, 'demo');
		const [web, job] = stack.services;
		assert.deepEqual(web!.config, {
			image: 'busybox',
			entrypoint: 'httpd',
			args: ['-f', '-p', '80'],
			environment: {A: '1', B: 'two', C: 'three', FROM_ENV: 'yes'},
			volumes: [
				{source: '/srv/demo/data', destination: '/data', readOnly: true},
				{source: '/srv/x', destination: '/x'},
			],
			ports: ['127.0.0.1:8080:80', '127.0.0.1:8081:81'],
			network: 'demo_front',
			networkAliases: ['web', 'www'],
			additionalNetworks: [{name: 'demo_back', aliases: ['web']}],
			healthcheck: {command: ['wget', '-q', 'localhost'], interval: 90, timeout: 0.5, retries: 2, startPeriod: 2},
			restartPolicy: 'on-failure:3',
			resourceLimits: {cpuLimitPercent: 50, memoryLimitMb: 256, maxProcesses: 50, diskIoLimitMbps: 10, networkBandwidthLimitMbps: 8},
			labels: {team: 'bots', 'c32.stack': 'demo', 'c32.stack.service': 'web'},
			user: '1000',
			workingDir: '/data',
			hostname: 'w',
			init: true,
			capAdd: ['NET_RAW'],
			capDrop: ['CHOWN'],
			stopSignal: 'SIGINT',
			stopTimeout: 3,
		});
		assert.equal(web!.replicas, 2);
		assert.deepEqual(job!.config.image, '/srv/demo/job.sh');
		assert.equal(job!.config.isolationLevel, 'strict');
		assert.equal(job!.config.network, undefined, 'strict: no default network');
		assert.deepEqual(job!.dependsOn, [{service: 'web', condition: 'service_healthy'}]);
		assert.deepEqual(
			stack.networks.map((n) => [n.name, n.subnet, n.internal]),
			[
				['demo_front', undefined, undefined],
				['demo_back', '10.99.1.0/24', true],
			],
		);
	});

	test('a standard service without networks joins <stack>_default; the name defaults to the directory', async () => {
		const stack = await parseStack('services:\n  a:\n    command: sleep 1\n', '/srv/My.App/compose.yaml');
		assert.equal(stack.name, 'myapp');
		assert.equal(stack.services[0]!.config.network, 'myapp_default');
		assert.deepEqual(stack.services[0]!.config.args, ['sleep', '1']);
		assert.deepEqual(stack.networks, [{key: 'default', name: 'myapp_default', external: false}]);
	});

	test('a YAML syntax error names the file and the line', () =>
		rejects('name: x\nservices:\n  a:\n    command: [sleep\n  b: {\n', /^compose\.yaml:\d+: YAML syntax error/));
	test('the syntax error line is the right one', () =>
		rejects('name: x\nservices:\n  a:\n    image: a: b\n', /^compose\.yaml:4: YAML syntax error/));
	test('an unsupported key is refused with its path and line', () =>
		rejects(
			'services:\n  web:\n    image: x\n    build: .\n',
			/^compose\.yaml:4: services\.web\.build: not supported, use c32 pull or c32 import$/,
		));
	test('an unknown key is refused', () => rejects('services:\n  web:\n    imagee: x\n', /services\.web\.imagee: not supported by c32/));
	test('an unknown service in depends_on', () =>
		rejects('services:\n  a:\n    depends_on: [nope]\n', /services\.a\.depends_on: unknown service "nope"/));
	test('a dependency cycle', () =>
		rejects(
			'services:\n  a:\n    depends_on: [b]\n  b:\n    depends_on: [c]\n  c:\n    depends_on: [a]\n',
			/dependency cycle: a -> b -> c -> a/,
		));
	test('an unknown condition', () =>
		rejects('services:\n  a: {}\n  b:\n    depends_on: {a: {condition: soon}}\n', /unknown condition "soon"/));
	test('a named volume is refused', () =>
		rejects('services:\n  a:\n    volumes: ["data:/data"]\n', /services\.a\.volumes\[0\]: named volume "data"/));
	test('the engine schema checks the converted config', () =>
		rejects(
			'services:\n  a:\n    x-c32: {io_limit: 10}\n    deploy: {resources: {limits: {pids: "many"}}}\n',
			/compose\.yaml:2: services\.a: config\.resourceLimits\.maxProcesses: expected a number/,
		));
	test('read_only needs strict isolation', () => rejects('services:\n  a:\n    read_only: true\n', /read_only: .*isolation: strict/));
	test('an unknown x-c32 key is refused, an unknown x- extension warns', async () => {
		await rejects('services:\n  a:\n    x-c32: {speed: 1}\n', /services\.a\.x-c32\.speed: unknown x-c32 key/);
		const stack = await parse('x-common: &c {}\nservices:\n  a:\n    x-note: hi\n');
		assert.deepEqual(stack.warnings, [
			'compose.yaml:1: x-common: unknown extension, ignored',
			'compose.yaml:4: services.a.x-note: unknown extension, ignored',
		]);
	});
});

function meta(name: string, labels: Record<string, string>, state: ContainerMetadata['state'] = 'running'): ContainerMetadata {
	return {id: `id-${name}`, name, state, exitCode: state === 'exited' ? 0 : null, labels} as ContainerMetadata;
}

describe('planStack', () => {
	const file = (env: string, replicas = 1) =>
		parse(
			`name: demo\nservices:\n  worker:\n    command: sleep 1\n    environment: {E: ${env}}\n    deploy: {replicas: ${replicas}}\n    depends_on: [db]\n  db:\n    command: sleep 2\n`,
		);

	test('creates what is missing, in dependency order', async () => {
		const plan = planStack(await file('1'), []);
		assert.deepEqual(plan.order, ['db', 'worker']);
		assert.deepEqual(
			plan.steps.map((s) => `${s.action} ${s.name}`),
			['create demo-db-1', 'create demo-worker-1'],
		);
		assert.equal(plan.steps[1]!.config!.name, 'demo-worker-1');
		assert.match(plan.steps[1]!.config!.labels!['c32.stack.hash']!, /^[0-9a-f]{16}$/);
	});

	test('keeps the unchanged, recreates the changed, removes the extra, starts the stopped', async () => {
		const before = planStack(await file('1', 2), []);
		const labelsOf = (name: string) => before.steps.find((s) => s.name === name)!.config!.labels!;
		const existing = [
			meta('demo-db-1', labelsOf('demo-db-1'), 'stopped'),
			meta('demo-worker-1', labelsOf('demo-worker-1')),
			meta('demo-worker-2', labelsOf('demo-worker-2')),
			meta('demo-old-1', {'c32.stack': 'demo', 'c32.stack.service': 'old'}),
			meta('other-1', {'c32.stack': 'other'}),
			meta('plain', {}),
		];
		assert.deepEqual(
			planStack(await file('1', 2), existing).steps.map((s) => `${s.action} ${s.name}`),
			['remove demo-old-1', 'start demo-db-1', 'keep demo-worker-1', 'keep demo-worker-2'],
		);
		assert.deepEqual(
			planStack(await file('2', 1), existing).steps.map((s) => `${s.action} ${s.name}`),
			['remove demo-worker-2', 'remove demo-old-1', 'start demo-db-1', 'recreate demo-worker-1'],
		);
		assert.deepEqual(
			planStack(await file('1', 2), existing, {worker: 3}).steps.map((s) => `${s.action} ${s.name}`),
			['remove demo-old-1', 'start demo-db-1', 'keep demo-worker-1', 'keep demo-worker-2', 'create demo-worker-3'],
		);
	});

	test('a job that completed is kept, not run again', async () => {
		const labels = planStack(await file('1'), []).steps[0]!.config!.labels!;
		const steps = planStack(await file('1'), [meta('demo-db-1', labels, 'exited')]).steps;
		assert.equal(steps[0]!.action, 'keep');
	});
});
