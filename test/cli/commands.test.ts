// Commands run in-process against a hand-made engine: what they print and return, without root.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error, type Engine, type ExportedState, type LogEntry} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const notFound = (ref: string) => new C32Error('NOT_FOUND', `no such container: ${ref}`);

describe('commands against an engine double', () => {
	it('ps lists active containers newest first; -a adds the rest', async () => {
		const containers = [
			container('old', {
				createdAt: '2025-06-01T10:00:00.000Z',
				state: 'exited',
				exitCode: 1,
				pid: null,
				finishedAt: '2025-06-01T11:00:00.000Z',
			}),
			container('new'),
		];
		const {ctx, out} = fakeContext({
			listContainers: async () => containers,
			inspectContainer: async (ref: string) => ({
				...containers.find((c) => c.id === ref)!,
				config: {} as never,
				paths: {bundle: '/b', log: '/l', monitorPidFile: '/m'},
				userNamespace: null,
				network: null,
				networks: [],
			}),
		});
		assert.equal(await runCli(['ps'], ctx), 0);
		assert.deepEqual(
			out.stdout
				.trimEnd()
				.split('\n')
				.map((l) => l.split(/\s{3,}/)[1]),
			['NAME', 'new'],
		);
		out.stdout = '';
		await runCli(['list'], ctx);
		assert.match(out.stdout, /new .*Up About a minute\n.*old .*Exited \(1\) About an hour ago\n$/);
	});

	it('ps takes the networks from the listing: no container is inspected one by one', async () => {
		const web = {
			...container('web'),
			networks: [
				{
					name: 'c32',
					ip: '10.90.0.2',
					gateway: '10.90.0.1',
					ports: [{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const}],
				},
			],
		};
		let inspected = 0;
		const {ctx, out} = fakeContext({
			listContainers: async () => [web],
			inspectContainer: async () => {
				inspected++;
				throw new Error('not wanted');
			},
		});
		assert.equal(await runCli(['ps'], ctx), 0);
		assert.match(out.stdout, /web .*127\.0\.0\.1:8080->80\/tcp/);
		out.stdout = '';
		assert.equal(await runCli(['ps', '--json'], ctx), 0);
		assert.deepEqual(JSON.parse(out.stdout)[0].networks, web.networks);
		assert.equal(inspected, 0);
	});

	it('acts on every ref concurrently but prints in the order given', async () => {
		const delays: Record<string, number> = {a: 60, b: 0, c: 30};
		const {ctx, out} = fakeContext({
			stopContainer: async (ref: string) => {
				if (!(ref in delays)) throw notFound(ref);
				await sleep(delays[ref]);
				return container(ref);
			},
		});
		assert.equal(await runCli(['stop', 'a', 'x', 'b', 'c'], ctx), 1);
		assert.equal(out.stdout, 'a\nb\nc\n');
		assert.equal(out.stderr, 'c32: error: no such container: x\n');
	});

	it('passes stop and kill options through', async () => {
		const calls: unknown[] = [];
		const {ctx} = fakeContext({
			stopContainer: async (ref: string, options?: unknown) => {
				calls.push(['stop', ref, options]);
				return container(ref);
			},
			killContainer: async (ref: string, signal?: string) => {
				calls.push(['kill', ref, signal]);
				return container(ref);
			},
			removeContainer: async (ref: string, options?: unknown) => {
				calls.push(['rm', ref, options]);
			},
		});
		await runCli(['stop', '-t', '3', 'a'], ctx);
		await runCli(['stop', 'b'], ctx);
		await runCli(['kill', '-s', 'HUP', 'c'], ctx);
		await runCli(['remove', '-f', 'd'], ctx);
		assert.deepEqual(calls, [
			['stop', 'a', {timeout: 3}],
			['stop', 'b', {}],
			['kill', 'c', 'SIGHUP'],
			['rm', 'd', {force: true}],
		]);
	});

	it('logs sends each line to the stream it came from', async () => {
		const entries: LogEntry[] = [
			{timestamp: '2025-06-01T11:59:00.000000001Z', stream: 'stdout', line: 'to out'},
			{timestamp: '2025-06-01T11:59:00.000000002Z', stream: 'stderr', line: 'to err'},
		];
		let options: unknown;
		const {ctx, out} = fakeContext({
			getLogs: (_ref: string, given?: unknown) => {
				options = given;
				return (async function* () {
					yield* entries;
				})();
			},
		});
		assert.equal(await runCli(['logs', '-t', '--tail', '5', '--since', '30m', 'bot'], ctx), 0);
		assert.equal(out.stdout, '2025-06-01T11:59:00.000000001Z to out\n');
		assert.equal(out.stderr, '2025-06-01T11:59:00.000000002Z to err\n');
		assert.deepEqual(options, {
			follow: false,
			tail: 5,
			since: '2025-06-01T11:30:00.000Z',
			signal: (options as {signal: AbortSignal}).signal,
		});
	});

	it('logs -f stops following on Ctrl-C and exits 0', async () => {
		const {ctx, out, interrupt, listening} = fakeContext({
			getLogs: (_ref: string, options?: {signal?: AbortSignal}) =>
				(async function* () {
					yield {timestamp: 't', stream: 'stdout' as const, line: 'first'};
					await new Promise((resolve) => options?.signal?.addEventListener('abort', resolve));
				})(),
		});
		const done = runCli(['logs', '-f', 'bot'], ctx);
		while (listening() === 0) await sleep(1);
		interrupt();
		assert.equal(await done, 0);
		assert.equal(out.stdout, 'first\n');
		assert.equal(listening(), 0);
	});

	it('run attached: exit code of the container; Ctrl-C stops, a second kills; --rm removes', async () => {
		const calls: string[] = [];
		let exit: (code: number) => void = () => undefined;
		const exited = new Promise<number>((resolve) => {
			exit = resolve;
		});
		const engine: Partial<Engine> = {
			createContainer: async (config) => {
				calls.push(`create ${JSON.stringify(config)}`);
				return container('job');
			},
			startContainer: async () => {
				calls.push('start');
				return container('job');
			},
			stopContainer: async () => {
				calls.push('stop');
				return container('job');
			},
			killContainer: async (_ref, signal) => {
				calls.push(`kill ${signal}`);
				exit(137);
				return container('job');
			},
			getLogs: () =>
				(async function* () {
					yield {timestamp: 't', stream: 'stdout' as const, line: 'working'};
					await exited;
				})(),
			waitContainer: () => exited,
			removeContainer: async () => {
				calls.push('rm');
			},
		};
		const {ctx, out, interrupt, listening} = fakeContext(engine);
		const done = runCli(['run', '--rm', '--name', 'job', '--', 'sh', '-c', 'sleep 9'], ctx);
		while (!out.stdout.includes('working') || listening() === 0) await sleep(1);
		interrupt();
		await sleep(5);
		interrupt();
		assert.equal(await done, 137);
		assert.deepEqual(calls, ['create {"name":"job","args":["sh","-c","sleep 9"]}', 'start', 'stop', 'kill SIGKILL', 'rm']);
	});

	it('run -d prints the id only; an engine error is exit 125', async () => {
		const {ctx, out} = fakeContext({
			createContainer: async () => container('bg'),
			startContainer: async () => container('bg'),
		});
		assert.equal(await runCli(['run', '-d', '--', 'sleep', '1'], ctx), 0);
		assert.equal(out.stdout, `${container('bg').id}\n`);
		const failing = fakeContext({
			createContainer: async () => {
				throw new C32Error('LIMIT_EXCEEDS_HOST', 'memoryLimitMb 99999999 MB is more than this host allows');
			},
		});
		assert.equal(await runCli(['run', '-m', '99999999', '--', 'true'], failing.ctx), 125);
		assert.equal(failing.out.stderr, 'c32: error: memoryLimitMb 99999999 MB is more than this host allows\n');
	});

	it('import renames with --name and prints the new id', async () => {
		const state = {formatVersion: 1, exportedAt: 'x', metadata: container('orig'), config: {name: 'orig'}} as unknown as ExportedState;
		let received: ExportedState | undefined;
		const {ctx, out} = fakeContext(
			{
				importContainerState: async (given) => {
					received = given;
					return container('copy');
				},
			},
			{files: {'/work/state.json': JSON.stringify(state), 'state.json': JSON.stringify(state)}},
		);
		assert.equal(await runCli(['import', '--name', 'copy', 'state.json'], ctx), 0);
		assert.equal(received?.config.name, 'copy');
		assert.equal(received?.metadata.name, 'copy');
		assert.equal(out.stdout, `${container('copy').id}\n`);
	});

	it('inspect prints what it found and fails for the rest', async () => {
		const {ctx, out} = fakeContext({
			inspectContainer: async (ref: string) => {
				if (ref !== 'a') throw notFound(ref);
				return {
					...container('a'),
					config: {} as never,
					paths: {bundle: '/b', log: '/l', monitorPidFile: '/m'},
					userNamespace: null,
					network: null,
					networks: [],
				};
			},
		});
		assert.equal(await runCli(['inspect', 'a', 'zz'], ctx), 1);
		assert.equal(JSON.parse(out.stdout)[0].name, 'a');
		assert.equal(out.stderr, 'c32: error: no such container: zz\n');
	});

	it('an unexpected error prints one line, and its stack only with C32_DEBUG=1', async () => {
		const boom = {listContainers: async () => Promise.reject(new TypeError('boom\nsecond line'))};
		const quiet = fakeContext(boom);
		assert.equal(await runCli(['ps'], quiet.ctx), 1);
		assert.equal(quiet.out.stderr, 'c32: error: boom\n');
		const debug = fakeContext(boom, {env: {C32_DEBUG: '1'}});
		await runCli(['ps'], debug.ctx);
		assert.match(debug.out.stderr, /^c32: error: boom\nTypeError: boom\nsecond line\n\s+at /);
	});
});
