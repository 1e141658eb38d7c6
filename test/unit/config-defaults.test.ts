// Defaults a container gets without asking (pids 2048, RLIMIT_NOFILE 4096, from settings),
// duplicate volume destinations, and -u for a minimal container run by a non-root user.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {buildSpec} from '../../engine/oci/spec.js';
import {validateConfig} from '../../engine/schema.js';
import {BUILTIN_OPEN_FILES, BUILTIN_PIDS_LIMIT, readDefaults} from '../../engine/settings.js';
import type {ResolvedConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const validate = (input: unknown, host = fakeHost()) => validateConfig(input, () => 'defaults-test', host);

function specOf(config: ResolvedConfig) {
	return buildSpec({
		id: 'a'.repeat(64),
		config,
		rootfs: '/r',
		app: {kind: 'bind', source: '/a', readOnly: false},
		hostDirs: [],
		etcFiles: [],
		recursiveReadOnly: true,
		cgroupsPath: '/c32/a',
		blockDevice: null,
		swapLimitSupported: true,
		userNamespace: null,
		netnsPath: '/run/c32-test/netns/x',
		arch: 'x64',
	});
}

describe('default limits', () => {
	test("pids 2048 and RLIMIT_NOFILE 4096 (soft = hard), whatever the caller's ulimit", () => {
		assert.equal(BUILTIN_PIDS_LIMIT, 2048);
		assert.equal(BUILTIN_OPEN_FILES, 4096);
		for (const isolationLevel of ['standard', 'strict'] as const) {
			const config = validate({entrypoint: 'true', isolationLevel});
			assert.deepEqual(config.resourceLimits, {maxProcesses: 2048, maxOpenFiles: 4096});
			const spec = specOf(config);
			assert.deepEqual(spec.linux.resources['pids'], {limit: 2048});
			assert.deepEqual(spec.process.rlimits, [{type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096}]);
		}
	});

	test('a limit the container gives wins over the default', () => {
		const config = validate({entrypoint: 'true', resourceLimits: {maxProcesses: 50, maxOpenFiles: 64}});
		assert.deepEqual(config.resourceLimits, {maxProcesses: 50, maxOpenFiles: 64});
	});

	test('minimal gets the pids default only where c32 writes cgroups; the open-files one always', () => {
		assert.deepEqual(validate({entrypoint: 'true', isolationLevel: 'minimal'}).resourceLimits, {maxProcesses: 2048, maxOpenFiles: 4096});
		const nonRoot = fakeHost({uid: 1000, gid: 1000, cgroupsWritable: false});
		assert.deepEqual(validate({entrypoint: 'true', isolationLevel: 'minimal'}, nonRoot).resourceLimits, {maxOpenFiles: 4096});
	});

	test('the built-in open-files default is cut to a lower hard limit of the caller (raising it is refused)', () => {
		assert.deepEqual(readDefaults({}, {pidMax: 32768, maxOpenFilesHard: 1024}), {
			isolationLevel: 'standard',
			pidsLimit: 2048,
			openFiles: 1024,
		});
		assert.deepEqual(readDefaults({}, {pidMax: 1000, maxOpenFilesHard: 1_048_576}), {
			isolationLevel: 'standard',
			pidsLimit: 1000,
			openFiles: 4096,
		});
	});

	test('C32_DEFAULT_PIDS_LIMIT and C32_DEFAULT_NOFILE change the defaults; 0 turns one off', () => {
		const host = {pidMax: 32768, maxOpenFilesHard: 20000};
		assert.deepEqual(readDefaults({C32_DEFAULT_PIDS_LIMIT: '100', C32_DEFAULT_NOFILE: '16384'}, host), {
			isolationLevel: 'standard',
			pidsLimit: 100,
			openFiles: 16384,
		});
		assert.deepEqual(readDefaults({C32_DEFAULT_PIDS_LIMIT: '0', C32_DEFAULT_NOFILE: '0'}, host), {
			isolationLevel: 'standard',
			pidsLimit: null,
			openFiles: null,
		});
		const config = validate({entrypoint: 'true'}, fakeHost({}, {C32_DEFAULT_PIDS_LIMIT: '0', C32_DEFAULT_NOFILE: '512'}));
		assert.deepEqual(config.resourceLimits, {maxOpenFiles: 512});
		assert.equal(specOf(config).linux.resources['pids'], undefined);
	});

	test('a bad setting is refused with the variable named; one above the host is LIMIT_EXCEEDS_HOST', () => {
		const host = {pidMax: 32768, maxOpenFilesHard: 20000};
		for (const [variable, value] of [
			['C32_DEFAULT_PIDS_LIMIT', 'lots'],
			['C32_DEFAULT_NOFILE', '-1'],
			['C32_DEFAULT_NOFILE', '4'],
			['C32_DEFAULT_PIDS_LIMIT', '1.5'],
		] as const) {
			assert.throws(
				() => readDefaults({[variable]: value}, host),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message.startsWith(`${variable}=`),
				`${variable}=${value}`,
			);
		}
		assert.throws(
			() => readDefaults({C32_DEFAULT_NOFILE: '30000'}, host),
			(e: unknown) =>
				isC32Error(e) &&
				e.code === 'LIMIT_EXCEEDS_HOST' &&
				/C32_DEFAULT_NOFILE=30000 is more than this host allows \(20000/.test(e.message),
		);
	});
});

describe('volumes and users', () => {
	test('duplicate mount destinations are refused, after normalising', () => {
		for (const [a, b] of [
			['/data', '/data'],
			['/data', '/data/'],
			['/data', '//data'],
			['/data/.', '/data'],
		]) {
			assert.throws(
				() =>
					validate({
						entrypoint: 'true',
						volumes: [
							{source: '/srv/volume', destination: a},
							{source: '/srv/other', destination: b},
						],
					}),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message.startsWith('duplicate mount destination /data'),
				`${a} and ${b}`,
			);
		}
		assert.equal(
			validate({
				entrypoint: 'true',
				volumes: [
					{source: '/srv/volume', destination: '/data'},
					{source: '/srv/volume', destination: '/data2'},
				],
			}).volumes.length,
			2,
		);
	});

	test("-u as a non-root caller of a minimal container is refused with a c32 message; the caller's own ids pass", () => {
		const nonRoot = fakeHost({uid: 1000, gid: 1000, cgroupsWritable: false});
		for (const user of ['0', '1001', '1000:0', 'worker', {uid: 0, gid: 0}]) {
			assert.throws(
				() => validate({entrypoint: 'true', isolationLevel: 'minimal', user}, nonRoot),
				(e: unknown) => isC32Error(e) && e.code === 'PERMISSION_DENIED' && /only root can run it as another user/.test(e.message),
				JSON.stringify(user),
			);
		}
		assert.deepEqual(validate({entrypoint: 'true', isolationLevel: 'minimal', user: '1000'}, nonRoot).user, {uid: 1000, gid: 1000});
		assert.deepEqual(validate({entrypoint: 'true', isolationLevel: 'minimal', user: '1001'}).user, {uid: 1001, gid: 1001}, 'root may');
	});

	test('a user object is taken as stored; ids out of range are refused', () => {
		assert.deepEqual(validate({entrypoint: 'true', user: {uid: 5, gid: 6, name: 'bot'}}).user, {uid: 5, gid: 6, name: 'bot'});
		for (const user of [{uid: -1, gid: 0}, {uid: 1.5, gid: 0}, {uid: 0, gid: 2 ** 32}, '4294967295']) {
			assert.throws(() => validate({entrypoint: 'true', user}), /invalid (uid|gid)/, JSON.stringify(user));
		}
	});

	test('an empty command is refused', () => {
		assert.throws(() => validate({args: ['']}), /empty string/);
	});
});
