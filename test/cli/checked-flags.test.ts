// Flags with a fixed vocabulary fail as every other usage error does: `c32: error: ...`, the
// help hint, exit 2, and before the engine is asked anything.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {ContainerMetadata, Engine} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';

/** An engine that records every call: none must happen for a usage error. */
function recordingEngine(calls: string[]): Partial<Engine> {
	const meta = {id: 'a'.repeat(64), name: 'a'} as ContainerMetadata;
	const record = (name: string) => async () => {
		calls.push(name);
		return meta;
	};
	return {
		createContainer: record('create'),
		startContainer: record('start'),
		stopContainer: async (ref: string, options?: unknown) => {
			calls.push(`stop ${ref} ${JSON.stringify(options)}`);
			return meta;
		},
		killContainer: async (ref: string, signal?: string) => {
			calls.push(`kill ${ref} ${signal}`);
			return meta;
		},
		getContainer: record('get'),
	};
}

async function usageError(argv: string[], pattern: RegExp): Promise<void> {
	const calls: string[] = [];
	const {ctx, out} = fakeContext(recordingEngine(calls));
	const code = await runCli(argv, ctx);
	assert.equal(code, 2, `${argv.join(' ')}: ${out.stderr}`);
	const [line, hint, ...rest] = out.stderr.split('\n');
	assert.match(line!, /^c32: error: /);
	assert.match(line!, pattern);
	assert.match(hint!, /^See 'c32 \w+ --help'\.$/);
	assert.deepEqual(rest, ['']);
	assert.deepEqual(calls, [], `the engine was asked: ${calls.join(', ')}`);
}

describe('enum and signal flags', () => {
	it('--network-limit, --isolation and --restart outside their values', async () => {
		for (const bad of ['0', '-8', '0.0']) {
			await usageError(
				['run', '--network-limit', bad, '--', 'true'],
				/^c32: error: invalid --network-limit ".*": give megabits per second above 0 \(8 = 1 MB\/s\), or leave it out for no limit$/,
			);
		}
		await usageError(['create', '--network-limit', '8mbit', '--', 'true'], /invalid --network-limit "8mbit": give a number$/);
		await usageError(['create', '--isolation', 'foo', '--', 'true'], /invalid --isolation "foo": use minimal, standard or strict$/);
		await usageError(['run', '--restart', 'sometimes', '--', 'true'], /invalid --restart "sometimes": use no, on-failure/);
		await usageError(['run', '--restart', 'always', '--max-restarts', '3', '--', 'true'], /--max-restarts goes with --restart on-failure/);
	});

	it('an invalid signal for kill -s, stop -s and --stop-signal, before any lookup', async () => {
		await usageError(['kill', '-s', 'FOO', 'nosuch', 'other'], /invalid --signal "FOO": use a name such as TERM/);
		await usageError(['kill', '--signal', '65', 'nosuch'], /invalid --signal "65"/);
		await usageError(['stop', '-s', 'SIGRTMIN+31', 'nosuch'], /invalid --signal "SIGRTMIN\+31"/);
		await usageError(['run', '--stop-signal', 'NOPE', '--', 'true'], /invalid --stop-signal "NOPE"/);
	});

	it('valid signals reach the engine by their canonical name', async () => {
		const calls: string[] = [];
		const {ctx} = fakeContext(recordingEngine(calls));
		assert.equal(await runCli(['kill', '-s', 'rtmin+3', 'a'], ctx), 0);
		assert.equal(await runCli(['kill', '-s', '50', 'a'], ctx), 0);
		assert.equal(await runCli(['stop', '-s', 'usr1', '-t', '2', 'a'], ctx), 0);
		assert.deepEqual(calls, ['kill a SIGRTMIN+3', 'kill a SIGRTMAX-14', 'stop a {"timeout":2,"signal":"SIGUSR1"}']);
	});

	it('--cap-add and --cap-drop are passed on as given; the engine checks the names', async () => {
		let config: unknown;
		const {ctx} = fakeContext({
			createContainer: async (c) => {
				config = c;
				return {id: 'b'.repeat(64), name: 'b'} as ContainerMetadata;
			},
		});
		assert.equal(await runCli(['create', '--cap-add', 'net_raw', '--cap-add', 'SYS_PTRACE', '--cap-drop', 'ALL', '--', 'true'], ctx), 0);
		assert.deepEqual(config, {args: ['true'], capAdd: ['net_raw', 'SYS_PTRACE'], capDrop: ['ALL']});
	});

	it('the network flags reach the engine: names and port specs are its to check', async () => {
		let config: unknown;
		const {ctx} = fakeContext({
			createContainer: async (c) => {
				config = c;
				return {id: 'b'.repeat(64), name: 'b'} as ContainerMetadata;
			},
		});
		const argv = ['create', '--network', 'team', '--network-alias', 'db', '--network-alias', 'store', '-p', '8080:80'];
		argv.push('--publish', '127.0.0.1:5353:53/udp', '-p', '9000', '--network-limit', '8', '--', 'true');
		assert.equal(await runCli(argv, ctx), 0);
		assert.deepEqual(config, {
			args: ['true'],
			network: 'team',
			ports: ['8080:80', '127.0.0.1:5353:53/udp', '9000'],
			networkAliases: ['db', 'store'],
			resourceLimits: {networkBandwidthLimitMbps: 8},
		});
		assert.equal(await runCli(['create', '--net', 'host', '--network-limit', '0.5', '--', 'true'], ctx), 0);
		assert.deepEqual(config, {args: ['true'], network: 'host', resourceLimits: {networkBandwidthLimitMbps: 0.5}});
		assert.equal(await runCli(['create', '--network', 'front', '--network', 'back', '--network-alias', 'db', '--', 'true'], ctx), 0);
		assert.deepEqual(config, {
			args: ['true'],
			network: 'front',
			networkAliases: ['db'],
			additionalNetworks: [{name: 'back', aliases: ['db']}],
		});
	});
});
