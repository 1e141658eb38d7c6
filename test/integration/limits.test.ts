// Resource limits, enforced for real and observed from inside the container: memory (OOM kill),
// CPU quota, pids, open files, block I/O; network bandwidth is refused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {
	assertStorageEmpty,
	engineFor,
	expectCode,
	get,
	keyValues,
	needsRuntime,
	runToExit,
	shell,
	visibleInContainer,
} from '../helpers/engine.js';

/** A command that touches `mb` MiB of memory in the container's main process, then prints "survived". */
function allocate(mb: number): {entrypoint: string; args: string[]} {
	if (visibleInContainer('python3')) {
		return {entrypoint: 'python3', args: ['-c', `b = b"x" * (${mb} << 20)\nprint("survived", len(b) >> 20)`]};
	}
	// tail -n 1 holds the whole (newline-free) input in memory.
	return {entrypoint: 'sh', args: ['-c', `head -c ${mb}M /dev/zero | tail -n 1 | wc -c >/dev/null && echo survived ${mb}`]};
}

test('memory: going past memoryLimitMb gets the container OOM-killed (exit 137, oomKilled), no swap', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const [over, under] = await Promise.all([
		runToExit(engine, {...allocate(256), resourceLimits: {memoryLimitMb: 48}}),
		runToExit(engine, {...allocate(16), resourceLimits: {memoryLimitMb: 96}}),
	]);
	assert.equal(over.exitCode, 137, `exit ${over.exitCode}; stdout: ${over.stdout}; stderr: ${over.stderr}`);
	assert.equal(over.meta.exitCode, 137);
	assert.equal(over.meta.oomKilled, true, 'oomKilled was not recorded');
	assert.doesNotMatch(over.stdout, /survived/);
	assert.equal(over.meta.state, 'exited');
	// Control: an allocation under the limit works, and is not flagged.
	assert.equal(under.exitCode, 0, under.stderr);
	assert.match(under.stdout, /survived 16/);
	assert.equal(under.meta.oomKilled, false);
});

/** Busy-loops `loops` processes for `seconds` and prints the CPU seconds they got in total. */
function busyScript(loops: number, seconds: number): string {
	return `
pids=""
i=0
while [ $i -lt ${loops} ]; do i=$((i+1)); (while :; do :; done) & pids="$pids $!"; done
sleep ${seconds}
total=0
for p in $pids; do
	set -- $(cat /proc/$p/stat)
	total=$((total + \${14} + \${15}))
done
kill $pids
echo "ticks=$total"
echo "hz=$(getconf CLK_TCK)"
`;
}

function cpuShare(stdout: string, seconds: number): number {
	const kv = keyValues(stdout);
	return Number(get(kv, 'ticks')) / Number(get(kv, 'hz')) / seconds;
}

test('cpu: cpuLimitPercent is a quota (50 = half a core, 100 = one core for two busy loops)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const seconds = 2;
	// Phase 1: a 50% container next to an unlimited control (1.5 cores of demand on >= 2 cores).
	const [half, control] = await Promise.all([
		runToExit(engine, shell(busyScript(1, seconds), {resourceLimits: {cpuLimitPercent: 50}})),
		runToExit(engine, shell(busyScript(1, seconds))),
	]);
	assert.equal(half.exitCode, 0, half.stderr);
	assert.equal(control.exitCode, 0, control.stderr);
	const halfShare = cpuShare(half.stdout, seconds);
	const controlShare = cpuShare(control.stdout, seconds);
	// Phase 2: two busy loops under a 100% quota (2 cores of demand without the quota).
	const one = await runToExit(engine, shell(busyScript(2, seconds), {resourceLimits: {cpuLimitPercent: 100}}));
	assert.equal(one.exitCode, 0, one.stderr);
	const oneShare = cpuShare(one.stdout, seconds);
	const report = `50% quota: ${halfShare.toFixed(2)} core; unlimited control: ${controlShare.toFixed(2)}; 100% quota, two loops: ${oneShare.toFixed(2)}`;
	// The quota is a ceiling whatever else the host runs.
	assert.ok(halfShare < 0.65, report);
	assert.ok(oneShare < 1.25, report);
	// When the host had a free core (the control got one), the quota is also what the container gets.
	if (controlShare >= 0.85) {
		assert.ok(halfShare > 0.3, report);
		assert.ok(oneShare > 0.6, report);
	} else {
		t.diagnostic(`host busy, lower bounds not checked: ${report}`);
	}
});

