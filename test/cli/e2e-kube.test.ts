// c32 generate kube and c32 kube play / down on real containers: what generate writes
// validates against the Kubernetes schema, and played back it makes the same containers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {needsRuntime} from '../helpers/engine.js';
import {validateYaml} from '../helpers/kube-models.js';
import {needsNetworkStack} from '../helpers/network.js';
import {freePort, needsImageTools, ociFixtures, TWO_LAYER} from '../helpers/oci-fixtures.js';
import {readmeBlock, suiteSandbox} from './binary.js';

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
		const script = path.join(box.dir, 'bot.sh');
		fs.writeFileSync(script, 'echo hi\n');
		await ok(['create', '--name', 'bot', script]);
		const hostPath = await box.run(['generate', 'kube', 'bot']);
		assert.equal(hostPath.code, 1);
		assert.equal(
			hostPath.stderr,
			`c32: error: bot runs the host-path image ${script}, which a cluster cannot pull: push an OCI image of it (c32 commit makes one from a container) and give its name with --image NAME\n`,
		);
		assert.equal(validateYaml(await ok(['generate', 'kube', '--image', 'bot=registry.example.com/bot:1', 'bot'])).length, 1);
		const unknown = await box.run(['generate', 'kube', '--image', 'ghost=x:1', 'hosty']);
		assert.equal(unknown.code, 2);
		assert.match(unknown.stderr, /--image ghost=\.\.\.: ghost is not one of the containers given/);
	});
});

