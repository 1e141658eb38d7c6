// resolveConfig: validation and defaults, against a fake host (no root, no files needed).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {DEFAULT_LOG_SIZE_MAX, entrypointForImage, type HostFacts, resolveConfig, resolveSignal, validateName} from '../../engine/config.js';
import {type C32ErrorCode, isC32Error} from '../../engine/errors.js';
import {validateConfig} from '../../engine/schema.js';
import {readDefaults} from '../../engine/settings.js';
import type {ContainerConfig} from '../../engine/types.js';

/** A 4-core, 8 GiB host with a few known paths. */
function fakeHost(overrides: Partial<HostFacts> = {}): HostFacts {
	const paths: Record<string, 'file' | 'directory' | 'other'> = {
		'/srv/bot.py': 'file',
		'/srv/app.js': 'file',
		'/srv/app.mjs': 'file',
		'/srv/run.sh': 'file',
		'/srv/tool': 'file',
		'/srv/data.bin': 'file',
		'/srv/project': 'directory',
		'/srv/volume': 'directory',
		'/srv/fifo': 'other',
	};
	return {
		cpuCount: 4,
		memoryTotalMb: 8192,
		maxOpenFilesHard: 4096,
		pidMax: 32768,
		uid: 1000,
		gid: 1000,
		capLastCap: 40,
		cgroupsWritable: true,
		defaults: readDefaults({}, {pidMax: 32768, maxOpenFilesHard: 4096}),
		realPath: (p: string) => p,
		pathKind: (p) => paths[p] ?? null,
		isExecutable: (p) => p === '/srv/tool',
		lookupUser: (name) => (name === 'worker' ? {uid: 1001, gid: 1002} : null),
		...overrides,
	};
}

const resolve = (input: ContainerConfig, host = fakeHost()) => resolveConfig(input, 'default-name', host);

/** Through the whole of create's validation: the schema, then resolveConfig. */
function refuses(input: unknown, code: C32ErrorCode, pattern?: RegExp, host = fakeHost()): void {
	assert.throws(
		() => validateConfig(input, () => 'default-name', host),
		(error: unknown) => {
			assert.ok(isC32Error(error), `not a C32Error: ${String(error)}`);
			assert.equal(error.code, code, error.message);
			if (pattern) assert.match(error.message, pattern);
			return true;
		},
	);
}

