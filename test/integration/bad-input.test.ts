// Every failure a user can cause: a C32Error with its own code and a one-line message, and
// nothing left behind (no container directory, no index entry, no snapshot, no runtime state).
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import type {C32ErrorCode, ContainerConfig, ContainerEngine} from '../../engine/index.js';
import {CHILD_SCRIPT, type ChildResult} from '../helpers/child.js';
import {assertStorageEmpty, engineFor, expectCode, listDir, makeTempDir, needsRuntime, readIndexNames, shell} from '../helpers/engine.js';

const execFileAsync = promisify(execFile);

interface Case {
	why: string;
	config: ContainerConfig;
	code: C32ErrorCode;
}

/** Runs each refused create as a subtest and checks the storage stays empty. */
async function refuseAll(
	t: {test: (name: string, fn: () => Promise<void>) => Promise<void>},
	engine: ContainerEngine,
	dir: string,
	cases: Case[],
) {
	for (const c of cases) {
		await t.test(c.why, async () => {
			await expectCode(engine.createContainer(c.config), c.code);
			assertStorageEmpty(dir, c.why);
		});
	}
}

function hardOpenFilesLimit(): number {
	const line = fs
		.readFileSync('/proc/self/limits', 'utf8')
		.split('\n')
		.find((l) => l.startsWith('Max open files'));
	const hard = line?.split(/\s{2,}/)[2] ?? 'unlimited';
	return hard === 'unlimited' ? 1_073_741_816 : Number(hard);
}

test('invalid names are INVALID_CONFIG; the full allowed pattern is accepted', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const bad = [
		'',
		'-dash-first',
		'.dot-first',
		'_underscore-first',
		'has space',
		'slash/name',
		'ünïcode',
		'a'.repeat(129),
		'semi;colon',
		'new\nline',
	];
	await refuseAll(
		t,
		engine,
		dir,
		bad.map((name) => ({
			why: `name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)}`,
			config: shell('true', {name}),
			code: 'INVALID_CONFIG',
		})),
	);
	for (const name of ['a', 'A1_.-z', `Z${'x'.repeat(127)}`, '0start']) {
		const c = await engine.createContainer(shell('true', {name}));
		assert.equal(c.name, name);
	}
});

test('a name in use is NAME_IN_USE and the loser leaves no snapshot behind', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const work = makeTempDir('c32-bad-');
	t.after(() => fs.rmSync(work, {recursive: true, force: true}));
	fs.writeFileSync(path.join(work, 'a.sh'), 'echo a\n');
	fs.writeFileSync(path.join(work, 'b.sh'), 'echo b\n');
	const first = await engine.createContainer({name: 'taken', image: path.join(work, 'a.sh')});
	await expectCode(engine.createContainer({name: 'taken', image: path.join(work, 'b.sh')}), 'NAME_IN_USE');
	assert.deepEqual(listDir(path.join(dir, 'containers')), [first.id]);
	assert.equal(listDir(path.join(dir, 'images')).length, 1, 'the refused image was snapshotted and kept');
	assert.deepEqual(readIndexNames(dir), {taken: first.id});
});

test('an unknown ref is NOT_FOUND for every operation', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const ref = 'no-such-container';
	const ops: [string, () => unknown][] = [
		['get', () => engine.getContainer(ref)],
		['inspect', () => engine.inspectContainer(ref)],
		['start', () => engine.startContainer(ref)],
		['stop', () => engine.stopContainer(ref)],
		['kill', () => engine.killContainer(ref)],
		['restart', () => engine.restartContainer(ref)],
		['pause', () => engine.pauseContainer(ref)],
		['resume', () => engine.resumeContainer(ref)],
		['remove', () => engine.removeContainer(ref, {force: true})],
		['metrics', () => engine.getContainerMetrics(ref)],
		['wait', () => engine.waitContainer(ref)],
		['export', () => engine.exportContainerState(ref)],
		[
			'logs',
			async () => {
				for await (const entry of engine.getLogs(ref)) void entry;
			},
		],
	];
	for (const [op, action] of ops) {
		await t.test(op, async () => {
			await expectCode(async () => action(), 'NOT_FOUND');
		});
	}
});

