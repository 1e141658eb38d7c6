// Minimal isolation: the process driver. A plain host process in its own session and process
// group, with rlimits and cgroup limits, the same log/exit-file contract, supervised by conmon
// (no Node process stays with it); stop/kill reach the whole group; remove leaves no process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {
	engineFor,
	get,
	hostNamespace,
	hostPidsWith,
	keyValues,
	makeTempDir,
	needsRuntime,
	readLogs,
	runToExit,
	settledTracesOf,
	shell,
	waitFor,
} from '../helpers/engine.js';

const minimal = {isolationLevel: 'minimal' as const};

function token(): string {
	return `${600 + Math.floor(Math.random() * 99)}.${Math.floor(Math.random() * 1e6)}`;
}

test('minimal: a host process in its own session and process group, with rlimits and no host env', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const leak = `C32_MINIMAL_LEAK_${process.pid}`;
	process.env[leak] = 'leaked';
	t.after(() => delete process.env[leak]);
	const script = `
set -- $(cat /proc/$$/stat)
echo "pid=$$"
echo "pgrp=$5"
echo "sid=$6"
echo "ns_pid=$(readlink /proc/self/ns/pid)"
echo "ns_mnt=$(readlink /proc/self/ns/mnt)"
echo "hostname=$(cat /proc/sys/kernel/hostname)"
echo "nofile=$(ulimit -n)"
echo "envkeys=$(env | cut -d= -f1 | sort | tr '\\n' ' ')"
echo "greeting=$GREETING"
`;
	const run = await runToExit(
		engine,
		shell(script, {...minimal, name: 'plain', environment: {GREETING: 'hello'}, resourceLimits: {maxOpenFiles: 77}}),
	);
	assert.equal(run.exitCode, 0, run.stderr);
	assert.equal(run.meta.runtime, 'process');
	const kv = keyValues(run.stdout);
	const pid = get(kv, 'pid');
	assert.equal(get(kv, 'pgrp'), pid, 'not its own process group leader');
	assert.equal(get(kv, 'sid'), pid, 'not its own session leader');
	assert.equal(get(kv, 'ns_pid'), hostNamespace('pid'), 'minimal has no pid namespace');
	assert.equal(get(kv, 'ns_mnt'), hostNamespace('mnt'), 'minimal has no mount namespace');
	assert.equal(get(kv, 'hostname'), os.hostname());
	assert.equal(get(kv, 'nofile'), '77');
	assert.ok(!get(kv, 'envkeys').split(' ').includes(leak), `${leak} leaked into a minimal container`);
	assert.equal(get(kv, 'greeting'), 'hello');
});

test('minimal: an image file runs from a private snapshot, with its derived entrypoint and exit code', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const work = makeTempDir('c32-min-');
	t.after(() => fs.rmSync(work, {recursive: true, force: true}));
	const file = path.join(work, 'job.sh');
	fs.writeFileSync(file, 'echo "arg0=$0"\necho "content=$(cat job.sh | wc -c)"\necho oops >&2\nexit 7\n');
	const c = await engine.createContainer({...minimal, name: 'job', image: file});
	fs.writeFileSync(file, 'echo changed-after-create\n');
	await engine.startContainer('job');
	assert.equal(await engine.waitContainer('job'), 7);
	const meta = await engine.getContainer('job');
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, 7);
	const logs = await readLogs(engine, 'job');
	const kv = keyValues(logs.stdout);
	assert.equal(get(kv, 'arg0'), './job.sh');
	assert.ok(Number(get(kv, 'content')) > 30, 'the snapshot is the file as it was at create');
	assert.equal(logs.stderr, 'oops');
	assert.equal(c.isolationLevel, 'minimal');
});

test('minimal: memoryLimitMb is enforced through a cgroup (OOM kill recorded)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = 'head -c 300M /dev/zero | tail -n 1 >/dev/null';
	const run = await runToExit(engine, shell(`exec sh -c '${script}'`, {...minimal, resourceLimits: {memoryLimitMb: 48}}));
	assert.equal(run.meta.oomKilled, true, `exit ${run.exitCode}, oomKilled false`);
	assert.equal(run.exitCode, 137);
});

