// Defaults seen from inside real containers: a container that sets no limits gets a pids
// limit of 2048 and RLIMIT_NOFILE 4096 (not the caller's ulimit), at every isolation level,
// and C32_DEFAULT_PIDS_LIMIT / C32_DEFAULT_NOFILE change them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {describe, test} from 'node:test';
import {readOpenFilesHardLimit} from '../../engine/host-facts.js';
import type {ContainerEngine, IsolationType} from '../../engine/index.js';
import {cgroupPathFor} from '../../engine/paths.js';
import {engineFor, get, keyValues, needsRuntime, runToExit, shell, waitFor} from '../helpers/engine.js';

const LIMITS_PROBE = `
echo "ulimit_soft=$(ulimit -Sn)"
echo "ulimit_hard=$(ulimit -Hn)"
awk '/^Max open files/ {print "limits_soft="$4; print "limits_hard="$5}' /proc/self/limits
`;

/** Forks 30 sleeping children, counts the forks the kernel refused, then ends them. */
const FORK_PROBE = `
import os, signal, time
children, failed = [], 0
for _ in range(30):
    try:
        pid = os.fork()
    except OSError:
        failed += 1
        continue
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    children.append(pid)
print(f"forked={len(children)}")
print(f"failed={failed}", flush=True)
for pid in children:
    os.kill(pid, signal.SIGKILL)
`;

/** The pids.max of a running container's cgroup, read on the host (v1 pids hierarchy or v2). */
function hostPidsMax(id: string): string | null {
	for (const root of ['/sys/fs/cgroup/pids', '/sys/fs/cgroup']) {
		try {
			return fs.readFileSync(`${root}/${cgroupPathFor(id)}/pids.max`, 'utf8').trim();
		} catch {
			// not this layout
		}
	}
	return null;
}

/** Starts a sleeping container and returns its cgroup's pids.max, read while it runs. */
async function pidsMaxOf(engine: ContainerEngine, isolationLevel: IsolationType): Promise<string | null> {
	const created = await engine.createContainer({entrypoint: 'sleep', args: ['30'], isolationLevel});
	await engine.startContainer(created.id);
	const value = await waitFor(() => hostPidsMax(created.id), 5000, `the pids cgroup of ${isolationLevel}`);
	await engine.removeContainer(created.id, {force: true});
	return value;
}

function withEnv<T>(vars: Record<string, string>, action: () => Promise<T>): Promise<T> {
	const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
	Object.assign(process.env, vars);
	return action().finally(() => {
		for (const [k, v] of Object.entries(saved)) {
			if (v === undefined) delete process.env[k];
			else process.env[k] = v;
		}
	});
}

describe('default limits inside real containers', () => {
	for (const isolationLevel of ['minimal', 'standard', 'strict'] as const) {
		test(`${isolationLevel}: RLIMIT_NOFILE is 4096 soft and hard, not the caller's ${readOpenFilesHardLimit()}`, async (t) => {
			if (!needsRuntime(t)) return;
			const {engine} = engineFor(t);
			const result = await runToExit(engine, shell(LIMITS_PROBE, {isolationLevel}));
			assert.equal(result.exitCode, 0, result.stderr);
			const kv = keyValues(result.stdout);
			for (const key of ['ulimit_soft', 'ulimit_hard', 'limits_soft', 'limits_hard']) assert.equal(get(kv, key), '4096', key);
		});

		test(`${isolationLevel}: the container's cgroup has pids.max 2048`, async (t) => {
			if (!needsRuntime(t)) return;
			const {engine} = engineFor(t);
			assert.equal(await pidsMaxOf(engine, isolationLevel), '2048');
		});
	}

	test('the pids limit holds: with C32_DEFAULT_PIDS_LIMIT=16 the 17th process cannot start', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const result = await withEnv({C32_DEFAULT_PIDS_LIMIT: '16'}, () =>
			runToExit(engine, {entrypoint: 'python3', args: ['-c', FORK_PROBE]}),
		);
		assert.equal(result.exitCode, 0, result.stderr);
		const kv = keyValues(result.stdout);
		assert.equal(Number(get(kv, 'forked')), 15, 'the probe itself and 15 children make 16');
		assert.equal(Number(get(kv, 'failed')), 15);
		assert.equal((await engine.inspectContainer(result.meta.id)).config.resourceLimits.maxProcesses, 16);
	});

	test("C32_DEFAULT_NOFILE changes the default, 0 keeps the caller's; a container's own limit wins", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const soft = async (extra = {}) => get(keyValues((await runToExit(engine, shell(LIMITS_PROBE, extra))).stdout), 'limits_soft');
		assert.equal(await withEnv({C32_DEFAULT_NOFILE: '512'}, () => soft()), '512');
		assert.equal(await soft({resourceLimits: {maxOpenFiles: 300}}), '300');
		const callerHard = readOpenFilesHardLimit();
		const inherited = await withEnv({C32_DEFAULT_NOFILE: '0'}, () => runToExit(engine, shell(LIMITS_PROBE)));
		assert.equal(get(keyValues(inherited.stdout), 'limits_hard'), String(callerHard));
	});
});
