import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import os from 'node:os';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {CgroupSample} from '../../engine/cgroups/sample.js';
import {
	cpuPercentBetween,
	HostStatsSampler,
	hostCpuPercent,
	MetricsSampler,
	parseMeminfo,
	parseProcIo,
	parseProcStat,
	type RawReading,
	toContainerMetrics,
} from '../../engine/metrics.js';
import {fixture} from './fixtures.js';

const SECOND = 1_000_000_000n;

function reading(atNs: bigint, cpuUsageNs: number, extra: Partial<RawReading> = {}): RawReading {
	return {atNs, cpuUsageNs, memoryUsageBytes: 0, memoryLimitBytes: null, pids: 1, blockReadBytes: 0, blockWriteBytes: 0, ...extra};
}

describe('cpuPercentBetween', () => {
	it('is CPU time over wall time, 100 = one full core', () => {
		assert.equal(cpuPercentBetween(reading(0n, 0), reading(SECOND, 500_000_000)), 50);
		assert.equal(cpuPercentBetween(reading(SECOND, 1e9), reading(2n * SECOND, 3e9)), 200);
	});

	it('is 0 when the counter went backwards (cgroup recreated) or no time passed', () => {
		assert.equal(cpuPercentBetween(reading(0n, 5e9), reading(SECOND, 1e6)), 0);
		assert.equal(cpuPercentBetween(reading(SECOND, 0), reading(SECOND, 1e9)), 0);
	});

	it('for processes, counts kept pids by delta and new pids only if they started within the interval', () => {
		const previous = reading(0n, 0, {
			perProcess: new Map([
				[10, {cpuNs: 2e9, ageNs: 9e9}],
				[11, {cpuNs: 1e9, ageNs: 9e9}],
			]),
		});
		const current = reading(SECOND, 0, {
			perProcess: new Map([
				[10, {cpuNs: 2.25e9, ageNs: 10e9}], // +0.25 s
				[12, {cpuNs: 0.5e9, ageNs: 0.6e9}], // born in the interval: all of it
				[13, {cpuNs: 7e9, ageNs: 60e9}], // older than the interval but not tracked before: unknown share
			]),
		});
		assert.equal(cpuPercentBetween(previous, current), 75);
	});
});

describe('toContainerMetrics', () => {
	it('converts bytes to MiB with two decimals and keeps counters as they are', () => {
		const now = new Date('2026-01-02T03:04:05.000Z');
		const current = reading(SECOND, 1e9, {
			memoryUsageBytes: 20815872,
			memoryLimitBytes: 67108864,
			pids: 10,
			blockReadBytes: 7,
			blockWriteBytes: 9,
		});
		assert.deepEqual(toContainerMetrics({id: 'abc', name: 'web', source: {kind: 'processes', pids: []}}, reading(0n, 0), current, now), {
			id: 'abc',
			name: 'web',
			cpuPercent: 100,
			memoryMb: 19.85,
			memoryLimitMb: 64,
			pids: 10,
			blockReadBytes: 7,
			blockWriteBytes: 9,
			timestamp: '2026-01-02T03:04:05.000Z',
		});
		assert.equal(
			toContainerMetrics({id: 'a', name: 'b', source: {kind: 'processes', pids: []}}, reading(0n, 0), reading(SECOND, 0), now)
				.memoryLimitMb,
			null,
		);
	});
});

/** A fake cgroup whose CPU counter advances at `percent` of one core in real time. */
function cgroupAt(percent: number): {read: () => CgroupSample | null; reads: number; gone: boolean} {
	const start = process.hrtime.bigint();
	const fake = {
		reads: 0,
		gone: false,
		read(): CgroupSample | null {
			fake.reads++;
			if (fake.gone) return null;
			const elapsedNs = Number(process.hrtime.bigint() - start);
			return {
				cpuUsageNs: (elapsedNs * percent) / 100,
				memoryUsageBytes: 1048576,
				memoryLimitBytes: null,
				pids: 2,
				blockReadBytes: 0,
				blockWriteBytes: 0,
				oomKills: 0,
			};
		},
	};
	return fake;
}

function samplerOver(fakes: Record<string, ReturnType<typeof cgroupAt>>, minWindowMs: number): MetricsSampler {
	return new MetricsSampler({
		minWindowMs,
		readCgroup: (dirs) => fakes[dirs.version === 2 ? dirs.unified : '']!.read(),
	});
}