describe('resolveConfig defaults', () => {
	test('a bare command gets every default filled in', () => {
		const c = resolve({entrypoint: 'sleep', args: ['5']});
		assert.equal(c.name, 'default-name');
		assert.equal(c.image, null);
		assert.equal(c.entrypoint, 'sleep');
		assert.deepEqual(c.args, ['5']);
		assert.equal(c.isolationLevel, 'standard');
		assert.equal(c.workingDir, '/app');
		assert.equal(c.hostname, 'default-name');
		assert.equal(c.network, 'c32', 'standard is on the c32 bridge network');
		assert.deepEqual([c.ports, c.networkAliases], [[], []]);
		assert.equal(c.stopSignal, 'SIGTERM');
		assert.equal(c.stopTimeout, 10);
		assert.equal(c.logSizeMax, DEFAULT_LOG_SIZE_MAX);
		assert.equal(DEFAULT_LOG_SIZE_MAX, 10 * 1024 * 1024);
		assert.deepEqual(c.restartPolicy, {name: 'no', maxRetries: 0});
		assert.deepEqual(c.user, {uid: 0, gid: 0});
		assert.deepEqual(resolve({entrypoint: 'true', isolationLevel: 'minimal'}).user, {uid: 1000, gid: 1000}, 'minimal runs as the caller');
		assert.deepEqual(c.environment, {});
		assert.deepEqual(c.volumes, []);
		assert.deepEqual(c.resourceLimits, {maxProcesses: 2048, maxOpenFiles: 4096}, 'the pids and open-files defaults');
	});

	test('strict defaults to no network and refuses the host network', () => {
		assert.equal(resolve({entrypoint: 'true', isolationLevel: 'strict'}).network, 'none');
		assert.equal(resolve({entrypoint: 'true', isolationLevel: 'strict', network: 'backend'}).network, 'backend');
		refuses({entrypoint: 'true', isolationLevel: 'strict', network: 'host'}, 'INVALID_CONFIG');
		assert.equal(resolve({entrypoint: 'true', network: 'none'}).network, 'none');
		assert.equal(resolve({entrypoint: 'true', network: 'host'}).network, 'host', '--network host is as before');
	});

	test('minimal has the host network only: none and named networks are refused', () => {
		assert.equal(resolve({entrypoint: 'true', isolationLevel: 'minimal'}).network, 'host');
		refuses({entrypoint: 'true', isolationLevel: 'minimal', network: 'none'}, 'INVALID_CONFIG', /host's network/);
		refuses({entrypoint: 'true', isolationLevel: 'minimal', network: 'c32'}, 'INVALID_CONFIG', /minimal isolation/);
	});

	test('network names, ports and aliases: bad ones are refused with what to give', () => {
		refuses({entrypoint: 'true', network: 'bad name'}, 'INVALID_CONFIG', /invalid network "bad name"/);
		refuses({entrypoint: 'true', network: ''}, 'INVALID_CONFIG', /invalid network/);
		refuses({entrypoint: 'true', ports: ['70000:80']}, 'INVALID_CONFIG', /outside 1-65535/);
		refuses({entrypoint: 'true', ports: ['8080:0']}, 'INVALID_CONFIG', /outside 1-65535/);
		refuses({entrypoint: 'true', ports: ['http']}, 'INVALID_CONFIG', /HOSTPORT:CONTAINERPORT/);
		refuses({entrypoint: 'true', ports: [{containerPort: 80, hostPort: 65536} as never]}, 'INVALID_CONFIG', /host port 65536/);
		refuses({entrypoint: 'true', ports: [{containerPort: 80, hostIp: '::1'} as never]}, 'INVALID_CONFIG', /IPv4/);
		refuses({entrypoint: 'true', ports: ['8080:80', '8080:81']}, 'INVALID_CONFIG', /published twice/);
		refuses({entrypoint: 'true', network: 'host', ports: ['8080:80']}, 'INVALID_CONFIG', /need a c32 network/);
		refuses({entrypoint: 'true', network: 'none', ports: ['80']}, 'INVALID_CONFIG', /need a c32 network/);
		refuses({entrypoint: 'true', network: 'host', networkAliases: ['db']}, 'INVALID_CONFIG', /aliases/);
		refuses({entrypoint: 'true', networkAliases: ['no spaces']}, 'INVALID_CONFIG', /invalid network alias/);
		const c = resolve({entrypoint: 'true', ports: ['8080:80', '127.0.0.1:9000-9001:90-91/udp', '53/udp'], networkAliases: ['db', 'db']});
		assert.deepEqual(c.ports, [
			{hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp'},
			{hostIp: '127.0.0.1', hostPort: 9000, containerPort: 90, protocol: 'udp'},
			{hostIp: '127.0.0.1', hostPort: 9001, containerPort: 91, protocol: 'udp'},
			{hostIp: '', hostPort: 0, containerPort: 53, protocol: 'udp'},
		]);
		assert.deepEqual(c.networkAliases, ['db']);
	});

	test('the hostname defaults to the name, cut to 63 characters', () => {
		const name = `n${'x'.repeat(100)}`;
		assert.equal(resolve({name, entrypoint: 'true'}).hostname, name.slice(0, 63));
		assert.equal(resolve({name: 'web', entrypoint: 'true', hostname: 'box'}).hostname, 'box');
	});
});

describe('resolveConfig images and commands', () => {
	test('the entrypoint is derived from the image kind', () => {
		assert.deepEqual(pick(resolve({image: '/srv/bot.py'})), ['python3', ['./bot.py']]);
		assert.deepEqual(pick(resolve({image: '/srv/app.js'})), ['node', ['./app.js']]);
		assert.deepEqual(pick(resolve({image: '/srv/app.mjs'})), ['node', ['./app.mjs']]);
		assert.deepEqual(pick(resolve({image: '/srv/run.sh'})), ['sh', ['./run.sh']]);
		assert.deepEqual(pick(resolve({image: '/srv/tool'})), ['./tool', []]);
	});

	test('args alone keep the derived entrypoint; an entrypoint replaces it', () => {
		assert.deepEqual(pick(resolve({image: '/srv/bot.py', args: ['-u', 'bot.py', '--fast']})), ['python3', ['-u', 'bot.py', '--fast']]);
		assert.deepEqual(pick(resolve({image: '/srv/bot.py', entrypoint: 'pypy3', args: ['bot.py']})), ['pypy3', ['bot.py']]);
		// No image: the first argument is the program.
		assert.deepEqual(pick(resolve({args: ['echo', 'hi']})), ['echo', ['hi']]);
	});

	test('a directory image needs a command; an unknown file kind needs an entrypoint', () => {
		refuses({image: '/srv/project'}, 'INVALID_CONFIG', /entrypoint/);
		refuses({image: '/srv/data.bin'}, 'INVALID_CONFIG', /entrypoint/);
		assert.equal(resolve({image: '/srv/project', entrypoint: 'sh', args: ['main.sh']}).image, '/srv/project');
	});

	test('no image and no command is refused with a hint', () => {
		refuses({}, 'INVALID_CONFIG', /command|entrypoint/);
		refuses({entrypoint: ''}, 'INVALID_CONFIG');
	});

	test('a missing image is IMAGE_NOT_FOUND; a fifo is not an image', () => {
		refuses({image: '/srv/missing.py'}, 'IMAGE_NOT_FOUND');
		refuses({image: '/srv/fifo'}, 'INVALID_CONFIG');
	});

	test('bad args are refused', () => {
		refuses({entrypoint: 'echo', args: 'hi'}, 'INVALID_CONFIG');
		refuses({entrypoint: 'echo', args: ['a\0b']}, 'INVALID_CONFIG');
		refuses({entrypoint: 'echo', args: [3]}, 'INVALID_CONFIG');
	});

	test('entrypointForImage is case-insensitive about extensions and null for data', () => {
		assert.deepEqual(entrypointForImage('/x/BOT.PY', false), {entrypoint: 'python3', args: ['./BOT.PY']});
		assert.equal(entrypointForImage('/x/data.txt', false), null);
		assert.deepEqual(entrypointForImage('/x/data.txt', true), {entrypoint: './data.txt', args: []});
	});
});

function pick(c: {entrypoint: string; args: string[]}): [string, string[]] {
	return [c.entrypoint, c.args];
}

describe('resolveConfig names', () => {
	test('the allowed pattern, and nothing else', () => {
		for (const name of ['a', '0', 'A-b_c.d', 'x'.repeat(128)]) assert.doesNotThrow(() => validateName(name), name);
		for (const name of ['', '-a', '.a', '_a', 'a b', 'a/b', 'é', 'x'.repeat(129), 'a\n']) {
			assert.throws(
				() => validateName(name),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG',
				JSON.stringify(name),
			);
		}
		refuses({name: 'bad name', entrypoint: 'true'}, 'INVALID_CONFIG');
	});
});

describe('resolveConfig limits', () => {
	test('valid limits pass through', () => {
		const limits = {cpuLimitPercent: 150, memoryLimitMb: 512, diskIoLimitMbps: 20, maxProcesses: 100, maxOpenFiles: 1024};
		assert.deepEqual(resolve({entrypoint: 'true', resourceLimits: limits}).resourceLimits, limits);
	});

	test('negative, zero, non-finite, non-numeric and absurd values are INVALID_CONFIG', () => {
		for (const key of ['cpuLimitPercent', 'memoryLimitMb', 'diskIoLimitMbps', 'maxProcesses', 'maxOpenFiles']) {
			for (const value of [-5, 0, Number.NaN, Number.POSITIVE_INFINITY, '100', 1e15]) {
				refuses({entrypoint: 'true', resourceLimits: {[key]: value}}, 'INVALID_CONFIG');
			}
		}
		refuses({entrypoint: 'true', resourceLimits: {maxProcesses: 10.5}}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', resourceLimits: {maxOpenFiles: 100.5}}, 'INVALID_CONFIG');
	});

	test('limits above the host are LIMIT_EXCEEDS_HOST, at the host maximum they pass', () => {
		refuses({entrypoint: 'true', resourceLimits: {cpuLimitPercent: 401}}, 'LIMIT_EXCEEDS_HOST', /400/);
		refuses({entrypoint: 'true', resourceLimits: {memoryLimitMb: 8193}}, 'LIMIT_EXCEEDS_HOST');
		refuses({entrypoint: 'true', resourceLimits: {maxProcesses: 32769}}, 'LIMIT_EXCEEDS_HOST');
		refuses({entrypoint: 'true', resourceLimits: {maxOpenFiles: 4097}}, 'LIMIT_EXCEEDS_HOST');
		const max = {cpuLimitPercent: 400, memoryLimitMb: 8192, maxProcesses: 32768, maxOpenFiles: 4096};
		assert.deepEqual(resolve({entrypoint: 'true', resourceLimits: max}).resourceLimits, max);
	});

	test('networkBandwidthLimitMbps: megabits on a c32 network; 0 is no limit; negative or without a network refused', () => {
		assert.equal(resolve({entrypoint: 'true', resourceLimits: {networkBandwidthLimitMbps: 8}}).resourceLimits.networkBandwidthLimitMbps, 8);
		refuses({entrypoint: 'true', resourceLimits: {networkBandwidthLimitMbps: -1}}, 'INVALID_CONFIG', /networkBandwidthLimitMbps -1/);
		refuses({entrypoint: 'true', network: 'host', resourceLimits: {networkBandwidthLimitMbps: 8}}, 'INVALID_CONFIG', /c32 network/);
		refuses({entrypoint: 'true', network: 'none', resourceLimits: {networkBandwidthLimitMbps: 8}}, 'INVALID_CONFIG', /c32 network/);
		assert.deepEqual(resolve({entrypoint: 'true', resourceLimits: {networkBandwidthLimitMbps: 0}}).resourceLimits, {
			maxProcesses: 2048,
			maxOpenFiles: 4096,
		});
	});
});

describe('resolveConfig volumes', () => {
	test('a good volume resolves with readOnly defaulting to false', () => {
		assert.deepEqual(resolve({entrypoint: 'true', volumes: [{source: '/srv/volume', destination: '/data/'}]}).volumes, [
			{source: '/srv/volume', destination: '/data', readOnly: false},
		]);
		assert.equal(
			resolve({entrypoint: 'true', volumes: [{source: '/srv/volume', destination: '/data', readOnly: true}]}).volumes[0]?.readOnly,
			true,
		);
	});

	test('missing sources and bad destinations are refused', () => {
		const bad = [
			{source: '/srv/nope', destination: '/data'},
			{source: '/srv/volume', destination: 'data'},
			{source: '/srv/volume', destination: '/a/../b'},
			{source: '/srv/volume', destination: '/'},
			{source: '/srv/volume', destination: '/proc'},
			{source: '/srv/volume', destination: '/sys/fs'},
			{source: '/srv/volume', destination: '/dev'},
			{source: '/srv/volume', destination: '/dev/'},
			{source: '/srv/volume', destination: '/usr/local/data'},
			{source: '/srv/volume', destination: '/etc/app'},
			{source: '/srv/volume'},
		];
		for (const volume of bad) refuses({entrypoint: 'true', volumes: [volume]}, 'INVALID_CONFIG');
	});

	test('minimal isolation has no volumes', () => {
		refuses({entrypoint: 'true', isolationLevel: 'minimal', volumes: [{source: '/srv/volume', destination: '/data'}]}, 'INVALID_CONFIG');
	});
});

describe('resolveConfig environment, labels, users, signals, policies', () => {
	test('environment keys must be variable names and values strings', () => {
		assert.deepEqual(resolve({entrypoint: 'true', environment: {A_1: 'x', _B: ''}}).environment, {A_1: 'x', _B: ''});
		for (const key of ['1A', 'A-B', 'A B', '', 'A=B']) refuses({entrypoint: 'true', environment: {[key]: 'x'}}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', environment: {A: 1}}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', environment: {A: 'a\0b'}}, 'INVALID_CONFIG');
	});

	test('labels', () => {
		assert.deepEqual(resolve({entrypoint: 'true', labels: {'team/app.kind': 'bot'}}).labels, {'team/app.kind': 'bot'});
		refuses({entrypoint: 'true', labels: {'bad key': 'x'}}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', labels: {k: 3}}, 'INVALID_CONFIG');
	});

	test('users: uid, uid:gid and names from passwd', () => {
		assert.deepEqual(resolve({entrypoint: 'true', user: '1000'}).user, {uid: 1000, gid: 1000});
		assert.deepEqual(resolve({entrypoint: 'true', user: '1000:50'}).user, {uid: 1000, gid: 50});
		assert.deepEqual(resolve({entrypoint: 'true', user: 'worker'}).user, {uid: 1001, gid: 1002, name: 'worker'});
		assert.deepEqual(resolve({entrypoint: 'true', user: 'worker:7'}).user, {uid: 1001, gid: 7, name: 'worker'});
		refuses({entrypoint: 'true', user: 'nobody-here'}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', user: '1:2:3'}, 'INVALID_CONFIG');
	});

	test('signals by name, short name or number', () => {
		assert.equal(resolveSignal('TERM'), 'SIGTERM');
		assert.equal(resolveSignal('sigint'), 'SIGINT');
		assert.equal(resolveSignal('9'), 'SIGKILL');
		assert.throws(
			() => resolveSignal('SIGNOPE'),
			(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG',
		);
		assert.throws(
			() => resolveSignal('999'),
			(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG',
		);
		assert.equal(resolve({entrypoint: 'true', stopSignal: 'usr1'}).stopSignal, 'SIGUSR1');
	});

	test('restart policies and the seed mapping', () => {
		assert.deepEqual(resolve({entrypoint: 'true', restartPolicy: 'on-failure:3'}).restartPolicy, {name: 'on-failure', maxRetries: 3});
		assert.deepEqual(resolve({entrypoint: 'true', autoRestart: true, maxRestartCount: 2}).restartPolicy, {
			name: 'on-failure',
			maxRetries: 2,
		});
		assert.deepEqual(resolve({entrypoint: 'true', autoRestart: true}).restartPolicy.name, 'on-failure');
		assert.deepEqual(resolve({entrypoint: 'true', autoRestart: false}).restartPolicy, {name: 'no', maxRetries: 0});
		// An explicit policy wins over the seed flags.
		assert.deepEqual(resolve({entrypoint: 'true', autoRestart: true, restartPolicy: 'always'}).restartPolicy, {
			name: 'always',
			maxRetries: 0,
		});
		refuses({entrypoint: 'true', restartPolicy: 'sometimes'}, 'INVALID_CONFIG');
	});

	test('stop timeout, log size, working dir, isolation level, hostname bounds', () => {
		assert.equal(resolve({entrypoint: 'true', stopTimeout: 0}).stopTimeout, 0);
		refuses({entrypoint: 'true', stopTimeout: -1}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', stopTimeout: 3601}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', logSizeMax: 4095}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', logSizeMax: 5000.5}, 'INVALID_CONFIG');
		assert.equal(resolve({entrypoint: 'true', logSizeMax: 4096}).logSizeMax, 4096);
		assert.equal(resolve({entrypoint: 'true', workingDir: '/srv/../work'}).workingDir, '/work');
		refuses({entrypoint: 'true', workingDir: 'work'}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', isolationLevel: 'none'}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', hostname: '-bad'}, 'INVALID_CONFIG');
		refuses({entrypoint: 'true', hostname: 'h'.repeat(64)}, 'INVALID_CONFIG');
		refuses(null, 'INVALID_CONFIG');
	});
});

describe('resolveConfig autoRemove', () => {
	test('defaults to false, is kept when asked for, and refuses a restart policy', () => {
		assert.equal(resolve({entrypoint: 'true'}).autoRemove, false);
		assert.equal(resolve({entrypoint: 'true', autoRemove: true}).autoRemove, true);
		refuses({entrypoint: 'true', autoRemove: true, restartPolicy: 'on-failure:3'}, 'INVALID_CONFIG', /restart policy/);
	});
});
