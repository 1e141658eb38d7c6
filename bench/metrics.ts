// What one metrics sample costs: the median time to read one container's cgroup, to run the
// sampler over one container and over a batch of 50 (each cgroup holding a real process), and
// the pidusage path of the process driver. Needs root and cgroups.
//   node dist/bench/metrics.js [--iterations N] [--no-write]
// Appends (or replaces) its section in bench/RESULTS.md.
import {type ChildProcess, spawn} from 'node:child_process';
import {once} from 'node:events';
import os from 'node:os';
import {
	addProcess,
	type CgroupDirs,
	cgroupDirs,
	createCgroup,
	detectCgroupHost,
	killCgroup,
	readCgroupSample,
	removeCgroup,
} from '../engine/cgroups/index.js';
import {MetricsSampler, type MetricsTarget} from '../engine/metrics.js';
import {median, writeResultsSection} from './results.js';

const BATCH = 50;
const HEADING = '## Metrics: cost of one sample (bench/metrics.ts)';

function argument(name: string, fallback: number): number {
	const index = process.argv.indexOf(name);
	return index === -1 ? fallback : Number(process.argv[index + 1]);
}

/** Median microseconds of `iterations` runs of `body`, after a warm-up. */
async function measure(iterations: number, body: () => unknown): Promise<number> {
	for (let i = 0; i < Math.min(50, iterations); i++) await body();
	const times: number[] = [];
	for (let i = 0; i < iterations; i++) {
		const started = process.hrtime.bigint();
		await body();
		times.push(Number(process.hrtime.bigint() - started) / 1000);
	}
	return median(times);
}

async function startSleeper(dirs: CgroupDirs | null): Promise<ChildProcess> {
	const child = spawn('sh', ['-c', 'read go && exec sleep 600'], {stdio: ['pipe', 'ignore', 'ignore']});
	await once(child, 'spawn');
	if (dirs !== null) addProcess(dirs, child.pid!);
	child.stdin!.write('go\n');
	return child;
}

async function main(): Promise<void> {
	if (process.getuid?.() !== 0) throw new Error('run as root: the benchmark creates real cgroups');
	const host = detectCgroupHost();
	if (host.version === null) throw new Error('no cgroup filesystem is mounted');
	const iterations = argument('--iterations', 2000);
	const parent = `c32-bench-${process.pid}`;
	const cgroups: CgroupDirs[] = [];
	const children: ChildProcess[] = [];
	try {
		for (let i = 0; i < BATCH; i++) {
			const dirs = createCgroup(`${parent}/ctr${i}`, {memoryLimitMb: 256, maxProcesses: 64, cpuLimitPercent: 100});
			cgroups.push(dirs);
			children.push(await startSleeper(dirs));
		}
		const targets: MetricsTarget[] = cgroups.map((dirs, i) => ({id: `ctr${i}`, name: `ctr${i}`, source: {kind: 'cgroup', dirs}}));
		// No minimum window: back-to-back calls measure the cost of reading, never a pause.
		const sampler = new MetricsSampler({minWindowMs: 0});
		await sampler.sample(targets);

		const readOne = await measure(iterations, () => readCgroupSample(cgroups[0]!));
		const sampleOne = await measure(iterations, () => sampler.sample([targets[0]!]));
		const sampleBatch = await measure(Math.max(20, Math.floor(iterations / 10)), () => sampler.sample(targets));
		const pidTarget: MetricsTarget = {id: 'pids', name: 'pids', source: {kind: 'processes', pids: [children[0]!.pid!]}};
		await sampler.sample([pidTarget]);
		const sampleProcess = await measure(Math.max(50, Math.floor(iterations / 4)), () => sampler.sample([pidTarget]));

		const rows = [
			['readCgroupSample, 1 container (raw cgroup files)', readOne],
			['MetricsSampler.sample, 1 container', sampleOne],
			[`MetricsSampler.sample, batch of ${BATCH}`, sampleBatch],
			[`  per container in the batch`, sampleBatch / BATCH],
			['MetricsSampler.sample, 1 process-driver container (pidusage, 1 pid)', sampleProcess],
		] as const;
		const table = [
			'| what | median |',
			'|---|---|',
			...rows.map(([what, us]) => `| ${what} | ${us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`} |`),
		].join('\n');
		const context = `${new Date().toISOString().slice(0, 10)}, Linux ${os.release()}, cgroup ${host.version}${host.version === 'hybrid' ? ' (v1 controllers)' : ''}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${iterations} iterations, load average ${os.loadavg()[0]!.toFixed(2)}`;
		console.log(context);
		console.log(table);
		if (!process.argv.includes('--no-write'))
			writeResultsSection(
				HEADING,
				`${HEADING}\n\n${context}. Each container's cgroup holds one sleeping process; the sampler runs with \`minWindowMs: 0\`, so no call includes the pause that completes a CPU window.\n\n${table}\n`,
			);
	} finally {
		for (const dirs of cgroups) await killCgroup(dirs).catch(() => undefined);
		for (const child of children) child.kill('SIGKILL');
		for (const dirs of cgroups) await removeCgroup(dirs).catch((error) => console.error(String(error)));
		await removeCgroup(cgroupDirs(parent)).catch((error) => console.error(String(error)));
	}
}

await main();