const target = (id: string) => ({id, name: `n-${id}`, source: {kind: 'cgroup' as const, dirs: {version: 2 as const, unified: id}}});

describe('MetricsSampler', () => {
	it('on first sight takes a second reading after the delay, once for the whole batch', async () => {
		const fakes = {a: cgroupAt(50), b: cgroupAt(150), c: cgroupAt(0)};
		const sampler = samplerOver(fakes, 60);
		const started = Date.now();
		const metrics = await sampler.sample([target('a'), target('b'), target('c')]);
		const elapsed = Date.now() - started;
		// Three pauses would take 180 ms or more.
		assert.ok(elapsed >= 55 && elapsed < 170, `one pause for the batch, took ${elapsed} ms`);
		assert.deepEqual(
			metrics.map((m) => m.id),
			['a', 'b', 'c'],
		);
		assert.ok(Math.abs(metrics[0]!.cpuPercent - 50) < 3, String(metrics[0]!.cpuPercent));
		assert.ok(Math.abs(metrics[1]!.cpuPercent - 150) < 5, String(metrics[1]!.cpuPercent));
		assert.equal(metrics[2]!.cpuPercent, 0);
		assert.equal(fakes.a.reads, 2);
	});

	it('afterwards measures since the previous call without pausing', async () => {
		const fakes = {a: cgroupAt(80)};
		const sampler = samplerOver(fakes, 60);
		await sampler.sample([target('a')]);
		await sleep(90);
		const started = Date.now();
		const [metrics] = await sampler.sample([target('a')]);
		assert.ok(Date.now() - started < 40, 'no pause');
		assert.equal(fakes.a.reads, 3);
		assert.ok(Math.abs(metrics!.cpuPercent - 80) < 4, String(metrics!.cpuPercent));
	});

	it('a call right after the previous one pauses to complete the minimum window', async () => {
		const fakes = {a: cgroupAt(40)};
		const sampler = samplerOver(fakes, 100);
		await sampler.sample([target('a')]);
		const started = Date.now();
		const [metrics] = await sampler.sample([target('a')]);
		const elapsed = Date.now() - started;
		assert.ok(elapsed >= 90 && elapsed < 190, `paused ${elapsed} ms`);
		assert.equal(fakes.a.reads, 4);
		assert.ok(Math.abs(metrics!.cpuPercent - 40) < 3, String(metrics!.cpuPercent));
	});

	it('leaves out a container whose cgroup is gone and starts over if it comes back', async () => {
		const fakes = {a: cgroupAt(100), b: cgroupAt(100)};
		const sampler = samplerOver(fakes, 10);
		await sampler.sample([target('a'), target('b')]);
		fakes.b.gone = true;
		const metrics = await sampler.sample([target('a'), target('b')]);
		assert.deepEqual(
			metrics.map((m) => m.id),
			['a'],
		);
		fakes.b.gone = false;
		const readsBefore = fakes.b.reads;
		await sampler.sample([target('b')]);
		assert.equal(fakes.b.reads - readsBefore, 2, 'b is new again: two readings');
	});

	it('with no minimum window reports 0% on first sight, without pausing', async () => {
		const sampler = samplerOver({a: cgroupAt(100)}, 0);
		const [metrics] = await sampler.sample([target('a')]);
		assert.equal(metrics!.cpuPercent, 0);
		assert.equal(metrics!.memoryMb, 1);
		assert.equal(metrics!.pids, 2);
	});

	it('forget() makes the next call start over', async () => {
		const fakes = {a: cgroupAt(100)};
		const sampler = samplerOver(fakes, 5);
		await sampler.sample([target('a')]);
		sampler.forget('a');
		await sampler.sample([target('a')]);
		assert.equal(fakes.a.reads, 4);
	});
});

