// Metrics of real containers (read from their cgroups) against what the container really does:
// memory it holds, processes it runs, CPU it burns, bytes it writes. And the host doctor.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {ContainerMetrics} from '../../engine/index.js';
import {engineFor, expectCode, kernelAllowsUserNamespaces, needsRuntime, readLogs, shell, waitFor} from '../helpers/engine.js';

const MB = 1024 * 1024;

function checkShape(m: ContainerMetrics): void {
	for (const key of ['cpuPercent', 'memoryMb', 'pids', 'blockReadBytes', 'blockWriteBytes'] as const) {
		assert.ok(Number.isFinite(m[key]) && m[key] >= 0, `${key} = ${m[key]}`);
	}
	const at = Date.parse(m.timestamp);
	assert.ok(Math.abs(Date.now() - at) < 10_000, `timestamp ${m.timestamp}`);
}

test('metrics: memory held, memory limit and process count match what the container does', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	// 40 MiB in a tmpfs is charged to the container's memory; five background sleeps.
	const script = 'head -c 40M /dev/zero > /dev/shm/blob; for i in 1 2 3 4 5; do sleep 60 & done; echo ready; wait';
	await engine.createContainer(shell(script, {name: 'holder', resourceLimits: {memoryLimitMb: 128}}));
	await engine.startContainer('holder');
	await waitFor(async () => (await readLogs(engine, 'holder')).stdout === 'ready', 10_000, 'ready');
	const m = await engine.getContainerMetrics('holder');
	checkShape(m);
	assert.equal(m.name, 'holder');
	assert.equal(m.memoryLimitMb, 128);
	assert.ok(m.memoryMb >= 38 && m.memoryMb < 128, `memoryMb ${m.memoryMb} with 40 MiB held`);
	assert.equal(m.pids, 6, `pids ${m.pids}: sh and five sleeps`);
	// Paused containers are still measured.
	await engine.pauseContainer('holder');
	assert.equal((await engine.getContainerMetrics('holder')).pids, 6);
	await engine.resumeContainer('holder');
});

test('metrics: cpuPercent follows a busy loop under a 50% quota; an idle container is near 0', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('while :; do :; done', {name: 'busy', resourceLimits: {cpuLimitPercent: 50}}));
	await engine.createContainer({name: 'idle', entrypoint: 'sleep', args: ['60']});
	await engine.startContainer('busy');
	await engine.startContainer('idle');
	await engine.getMetricsBatch(); // the first reading of a container only sets a baseline
	await sleep(1000);
	const batch = await engine.getMetricsBatch();
	const busy = batch.find((m) => m.name === 'busy');
	const idle = batch.find((m) => m.name === 'idle');
	assert.ok(busy && idle, `the batch has both containers: ${JSON.stringify(batch.map((m) => m.name))}`);
	checkShape(busy);
	assert.ok(busy.cpuPercent > 10 && busy.cpuPercent <= 65, `busy loop under a 50% quota: cpuPercent ${busy.cpuPercent}`);
	assert.ok(idle.cpuPercent < 5, `idle container: cpuPercent ${idle.cpuPercent}`);
	assert.equal(idle.memoryLimitMb, null);
	// Exited containers are skipped by the batch.
	await engine.stopContainer('idle', {timeout: 0});
	assert.deepEqual(
		(await engine.getMetricsBatch()).map((m) => m.name),
		['busy'],
	);
});

test('metrics: block I/O bytes count what the container wrote and read on disk', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const data = path.join(dir, 'io');
	fs.mkdirSync(data);
	const script =
		'dd if=/dev/zero of=/data/blob bs=1M count=8 oflag=direct 2>/dev/null; dd if=/data/blob of=/dev/null bs=1M iflag=direct 2>/dev/null; echo done; sleep 60';
	await engine.createContainer(shell(script, {name: 'io', volumes: [{source: data, destination: '/data'}]}));
	await engine.startContainer('io');
	await waitFor(async () => (await readLogs(engine, 'io')).stdout === 'done', 15_000, 'the I/O');
	const m = await engine.getContainerMetrics('io');
	checkShape(m);
	assert.ok(m.blockWriteBytes >= 8 * MB, `blockWriteBytes ${m.blockWriteBytes} after writing 8 MiB`);
	assert.ok(m.blockReadBytes >= 8 * MB, `blockReadBytes ${m.blockReadBytes} after reading 8 MiB`);
	assert.ok(m.blockWriteBytes < 64 * MB, `blockWriteBytes ${m.blockWriteBytes}`);
});

test('metrics of a container that is not running are BAD_STATE', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	await engine.createContainer(shell('true', {name: 'never-started'}));
	await expectCode(engine.getContainerMetrics('never-started'), 'BAD_STATE');
});

/** The cgroup layout of this host from its mount table: 1, 2 or 'hybrid'. */
function hostCgroupVersion(): 1 | 2 | 'hybrid' | null {
	const types = fs
		.readFileSync('/proc/self/mountinfo', 'utf8')
		.split('\n')
		.map((line) => line.split(' - ')[1]?.split(' ')[0]);
	const v1 = types.includes('cgroup');
	const v2 = types.includes('cgroup2');
	return v1 && v2 ? 'hybrid' : v1 ? 1 : v2 ? 2 : null;
}

function versionOf(program: string): string {
	const out = execFileSync(program, ['--version'], {encoding: 'utf8'});
	return /version\s+(\S+)/.exec(out)?.[1] ?? '';
}

test('doctor reports what this host really has', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir} = engineFor(t);
	const report = await engine.doctor();
	assert.ok(report.runtime, `no runtime reported: ${JSON.stringify(report.problems)}`);
	assert.ok(['runc', 'crun'].includes(report.runtime.name));
	assert.ok(fs.existsSync(report.runtime.path));
	assert.equal(report.runtime.version, versionOf(report.runtime.path));
	assert.ok(report.conmon, 'no conmon reported');
	assert.ok(fs.existsSync(report.conmon.path));
	assert.equal(report.conmon.version, versionOf(report.conmon.path));
	assert.equal(report.cgroupVersion, hostCgroupVersion());
	assert.equal(report.root, process.getuid?.() === 0);
	assert.equal(report.userNamespaces, kernelAllowsUserNamespaces());
	const overlayListed = /\toverlay$/m.test(fs.readFileSync('/proc/filesystems', 'utf8'));
	if (overlayListed) assert.equal(report.overlayfs, true);
	assert.equal(report.seccomp, /^Seccomp:/m.test(fs.readFileSync('/proc/self/status', 'utf8')));
	assert.equal(report.storageDir, dir);
	assert.deepEqual(report.problems, [], 'a fully equipped host has no problems to report');
});