test('an id prefix shared by two containers is AMBIGUOUS_REF', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const byFirst = new Map<string, string[]>();
	let shared: string | undefined;
	for (let i = 0; i < 17 && shared === undefined; i++) {
		const c = await engine.createContainer(shell('true', {name: `amb-${i}`}));
		const list = byFirst.get(c.id[0]!) ?? [];
		list.push(c.id);
		byFirst.set(c.id[0]!, list);
		if (list.length === 2) shared = c.id[0]!;
	}
	assert.ok(shared !== undefined, 'pigeonhole: 17 ids share a first hex digit');
	const error = await expectCode(engine.getContainer(shared), 'AMBIGUOUS_REF');
	assert.match(error.message, new RegExp(shared));
	await expectCode(engine.startContainer(shared), 'AMBIGUOUS_REF');
	// A longer, unique prefix works.
	const [a] = byFirst.get(shared)!;
	assert.equal((await engine.getContainer(a!.slice(0, 20))).id, a);
});

test('a missing image path, a missing command and other bad configs are refused', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	await refuseAll(t, engine, dir, [
		{why: 'missing image path', config: {image: '/nonexistent/c32/worker.py'}, code: 'IMAGE_NOT_FOUND'},
		{why: 'no image and no command', config: {name: 'nothing'}, code: 'INVALID_CONFIG'},
		{why: 'bad isolation level', config: shell('true', {isolationLevel: 'paranoid' as never}), code: 'INVALID_CONFIG'},
		{why: 'bad stop signal', config: shell('true', {stopSignal: 'SIGNOPE'}), code: 'INVALID_CONFIG'},
		{why: 'negative stop timeout', config: shell('true', {stopTimeout: -1}), code: 'INVALID_CONFIG'},
		{why: 'relative working dir', config: shell('true', {workingDir: 'relative/dir'}), code: 'INVALID_CONFIG'},
		{why: 'unknown user', config: shell('true', {user: 'no-such-user-c32'}), code: 'INVALID_CONFIG'},
		{why: 'bad hostname', config: shell('true', {hostname: 'bad host'}), code: 'INVALID_CONFIG'},
		{why: 'bad network name', config: shell('true', {network: 'no such/net'}), code: 'INVALID_CONFIG'},
		{why: 'unknown network', config: shell('true', {network: 'bridge'}), code: 'NOT_FOUND'},
		{why: 'port out of range', config: shell('true', {ports: ['65536:80']}), code: 'INVALID_CONFIG'},
		{why: 'negative bandwidth', config: shell('true', {resourceLimits: {networkBandwidthLimitMbps: -8}}), code: 'INVALID_CONFIG'},
		{why: 'tiny log cap', config: shell('true', {logSizeMax: 10}), code: 'INVALID_CONFIG'},
		{why: 'args not strings', config: {entrypoint: 'echo', args: [1 as never]}, code: 'INVALID_CONFIG'},
		{
			why: 'bad volume source',
			config: shell('true', {volumes: [{source: '/nonexistent/c32', destination: '/data'}]}),
			code: 'INVALID_CONFIG',
		},
		{why: 'bad volume destination', config: shell('true', {volumes: [{source: '/tmp', destination: '/proc'}]}), code: 'INVALID_CONFIG'},
	]);
});

test('bad environment keys are INVALID_CONFIG', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	await refuseAll(
		t,
		engine,
		dir,
		['1STARTS_WITH_DIGIT', 'HAS-DASH', 'HAS SPACE', '', 'A=B', 'NUL\0'].map((key) => ({
			why: `env key ${JSON.stringify(key)}`,
			config: shell('true', {environment: {[key]: 'x'}}),
			code: 'INVALID_CONFIG' as const,
		})),
	);
});

test('bad restart policies are INVALID_CONFIG', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	// Strings the type refuses, as a JavaScript caller or a JSON file could still send them.
	const policies = [
		'sometimes',
		'always:3',
		'on-failure:-1',
		'on-failure:x',
		'ON-FAILURE',
		{name: 'bogus'},
		{name: 'always', maxRetries: 2},
		{name: 'on-failure', maxRetries: 1.5},
	] as ContainerConfig['restartPolicy'][];
	await refuseAll(
		t,
		engine,
		dir,
		policies.map((restartPolicy) => ({
			why: `policy ${JSON.stringify(restartPolicy)}`,
			config: shell('true', {restartPolicy}),
			code: 'INVALID_CONFIG' as const,
		})),
	);
});

