// c32 generate kube and c32 kube play / down on real containers: what generate writes
// validates against the Kubernetes schema, and played back it makes the same containers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {validateYaml} from '../helpers/kube-models.js';
import {needsNetworkStack} from '../helpers/network.js';
import {freePort, needsImageTools, ociFixtures, TWO_LAYER} from '../helpers/oci-fixtures.js';
import {suiteSandbox} from './binary.js';

const IMAGE = TWO_LAYER.name;

// biome-ignore lint/suspicious/noExplicitAny: manifests are read by path in the assertions
type Obj = Record<string, any>;

describe('c32 generate kube', () => {
	const box = suiteSandbox();
	const ok = async (args: string[]) => {
		const result = await box.run(args);
		assert.equal(result.code, 0, `c32 ${args.join(' ')}: ${result.stderr}`);
		return result.stdout;
	};

	test('writes a Pod and a Service per container, valid Kubernetes objects', async (t) => {
		if (!needsNetworkStack(t) || !needsImageTools(t)) return;
		await ok(['load', '-q', '-i', ociFixtures().ociArchive]);
		const port = await freePort();
		await ok([
			'run',
			'-d',
			'--name',
			'web',
			'--init',
			'-p',
			`127.0.0.1:${port}:80`,
			'-e',
			'GREETING=hi',
			'-m',
			'64m',
			'--cpus',
			'0.5',
			'--health-cmd',
			'test -e /etc/added',
			'--health-interval',
			'2s',
			'--health-retries',
			'2',
			IMAGE,
			'--',
			'sleep',
			'1000',
		]);
		await ok(['run', '-d', '--name', 'locked', '--init', '--isolation', 'strict', '--pids-limit', '50', IMAGE, '--', 'sleep', '1000']);
		const objects = validateYaml(await ok(['generate', 'kube', 'web', 'locked'])) as Obj[];
		assert.deepEqual(
			objects.map((o) => `${o['kind']}/${o['metadata'].name}`),
			['Pod/web', 'Service/web', 'Pod/locked'],
		);
		const [web, service, locked] = objects;
		const c = web!['spec'].containers[0];
		assert.equal(c.image, IMAGE);
		assert.deepEqual([...c.command, ...c.args], ['sleep', '1000']);
		assert.deepEqual(
			c.env.find((e: Obj) => e['name'] === 'GREETING'),
			{name: 'GREETING', value: 'hi'},
		);
		assert.deepEqual(c.resources.limits, {cpu: '500m', memory: '64Mi'});
		assert.deepEqual(c.ports, [{containerPort: 80, protocol: 'TCP', hostPort: port, hostIP: '127.0.0.1'}]);
		assert.deepEqual(c.livenessProbe.exec.command, ['/bin/sh', '-c', 'test -e /etc/added']);
		assert.equal(c.livenessProbe.periodSeconds, 2);
		assert.equal(c.livenessProbe.failureThreshold, 2);
		assert.equal(c.securityContext.capabilities.add.length, 11);
		assert.equal(service!['spec'].ports[0].port, port);
		const strict = locked!['spec'].containers[0].securityContext;
		assert.equal(strict.readOnlyRootFilesystem, true);
		assert.deepEqual(strict.capabilities, {drop: ['ALL']});
		assert.equal(locked!['spec'].hostUsers, false);

		const stack = path.join(box.dir, 'compose.yaml');
		fs.writeFileSync(stack, `name: kstack\nservices:\n  app:\n    image: ${IMAGE}\n    deploy: {replicas: 2}\n    ports: ["8080:80"]\n`);
		const fromStack = validateYaml(await ok(['generate', 'kube', '--stack', stack])) as Obj[];
		assert.deepEqual(
			fromStack.map((o) => `${o['kind']}/${o['metadata'].name}`),
			['Deployment/app', 'Service/app'],
		);
		assert.equal(fromStack[0]!['spec'].replicas, 2);
	});

	test('a container without an image a cluster can pull is refused in one line, unless --image names one', async (t) => {
		if (!needsNetworkStack(t)) return;
		await ok(['create', '--name', 'hosty', '--', 'sleep', '1']);
		const refused = await box.run(['generate', 'kube', 'hosty']);
		assert.equal(refused.code, 1);
		assert.equal(refused.stdout, '');
		assert.match(
			refused.stderr,
			/^c32: error: hosty runs on the host's own trees \(no image\), which a cluster cannot pull: .*c32 commit.*--image NAME\n$/,
		);
		const given = validateYaml(await ok(['generate', 'kube', '--image', 'registry.example.com/hosty:1', 'hosty'])) as Obj[];
		assert.equal(given[0]!['spec'].containers[0].image, 'registry.example.com/hosty:1');
		const unknown = await box.run(['generate', 'kube', '--image', 'ghost=x:1', 'hosty']);
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /--image ghost=\.\.\.: ghost is not one of the containers given/);
	});
});