describe('c32 kube play and down', () => {
	const box = suiteSandbox();
	const ok = async (args: string[]) => {
		const result = await box.run(args);
		assert.equal(result.code, 0, `c32 ${args.join(' ')}: ${result.stderr}`);
		return result.stdout;
	};
	const inspect = async (name: string): Promise<Obj> => JSON.parse(await ok(['inspect', name]))[0];
	const names = async () => (JSON.parse(await ok(['ps', '-a', '--json'])) as {name: string}[]).map((c) => c.name).sort();

	test('generate -> rm -> play makes the same containers; down leaves nothing', async (t) => {
		if (!needsNetworkStack(t) || !needsImageTools(t)) return;
		await ok(['load', '-q', '-i', ociFixtures().ociArchive]);
		const [webPort, lockedPort] = [await freePort(), await freePort()];
		await ok([
			'run',
			'-d',
			'--name',
			'web',
			'--init',
			'-p',
			`127.0.0.1:${webPort}:80`,
			'-e',
			'GREETING=hi',
			'-m',
			'64m',
			'--cpus',
			'0.5',
			'--health-cmd',
			'test -e /etc/added',
			'--health-interval',
			'1s',
			'--health-timeout',
			'2s',
			'--health-retries',
			'2',
			'--health-start-period',
			'1s',
			IMAGE,
			'--',
			'sleep',
			'1000',
		]);
		await ok([
			'run',
			'-d',
			'--name',
			'locked',
			'--init',
			'--isolation',
			'strict',
			'--network',
			'c32',
			'-p',
			`127.0.0.1:${lockedPort}:81`,
			'--cpus',
			'0.25',
			'-m',
			'32m',
			'-e',
			'MODE=strict',
			'--health-cmd',
			'test -e /etc/added',
			'--health-interval',
			'3s',
			IMAGE,
			'--',
			'sleep',
			'1000',
		]);
		const before = {web: await inspect('web'), locked: await inspect('locked')};
		const file = path.join(box.dir, 'pods.yaml');
		const manifest = await ok(['generate', 'kube', 'web', 'locked']);
		validateYaml(manifest);
		fs.writeFileSync(file, manifest);
		await ok(['rm', '-f', 'web', 'locked']);

		const played = await box.run(['kube', 'play', file]);
		assert.equal(played.code, 0, played.stderr);
		assert.equal(played.stdout, 'create web\ncreate locked\n');
		assert.equal(played.stderr, '', "no note: the Services' ports are the ones the containers publish");
		for (const name of ['web', 'locked'] as const) {
			const was = before[name].config;
			const now = (await inspect(name)).config;
			assert.equal((await inspect(name)).state, 'running', name);
			assert.equal(now.ociImage.id, was.ociImage.id, `${name}: image`);
			assert.equal(now.entrypoint, was.entrypoint, `${name}: command`);
			assert.deepEqual(now.args, was.args, `${name}: args`);
			assert.deepEqual(now.environment, was.environment, `${name}: env`);
			assert.equal(now.resourceLimits.cpuLimitPercent, was.resourceLimits.cpuLimitPercent, `${name}: cpu`);
			assert.equal(now.resourceLimits.memoryLimitMb, was.resourceLimits.memoryLimitMb, `${name}: memory`);
			assert.deepEqual(now.ports, was.ports, `${name}: ports`);
			assert.equal(now.isolationLevel, was.isolationLevel, `${name}: isolation`);
			assert.deepEqual(now.capabilities, was.capabilities, `${name}: capabilities`);
			assert.equal(now.init, was.init, `${name}: init`);
			assert.equal(now.network, was.network, `${name}: network`);
			assert.deepEqual(now.restartPolicy, was.restartPolicy, `${name}: restart policy`);
		}
		for (const name of ['web', 'locked'] as const) {
			const check = (await inspect(name)).config.healthcheck;
			const {onFailure: _, ...rest} = before[name].config.healthcheck;
			assert.deepEqual({...check, onFailure: undefined}, {...rest, onFailure: undefined}, `${name}: the health check`);
			assert.equal(check.onFailure, 'restart', 'a liveness probe restarts');
		}

		const again = await box.run(['kube', 'play', file]);
		assert.equal(again.code, 1);
		assert.match(again.stderr, /^c32: error: web exists from an earlier kube play: c32 kube down FILE first, or kube play --replace\n$/);
		const firstId = (await inspect('web')).id;
		assert.equal((await box.run(['kube', 'play', '--replace', file])).code, 0);
		assert.notEqual((await inspect('web')).id, firstId, '--replace made it again');

		await ok(['run', '-d', '--name', 'bystander', IMAGE, '--', 'sleep', '1000']);
		const down = await ok(['kube', 'down', file]);
		assert.deepEqual(down.split('\n').filter(Boolean).sort(), ['remove locked', 'remove web']);
		assert.deepEqual(await names(), ['bystander'], 'down removes what play made, only that');

		// A stack's service as a Deployment of two replicas, and back.
		const stack = path.join(box.dir, 'compose.yaml');
		fs.writeFileSync(
			stack,
			`name: kstack\nservices:\n  app:\n    image: ${IMAGE}\n    command: ["sleep", "1000"]\n    init: true\n    deploy: {replicas: 2, resources: {limits: {memory: 48m}}}\n`,
		);
		const deployment = path.join(box.dir, 'app.yaml');
		fs.writeFileSync(deployment, await ok(['generate', 'kube', '--stack', stack]));
		assert.equal(await ok(['kube', 'play', deployment]), 'create app-1\ncreate app-2\n');
		const replica = await inspect('app-2');
		assert.equal(replica.state, 'running');
		assert.deepEqual(replica.config.args, ['1000']);
		assert.equal(replica.config.resourceLimits.memoryLimitMb, 48);
		assert.equal(replica.labels['c32.kube.kind'], 'Deployment');
		assert.equal(replica.labels['c32.stack'], undefined, 'not part of the stack');
		assert.deepEqual((await ok(['kube', 'play', '--down', deployment])).split('\n').filter(Boolean).sort(), [
			'remove app-1',
			'remove app-2',
		]);
		assert.deepEqual(await names(), ['bystander']);
		await ok(['rm', '-f', 'bystander']);
	});

	test('bad input is refused in one line with its line, and leaves nothing behind', async (t) => {
		if (!needsRuntime(t)) return;
		const write = (text: string) => {
			const file = path.join(box.dir, 'bad.yaml');
			fs.writeFileSync(file, text);
			return file;
		};
		const refused = async (text: string, pattern: RegExp) => {
			const result = await box.run(['kube', 'play', write(text)]);
			assert.equal(result.code, 1, result.stderr);
			assert.match(result.stderr, pattern);
			assert.equal(result.stderr.split('\n').length, 2, 'one line');
			assert.deepEqual(await names(), [], 'nothing was created');
		};
		const pod = (name: string, image: string) =>
			`apiVersion: v1\nkind: Pod\nmetadata: {name: ${name}}\nspec:\n  containers: [{name: c, image: "${image}", args: [sleep, "100"]}]\n`;
		await refused('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [oops\n', /^c32: error: bad\.yaml:\d+: YAML syntax error: /);
		await refused(`${pod('a', IMAGE)}  initContainers: []\n`, /^c32: error: bad\.yaml:6: spec\.initContainers: not supported/);
		await refused('apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n', /^c32: error: bad\.yaml:2: kind: Job is not supported/);
		// The second Pod's image is not in the store: the first is not created either.
		await refused(`${pod('first', IMAGE)}---\n${pod('second', 'localhost/nope:1')}`, /^c32: error: Pod second: .*nope/);
		const missing = await box.run(['kube', 'down', path.join(box.dir, 'none.yaml')]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /^c32: error: cannot read .*none\.yaml: no such file\n$/);
	});
});

describe("the README's Kubernetes block", () => {
	const box = suiteSandbox();

	test('runs as written from the root of a clone (with tools:1 imported first), and leaves nothing', async (t) => {
		if (!needsNetworkStack(t) || !needsImageTools(t)) return;
		const block = readmeBlock('**Kubernetes**');
		// The one step before it: tools:1, as the OCI images block imports it.
		const imported = await box.run(['import', ociFixtures().rootfsTar, 'tools:1', '--change', 'CMD ["/bin/sh"]']);
		assert.equal(imported.code, 0, imported.stderr);
		const {clone, ...result} = await box.runInClone(block, 'clone');
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.match(result.stdout, /^create web\nremove web\n/m);
		const objects = validateYaml(fs.readFileSync(path.join(clone, 'web.yaml'), 'utf8')) as Obj[];
		assert.deepEqual(
			objects.map((o) => o['kind']),
			['Pod', 'Service'],
		);
		const stack = validateYaml(result.stdout.slice(result.stdout.indexOf('remove web\n') + 'remove web\n'.length)) as Obj[];
		assert.deepEqual(
			stack.map((o) => `${o['kind']}/${o['metadata'].name}`),
			['Deployment/web', 'Service/web', 'Deployment/setup', 'Deployment/worker'],
		);
		assert.equal((await box.run(['ps', '-aq'])).stdout, '');
	});
});