describe('MetricsSampler with real processes (pidusage)', () => {
	const children: ChildProcess[] = [];
	after(() => {
		for (const child of children) child.kill('SIGKILL');
	});

	async function startChild(script: string): Promise<number> {
		const child = spawn(process.execPath, ['-e', script], {stdio: ['ignore', 'pipe', 'ignore']});
		children.push(child);
		await once(child.stdout!, 'data');
		return child.pid!;
	}

	it('sums CPU and memory over the given pids', async () => {
		const busy = await startChild('process.stdout.write("up"); const b = Buffer.alloc(32 << 20, 1); for (;;) {}');
		const idle = await startChild('process.stdout.write("up"); setInterval(() => {}, 1000)');
		const sampler = new MetricsSampler({minWindowMs: 300});
		const [first] = await sampler.sample([
			{id: 'p', name: 'p', source: {kind: 'processes', pids: [busy, idle], memoryLimitBytes: 512 * 1048576}},
		]);
		// A busy loop gets up to one core; less when the host is shared, hence the loose bound.
		assert.ok(first!.cpuPercent > 15 && first!.cpuPercent < 130, `one busy core: ${first!.cpuPercent}`);
		assert.ok(first!.memoryMb > 32 + 20, `two node processes, one with 32 MiB: ${first!.memoryMb}`);
		assert.equal(first!.memoryLimitMb, 512);
		assert.equal(first!.pids, 2);

		const [idleOnly] = await new MetricsSampler({minWindowMs: 300}).sample([
			{id: 'q', name: 'q', source: {kind: 'processes', pids: [idle]}},
		]);
		assert.ok(idleOnly!.cpuPercent < 5, `an idle process: ${idleOnly!.cpuPercent}`);
	});

	it('leaves out a container whose processes are all gone', async () => {
		const pid = await startChild('process.stdout.write("up"); setInterval(() => {}, 1000)');
		children.at(-1)!.kill('SIGKILL');
		await once(children.at(-1)!, 'exit');
		const metrics = await new MetricsSampler({minWindowMs: 10}).sample([{id: 'g', name: 'g', source: {kind: 'processes', pids: [pid]}}]);
		assert.deepEqual(metrics, []);
	});
});

describe('parseProcIo', () => {
	it('reads storage-layer bytes, not rchar/wchar', () => {
		assert.deepEqual(parseProcIo(fixture('host/proc-pid-io')), {readBytes: 1060864, writeBytes: 1052672});
	});
});

describe('host stats', () => {
	it('parseProcStat counts CPUs and splits busy from idle + iowait', () => {
		assert.deepEqual(parseProcStat(fixture('host/proc-stat')), {
			cpuCount: 2,
			totalTicks: 17402 + 3621 + 96967 + 561 + 54 + 12,
			busyTicks: 17402 + 3621 + 54 + 12,
		});
	});

	it('parseMeminfo reads MemTotal and MemAvailable, estimating it on old kernels', () => {
		assert.deepEqual(parseMeminfo(fixture('host/meminfo')), {totalKb: 24684096, availableKb: 24148928});
		assert.deepEqual(parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 30 kB\n'), {
			totalKb: 1000,
			availableKb: 150,
		});
	});

	it('hostCpuPercent scales to the number of CPUs', () => {
		const before = {cpuCount: 4, busyTicks: 100, totalTicks: 1000};
		assert.equal(hostCpuPercent(before, {cpuCount: 4, busyTicks: 300, totalTicks: 1400}), 200);
		assert.equal(hostCpuPercent(before, before), 0);
	});

	it('HostStatsSampler pauses on the first call, not when the previous one is old enough', async () => {
		const stats = [
			'cpu  100 0 0 900 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n',
			'cpu  150 0 50 1000 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n',
			'cpu  150 0 50 1200 0 0 0 0 0 0\ncpu0 x\ncpu1 x\n',
		];
		const sampler = new HostStatsSampler({
			minWindowMs: 60,
			readProcStat: () => stats.shift()!,
			readMeminfo: () => 'MemTotal: 2048000 kB\nMemAvailable: 1024000 kB\n',
			loadAverage: () => [0.5, 0.25, 0.125],
		});
		let started = Date.now();
		assert.deepEqual(await sampler.sample(), {
			cpuCount: 2,
			cpuPercent: 100,
			memoryTotalMb: 2000,
			memoryUsedMb: 1000,
			loadAverage: [0.5, 0.25, 0.125],
		});
		assert.ok(Date.now() - started >= 55);
		await sleep(70);
		started = Date.now();
		assert.equal((await sampler.sample()).cpuPercent, 0);
		assert.ok(Date.now() - started < 40, 'no pause');
	});

	it('HostStatsSampler reads this host', async () => {
		const stats = await new HostStatsSampler({minWindowMs: 50}).sample();
		assert.equal(stats.cpuCount, os.cpus().length);
		assert.ok(Math.abs(stats.memoryTotalMb - os.totalmem() / 1048576) < 2);
		assert.ok(stats.memoryUsedMb > 0 && stats.memoryUsedMb < stats.memoryTotalMb);
		assert.ok(stats.cpuPercent >= 0 && stats.cpuPercent <= stats.cpuCount * 100);
	});
});