test('pids: a fork loop stops at maxProcesses', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const limit = 12;
	// The subshell forks sleeps until fork fails; the parent then counts with builtins only
	// (no fork is possible at the limit).
	const script = `
( i=0; while [ $i -lt 60 ]; do i=$((i+1)); sleep 30 & echo $i > /tmp/forked; done ) 2>/dev/null
n=0; for d in /proc/[0-9]*; do n=$((n+1)); done
read -r forked < /tmp/forked
echo "procs=$n"
echo "forked=$forked"
`;
	const [limited, free] = await Promise.all([
		runToExit(engine, shell(script, {resourceLimits: {maxProcesses: limit}})),
		runToExit(engine, shell(script)),
	]);
	const kv = keyValues(limited.stdout);
	const procs = Number(get(kv, 'procs'));
	const forked = Number(get(kv, 'forked'));
	assert.ok(procs <= limit, `${procs} processes ran under a limit of ${limit}`);
	assert.ok(procs >= limit - 3, `only ${procs} processes ran: the limit is lower than configured?`);
	assert.ok(forked < 60, `all 60 forks succeeded under a limit of ${limit}`);
	// Control: without a limit all 60 sleeps start.
	assert.equal(get(keyValues(free.stdout), 'forked'), '60', free.stderr);
});

test('open files: maxOpenFiles is RLIMIT_NOFILE (soft and hard)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = `
echo "soft=$(ulimit -n)"
echo "hard=$(ulimit -Hn)"
(exec 40</dev/null) 2>/dev/null && echo fd40=ok || echo fd40=refused
(exec 70</dev/null) 2>/dev/null && echo fd70=ok || echo fd70=refused
ulimit -n 1000 2>/dev/null && echo raise=ok || echo raise=refused
`;
	// bash, because dash only knows file descriptors 0-9.
	const run = await runToExit(engine, {entrypoint: 'bash', args: ['-c', script], resourceLimits: {maxOpenFiles: 64}});
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'soft'), '64');
	assert.equal(get(kv, 'hard'), '64');
	assert.equal(get(kv, 'fd40'), 'ok');
	assert.equal(get(kv, 'fd70'), 'refused');
	assert.equal(get(kv, 'raise'), 'refused');
});

/** Parses dd's summary ("N bytes (...) copied, S s, ...") into MiB/s. */
function ddRate(stderr: string, label: string): number {
	const match = /(\d+) bytes[^\n]*copied, ([\d.]+) s/.exec(stderr);
	assert.ok(match, `no dd summary for ${label} in: ${stderr}`);
	return Number(match[1]) / 2 ** 20 / Number(match[2]);
}

test('disk I/O: diskIoLimitMbps throttles direct writes and reads on the storage device', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const limit = 8;
	const mb = 12;
	// A volume inside the storage root is on the device that holds the storage.
	const data = path.join(dir, 'io-volume');
	fs.mkdirSync(data);
	const script = `
dd if=/dev/zero of=/data/blob bs=1M count=${mb} oflag=direct 2>&1 | tail -n 1 | sed 's/^/write: /'
dd if=/data/blob of=/dev/null bs=1M iflag=direct 2>&1 | tail -n 1 | sed 's/^/read: /'
`;
	const volumes = [{source: data, destination: '/data'}];
	const limited = await runToExit(engine, shell(script, {resourceLimits: {diskIoLimitMbps: limit}, volumes}), 60_000);
	assert.equal(limited.exitCode, 0, limited.stderr);
	const lines = limited.stdout.split('\n');
	const write = ddRate(lines.find((l) => l.startsWith('write: ')) ?? '', 'the write');
	const read = ddRate(lines.find((l) => l.startsWith('read: ')) ?? '', 'the read');
	assert.ok(write < limit * 1.35, `direct writes ran at ${write.toFixed(1)} MiB/s under a ${limit} MB/s limit`);
	assert.ok(read < limit * 1.35, `direct reads ran at ${read.toFixed(1)} MiB/s under a ${limit} MB/s limit`);
	assert.ok(write > limit * 0.3 && read > limit * 0.3, `I/O far below the limit: write ${write}, read ${read}`);
});

test('network: networkBandwidthLimitMbps is refused where it cannot apply (the host network) or negative; 0 is accepted', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const onHost = shell('true', {network: 'host', resourceLimits: {networkBandwidthLimitMbps: 10}});
	const error = await expectCode(engine.createContainer(onHost), 'INVALID_CONFIG');
	assert.match(error.message, /networkBandwidthLimitMbps/);
	await expectCode(engine.createContainer(shell('true', {resourceLimits: {networkBandwidthLimitMbps: -1}})), 'INVALID_CONFIG');
	assertStorageEmpty(dir, 'refused bandwidth limit');
	const ok = await engine.createContainer(shell('true', {resourceLimits: {networkBandwidthLimitMbps: 0}}));
	assert.equal(ok.state, 'created');
});