test('minimal: stop escalates to SIGKILL for the whole process group; remove leaves no process', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const tok = token();
	const script = `trap '' TERM; (trap '' TERM; exec sleep ${tok}) & echo ready; while :; do sleep 0.05; done`;
	const c = await engine.createContainer(shell(script, {...minimal, name: 'group'}));
	await engine.startContainer('group');
	// "ready" comes after both traps are set (the token alone also names the shell before its exec).
	await waitFor(async () => (await readLogs(engine, 'group')).stdout.includes('ready'), 5000, 'the traps');
	await waitFor(() => hostPidsWith(tok).length > 0, 5000, 'the child');
	const t0 = Date.now();
	const meta = await engine.stopContainer('group', {timeout: 1});
	assert.equal(meta.state, 'stopped');
	assert.equal(meta.exitCode, 137);
	assert.ok(Date.now() - t0 >= 900);
	await waitFor(() => hostPidsWith(tok).length === 0, 3000, 'the child to die').catch(() => undefined);
	assert.deepEqual(hostPidsWith(tok), [], 'a child of the container survived the stop');
	await engine.removeContainer('group');
	assert.deepEqual(await settledTracesOf(dir, c.id, tok), []);
});

test('minimal: pause freezes and resume thaws; SIGTERM reaches a trap; restart policy applies', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const work = makeTempDir('c32-min-');
	t.after(() => fs.rmSync(work, {recursive: true, force: true}));
	const countFile = path.join(work, 'count');
	const script = `trap 'echo got-term; exit 0' TERM; i=0; while :; do i=$((i+1)); echo $i > ${countFile}; sleep 0.02; done`;
	await engine.createContainer(shell(script, {...minimal, name: 'counter'}));
	await engine.startContainer('counter');
	const read = () => Number(fs.readFileSync(countFile, 'utf8').trim() || 0);
	await waitFor(() => fs.existsSync(countFile) && read() > 3, 5000, 'counting');
	assert.equal((await engine.pauseContainer('counter')).state, 'paused');
	await new Promise((r) => setTimeout(r, 100));
	const frozen = read();
	await new Promise((r) => setTimeout(r, 400));
	assert.equal(read(), frozen, 'kept counting while paused');
	await engine.resumeContainer('counter');
	await waitFor(() => read() > frozen + 3, 5000, 'counting again');
	const stopped = await engine.stopContainer('counter', {timeout: 5});
	assert.equal(stopped.exitCode, 0);
	assert.match((await readLogs(engine, 'counter')).stdout, /got-term/);

	await engine.createContainer(shell('exit 2', {...minimal, name: 'retry', restartPolicy: 'on-failure:2'}));
	await engine.startContainer('retry');
	await waitFor(
		async () => {
			const m = await engine.getContainer('retry');
			return m.restartCount === 2 && m.state === 'exited';
		},
		15_000,
		'two restarts',
	);
});

test('minimal: metrics come from its cgroup or its processes', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(
		shell('for i in 1 2 3; do sleep 60 & done; wait', {...minimal, name: 'measured', resourceLimits: {memoryLimitMb: 64}}),
	);
	await engine.startContainer('measured');
	await waitFor(async () => (await engine.getContainerMetrics('measured')).pids >= 4, 5000, 'four processes counted');
	const m = await engine.getContainerMetrics('measured');
	assert.ok(m.memoryMb > 0 && m.memoryMb < 64, `memoryMb ${m.memoryMb}`);
	assert.equal(m.memoryLimitMb, 64);
});

test('minimal: conmon is its monitor and no node process stays with it; it ends with its main process', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const tok = token();
	const c = await engine.createContainer(shell(`(exec sleep ${tok}) & echo up; sleep 600`, {...minimal, name: 'watched'}));
	await engine.startContainer('watched');
	await waitFor(async () => (await readLogs(engine, 'watched')).stdout.includes('up'), 5000, 'the container to run');
	const {pid, paths} = await engine.inspectContainer(c.id);
	const monitor = Number(fs.readFileSync(paths.monitorPidFile, 'utf8').trim());
	const comm = (p: number) => {
		try {
			return fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim();
		} catch {
			return ''; // exited meanwhile
		}
	};
	assert.equal(comm(monitor), 'conmon');
	assert.equal(Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]), monitor, 'conmon is not its parent');
	const nodes = hostPidsWith(c.id).filter((p) => comm(p) === 'node');
	assert.deepEqual(nodes, [], 'a node process serves the running container');
	// The main process ends; its background child goes with it, as in a pid namespace.
	process.kill(pid!, 'SIGKILL');
	assert.equal(await engine.waitContainer('watched'), 137);
	await waitFor(() => hostPidsWith(tok).length === 0, 5000, 'the background child to be killed');
});
