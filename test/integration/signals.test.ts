// Real-time signals end to end: kill and stop deliver SIGRTMIN+n / SIGRTMAX-n (by number,
// as runc and the process driver need) to a container that traps them, at every level; and
// the CLI refuses an unknown signal as a usage error before it looks anything up.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {suiteSandbox} from '../cli/binary.js';
import {engineFor, needsRuntime, readLogs, shell, waitFor, withTimeout} from '../helpers/engine.js';

/** Traps signal 37 (SIGRTMIN+3) and 50 (SIGRTMAX-14): each prints and exits with its own code. */
const TRAPPER = 'trap "echo got=37; exit 37" 37; trap "echo got=50; exit 50" 50; echo ready=1; while :; do sleep 0.1; done';

describe('real-time signals reach the container', () => {
	for (const isolationLevel of ['minimal', 'standard'] as const) {
		test(`${isolationLevel}: kill -s SIGRTMIN+3 and RTMAX-14`, async (t) => {
			if (!needsRuntime(t)) return;
			const {engine} = engineFor(t);
			for (const [signal, number] of [
				['SIGRTMIN+3', 37],
				['RTMAX-14', 50],
			] as const) {
				const created = await engine.createContainer(shell(TRAPPER, {isolationLevel}));
				await engine.startContainer(created.id);
				await waitFor(async () => (await readLogs(engine, created.id)).stdout.includes('ready=1'), 10_000, 'the trap to be set');
				await engine.killContainer(created.id, signal);
				const code = await withTimeout(engine.waitContainer(created.id), 10_000, `${signal} to end the container`);
				assert.equal(code, number, `${signal}: ${(await readLogs(engine, created.id)).stdout}`);
				assert.match((await readLogs(engine, created.id)).stdout, new RegExp(`got=${number}`));
			}
		});
	}

	test('a real-time stop signal: stop sends it and the container ends on its own, before the timeout', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell(TRAPPER, {stopSignal: '37', stopTimeout: 30}));
		assert.equal((await engine.inspectContainer(created.id)).config.stopSignal, 'SIGRTMIN+3');
		await engine.startContainer(created.id);
		await waitFor(async () => (await readLogs(engine, created.id)).stdout.includes('ready=1'), 10_000, 'the trap to be set');
		const started = Date.now();
		const meta = await engine.stopContainer(created.id);
		assert.ok(Date.now() - started < 10_000, 'stop waited for the timeout: the signal was not delivered');
		assert.equal(meta.exitCode, 37);
		// A signal for this stop only.
		await engine.startContainer(created.id);
		await waitFor(async () => (await readLogs(engine, created.id)).stdout.split('ready=1').length > 2, 10_000, 'the second start');
		assert.equal((await engine.stopContainer(created.id, {signal: 'SIGRTMAX-14'})).exitCode, 50);
	});
});

describe('c32 kill / stop with a bad signal', () => {
	const box = suiteSandbox();

	test('exit 2 and a usage message, before any lookup (no "no such container")', async () => {
		for (const args of [
			['kill', '-s', 'SIGFOO', 'nosuch'],
			['stop', '-s', '0', 'nosuch'],
			['run', '--stop-signal', 'RTMIN+40', '--', 'true'],
		]) {
			const result = await box.run(args);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, /^c32: error: invalid --(stop-)?signal "[^"]+": use a name such as TERM/);
			assert.doesNotMatch(result.stderr, /no such container/);
		}
		assert.equal((await box.run(['ps', '-aq'])).stdout, '', 'run created a container');
	});
});
