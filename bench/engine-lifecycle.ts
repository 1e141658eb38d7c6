// Engine latency: create+start, stop, one metrics sample — medians over repeated runs, side
// by side with podman (run against a busybox rootfs, as no image registry is reachable)
// when it is installed. Run as root: node dist/bench/engine-lifecycle.js [--runs N]
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {getEngine} from '../engine/index.js';
import type {IsolationType} from '../engine/types.js';
import {measuredOn, median, writeResultsSection} from './results.js';

const run = promisify(execFile);
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
	const start = process.hrtime.bigint();
	const result = await fn();
	return [Number(process.hrtime.bigint() - start) / 1e6, result];
}

// Exits promptly on SIGTERM, so stop measures the engine, not a grace period.
const WORKER = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.05; done'];

// crun 1.8 refuses hybrid cgroup hosts, and podman's default rlimits exceed this host's hard
// limits: run podman the way c32 runs here, with runc and rlimits the host can grant.
const PODMAN_FLAGS = ['--runtime', 'runc'];
const PODMAN_RUN_FLAGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

interface Row {
	what: string;
	c32: number;
	podman: number | null;
}

async function benchC32(isolation: IsolationType): Promise<{start: number; stop: number; sample: number}> {
	const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-bench-'));
	const engine = getEngine({storageDir});
	const starts: number[] = [];
	const stops: number[] = [];
	const samples: number[] = [];
	try {
		for (let i = 0; i < runs; i++) {
			const [startMs, meta] = await timed(async () => {
				const created = await engine.createContainer({
					entrypoint: WORKER[0],
					args: WORKER.slice(1),
					isolationLevel: isolation,
					resourceLimits: {memoryLimitMb: 64},
				});
				return engine.startContainer(created.id);
			});
			starts.push(startMs);
			await engine.getContainerMetrics(meta.id); // the first sample sets the CPU baseline
			// CPU % needs a window of at least 100 ms since the previous reading, as a dashboard tick has.
			await new Promise((resolve) => setTimeout(resolve, 150));
			const [sampleMs] = await timed(() => engine.getContainerMetrics(meta.id));
			samples.push(sampleMs);
			const [stopMs] = await timed(() => engine.stopContainer(meta.id, {timeout: 10}));
			stops.push(stopMs);
			await engine.removeContainer(meta.id);
		}
	} finally {
		fs.rmSync(storageDir, {recursive: true, force: true});
	}
	return {start: median(starts), stop: median(stops), sample: median(samples)};
}

function busyboxRootfs(): string | null {
	const busybox = '/bin/busybox';
	if (!fs.existsSync(busybox)) return null;
	const rootfs = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-bench-rootfs-'));
	fs.mkdirSync(path.join(rootfs, 'bin'));
	fs.copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
	fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
	for (const applet of ['sh', 'sleep', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
	for (const dir of ['proc', 'sys', 'dev', 'etc', 'tmp']) fs.mkdirSync(path.join(rootfs, dir));
	return rootfs;
}

async function benchPodman(): Promise<{start: number; stop: number; sample: number} | null> {
	const podman = ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => fs.existsSync(p));
	const rootfs = busyboxRootfs();
	if (!podman || !rootfs) return null;
	const starts: number[] = [];
	const stops: number[] = [];
	const samples: number[] = [];
	try {
		for (let i = 0; i < runs; i++) {
			const [startMs, out] = await timed(() =>
				run(podman, [
					...PODMAN_FLAGS,
					'run',
					'-d',
					...PODMAN_RUN_FLAGS,
					'--memory',
					'64m',
					'--rootfs',
					rootfs,
					'/bin/sh',
					...WORKER.slice(1),
				]),
			);
			const id = out.stdout.trim();
			starts.push(startMs);
			const [sampleMs] = await timed(() => run(podman, [...PODMAN_FLAGS, 'stats', '--no-stream', '--format', 'json', id]));
			samples.push(sampleMs);
			const [stopMs] = await timed(() => run(podman, [...PODMAN_FLAGS, 'stop', '-t', '10', id]));
			stops.push(stopMs);
			await run(podman, [...PODMAN_FLAGS, 'rm', id]);
		}
	} catch (error) {
		console.error(`podman failed, leaving it out: ${(error as Error).message.split('\n')[0]}`);
		return null;
	} finally {
		fs.rmSync(rootfs, {recursive: true, force: true});
	}
	return {start: median(starts), stop: median(stops), sample: median(samples)};
}

const conditions = measuredOn();
const standard = await benchC32('standard');
const minimal = await benchC32('minimal');
const podman = await benchPodman();
const rows: Row[] = [
	{what: 'create + start (standard)', c32: standard.start, podman: podman?.start ?? null},
	{what: 'create + start (minimal)', c32: minimal.start, podman: null},
	{what: 'stop (SIGTERM honoured, standard)', c32: standard.stop, podman: podman?.stop ?? null},
	{what: 'stop (minimal)', c32: minimal.stop, podman: null},
	{what: 'one metrics sample (standard)', c32: standard.sample, podman: podman?.sample ?? null},
	{what: 'one metrics sample (minimal)', c32: minimal.sample, podman: null},
];
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms.toFixed(0));
const lines = [
	`| operation (median of ${runs}) | c32 ms | podman ms | podman / c32 |`,
	'|---|---:|---:|---:|',
	...rows.map((row) => {
		const ratio = row.podman === null ? '—' : `${(row.podman / row.c32).toFixed(1)}×`;
		return `| ${row.what} | ${fmt(row.c32)} | ${row.podman === null ? '—' : fmt(row.podman)} | ${ratio} |`;
	}),
];
console.log(lines.join('\n'));
const HEADING = '## Engine: container lifecycle latency (bench/engine-lifecycle.ts)';
writeResultsSection(
	HEADING,
	[
		HEADING,
		'',
		`${conditions}. Through the engine API (no CLI start-up); podman ${podman ? 'through its CLI with runc and a busybox rootfs (no registry is reachable here), so its numbers include its own start-up' : 'not installed'}. The worker exits on SIGTERM, so stop measures the engine, not a grace period. A metrics sample is taken 150 ms after the previous one, as a dashboard tick would (a CPU % needs a window).`,
		'',
		...lines,
		'',
	].join('\n'),
);