test('negative, zero, non-numeric and absurd limits are INVALID_CONFIG', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const keys = ['cpuLimitPercent', 'memoryLimitMb', 'diskIoLimitMbps', 'maxProcesses', 'maxOpenFiles'] as const;
	const values: unknown[] = [-1, 0, Number.NaN, Number.POSITIVE_INFINITY, '50', 1e15];
	const cases: Case[] = [];
	for (const key of keys) {
		for (const value of values) {
			cases.push({
				why: `${key} ${String(value)}`,
				config: shell('true', {resourceLimits: {[key]: value as number}}),
				code: 'INVALID_CONFIG',
			});
		}
	}
	cases.push({why: 'maxProcesses 2.5', config: shell('true', {resourceLimits: {maxProcesses: 2.5}}), code: 'INVALID_CONFIG'});
	await refuseAll(t, engine, dir, cases);
});

test('limits above what the host allows are LIMIT_EXCEEDS_HOST', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const pidMax = Number(fs.readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
	const hostMemoryMb = Math.floor(os.totalmem() / 2 ** 20);
	await refuseAll(t, engine, dir, [
		{
			why: 'more CPU than the host has',
			config: shell('true', {resourceLimits: {cpuLimitPercent: os.availableParallelism() * 100 + 100}}),
			code: 'LIMIT_EXCEEDS_HOST',
		},
		{
			why: 'more memory than the host has',
			config: shell('true', {resourceLimits: {memoryLimitMb: hostMemoryMb + 1024}}),
			code: 'LIMIT_EXCEEDS_HOST',
		},
		{why: 'more processes than pid_max', config: shell('true', {resourceLimits: {maxProcesses: pidMax + 1}}), code: 'LIMIT_EXCEEDS_HOST'},
		{
			why: 'more open files than the hard limit',
			config: shell('true', {resourceLimits: {maxOpenFiles: hardOpenFilesLimit() + 1}}),
			code: 'LIMIT_EXCEEDS_HOST',
		},
	]);
	// At the host's maximum it is fine.
	const c = await engine.createContainer(shell('true', {resourceLimits: {cpuLimitPercent: os.availableParallelism() * 100}}));
	assert.equal(c.state, 'created');
});

/** The real files of programs the engine could find (symlinks resolved). */
function installed(names: string[]): string[] {
	const found = new Set<string>();
	for (const dir of [
		...(process.env['PATH'] ?? '').split(':'),
		'/usr/local/sbin',
		'/usr/local/bin',
		'/usr/sbin',
		'/usr/bin',
		'/sbin',
		'/bin',
		'/usr/libexec/podman',
		'/usr/lib/podman',
	]) {
		for (const name of names) {
			try {
				found.add(fs.realpathSync(path.join(dir, name)));
			} catch {
				// not there
			}
		}
	}
	return [...found];
}

/** Runs a create in a child process whose mount namespace hides `programs` (bound over with /dev/null). */
async function createWithout(programs: string[], storageDir: string, config: ContainerConfig): Promise<ChildResult> {
	const hide = installed(programs)
		.map((f) => `mount --bind /dev/null '${f}'`)
		.join(' && ');
	const {stdout} = await execFileAsync('unshare', [
		'--mount',
		'--propagation',
		'private',
		'sh',
		'-c',
		`${hide || 'true'} && exec "$0" "$@"`,
		process.execPath,
		CHILD_SCRIPT,
		'--c32-child',
		storageDir,
		'create',
		JSON.stringify(config),
	]);
	return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

test('a missing OCI runtime is RUNTIME_MISSING, a missing conmon MONITOR_MISSING, with the install command', async (t) => {
	if (!needsRuntime(t)) return;
	const {dir} = engineFor(t);
	const noRuntime = await createWithout(['runc', 'crun'], dir, shell('true'));
	assert.equal(noRuntime.error, 'RUNTIME_MISSING', JSON.stringify(noRuntime));
	assert.match(noRuntime.message ?? '', /apt-get install -y .*runc/);
	assertStorageEmpty(dir, 'missing runtime');
	const noMonitor = await createWithout(['conmon'], dir, shell('true'));
	assert.equal(noMonitor.error, 'MONITOR_MISSING', JSON.stringify(noMonitor));
	assert.match(noMonitor.message ?? '', /apt-get install -y .*conmon/);
	assertStorageEmpty(dir, 'missing conmon');
	// Control: the same create in the same kind of child, hiding nothing, works.
	const ok = await createWithout([], dir, shell('true'));
	assert.equal(ok.error, undefined, ok.message);
});
