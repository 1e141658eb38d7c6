// Create and import share one validation: export -> import through a real engine gives back
// the same config; a damaged export is one INVALID_CONFIG line and stores nothing (ps keeps
// working); duplicate volume destinations and -u for a non-root minimal caller are refused.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import type {ContainerConfig} from '../../engine/index.js';
import {CLI_PATH, suiteSandbox} from '../cli/binary.js';
import {assertStorageEmpty, engineFor, expectCode, makeTempDir, needsRuntime} from '../helpers/engine.js';

describe('export -> import through a real engine', () => {
	test('every field of the stored config comes back', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const work = makeTempDir('c32-roundtrip-');
		t.after(() => fs.rmSync(work, {recursive: true, force: true}));
		const image = path.join(work, 'bot.sh');
		fs.writeFileSync(image, 'echo hi\n');
		fs.mkdirSync(path.join(work, 'data'));
		fs.mkdirSync(path.join(work, 'cache'));
		const config: ContainerConfig = {
			name: 'every-field',
			image,
			entrypoint: 'sh',
			args: ['./bot.sh', 'two words'],
			environment: {MODE: 'test', EMPTY: ''},
			volumes: [
				{source: path.join(work, 'data'), destination: '/data/', readOnly: true},
				{source: path.join(work, 'cache'), destination: '/cache'},
			],
			resourceLimits: {cpuLimitPercent: 50, memoryLimitMb: 64, maxProcesses: 100, maxOpenFiles: 256},
			labels: {'team/app': 'bots'},
			restartPolicy: 'on-failure:2',
			workingDir: '/app',
			user: '1000:1000',
			hostname: 'box',
			stopSignal: 'RTMIN+2',
			stopTimeout: 3,
			network: 'none',
			logSizeMax: 65536,
			capAdd: ['NET_RAW'],
			capDrop: ['CHOWN'],
		};
		const created = await engine.createContainer(config);
		const exported = await engine.exportContainerState(created.id);
		await engine.removeContainer(created.id);
		const imported = await engine.importContainerState(JSON.parse(JSON.stringify(exported)));
		assert.deepEqual((await engine.inspectContainer(imported.id)).config, exported.config);
	});
});

describe('c32 import of a damaged export', () => {
	const box = suiteSandbox();

	test('each bad field is one INVALID_CONFIG line naming it; nothing is stored; ps keeps working', async (t) => {
		if (!needsRuntime(t)) return;
		const keep = await box.run(['create', '--name', 'keeper', '--', 'true']);
		assert.equal(keep.code, 0, keep.stderr);
		const exported = await box.run(['export', 'keeper']);
		assert.equal(exported.code, 0, exported.stderr);
		const good = JSON.parse(exported.stdout) as {config: Record<string, unknown>};
		const cases: [Record<string, unknown>, string][] = [
			[{name: 123}, 'config.name: expected a string'],
			[{entrypoint: 42}, 'config.entrypoint: expected a string'],
			[{hostname: 12345}, 'config.hostname: expected a string'],
			[{entrypoint: 'tr\0ue'}, 'config.entrypoint: expected a string without NUL bytes'],
			[{args: ['a\0b']}, 'config.args[0]: expected a string without NUL bytes'],
			[{volumes: 'x'}, 'config.volumes: expected a list of {source, destination, readOnly}'],
			[{environment: {A: 1}}, 'config.environment.A: expected a string'],
		];
		for (const [patch, message] of cases) {
			const file = path.join(box.dir, 'bad.json');
			fs.writeFileSync(file, JSON.stringify({...good, config: {...good.config, name: 'imported', ...patch}}));
			const result = await box.run(['import', file]);
			assert.equal(result.stderr, `c32: error: ${message}\n`, JSON.stringify(patch));
			assert.notEqual(result.code, 0);
		}
		const ps = await box.run(['ps', '-a', '--json']);
		assert.equal(ps.code, 0, ps.stderr);
		assert.deepEqual(
			(JSON.parse(ps.stdout) as {name: string}[]).map((c) => c.name),
			['keeper'],
		);
	});
});

describe('refused configs leave nothing behind', () => {
	test('duplicate mount destinations, /data and /data/ included', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const source = makeTempDir('c32-vol-');
		t.after(() => fs.rmSync(source, {recursive: true, force: true}));
		const volumes = [
			{source, destination: '/data'},
			{source, destination: '/data/'},
		];
		const error = await expectCode(engine.createContainer({entrypoint: 'true', volumes}), 'INVALID_CONFIG');
		assert.match(error.message, /^duplicate mount destination \/data/);
		assertStorageEmpty(dir, 'duplicate destinations');
	});

	test("-u for a minimal container run by a non-root user: a c32 message, not setpriv's, not 127", async (t) => {
		if (!needsRuntime(t)) return;
		const storage = makeTempDir('c32-nonroot-');
		t.after(() => fs.rmSync(storage, {recursive: true, force: true}));
		fs.chownSync(storage, 65534, 65534);
		const asNobody = (args: string[]) => {
			try {
				return {
					code: 0,
					stderr: '',
					stdout: execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, CLI_PATH, ...args], {
						env: {...process.env, C32_STORAGE_DIR: storage, HOME: storage},
						encoding: 'utf8',
						stdio: ['ignore', 'pipe', 'pipe'],
					}),
				};
			} catch (error) {
				const e = error as {status: number; stderr: string; stdout: string};
				return {code: e.status, stderr: e.stderr, stdout: e.stdout};
			}
		};
		const refused = asNobody(['run', '--rm', '--isolation', 'minimal', '-u', '0', '--', 'id', '-u']);
		assert.equal(refused.code, 125, refused.stderr);
		assert.match(
			refused.stderr,
			/^c32: error: minimal isolation runs the process as you \(uid 65534, gid 65534\): only root can run it as another user/,
		);
		assert.doesNotMatch(refused.stderr, /setpriv/);
		const own = asNobody(['run', '--rm', '--isolation', 'minimal', '-u', '65534', '--', 'id', '-u']);
		assert.equal(own.code, 0, own.stderr);
		assert.equal(own.stdout.trim(), '65534');
	});
});
