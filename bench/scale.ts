// Scale: N standard containers running `sleep 86400` at once, started one after another
// through the built CLI (`c32 run -d`), on a scratch storage root under /var/tmp. Records:
//   starting      total time, containers/s, and how the time of one start grows with N
//   memory        what c32 keeps per running container beyond the container's own processes:
//                 its monitors (conmon; the process driver's supervisor) and any other process
//                 of the storage root, RSS and PSS from /proc/<pid>/smaps_rollup, divided by N
//   ps -a         wall time at N, median of --runs
//   top           CPU of `c32 top` at N in a 160×45 terminal (tmux), a short window
//   rm -f         of all, in batches (`c32 rm -f ID...`), containers/s
// Everything is removed at the end, on failure too, and the host is checked for leftovers
// (processes, mounts, bridges). Run as root after `npm run build`:
//   node dist/bench/scale.js [--count 1000] [--network NAME|none|host] [--runs 15]
//                            [--batch 50] [--top-windows 3] [--top-seconds 5] [--no-top] [--no-write]
// A start that fails ends the starting phase: the report says how many came up and the error.
// Each count and network has its own section of bench/RESULTS.md.
import {parseArgs} from 'node:util';
import {CLI, ScratchC32} from './c32-scratch.js';
import {hostUsedKb, mb, memoryByCommand, processes, total, withDescendants} from './proc-memory.js';
import {measuredOn, median, writeResultsSection} from './results.js';
import {dashboardCpu, percentile, quote} from './top-lib.js';

// Not strict: bench/run.ts passes every benchmark the same arguments.
const {values} = parseArgs({
	strict: false,
	options: {
		count: {type: 'string', default: '1000'},
		network: {type: 'string'},
		runs: {type: 'string', default: '15'},
		batch: {type: 'string', default: '50'},
		'top-windows': {type: 'string', default: '3'},
		'top-seconds': {type: 'string', default: '5'},
		'no-top': {type: 'boolean', default: false},
		'no-write': {type: 'boolean', default: false},
	},
});
const COUNT = Number(values.count);
const RUNS = Number(values.runs);
const BATCH = Number(values.batch);
const NETWORK = typeof values.network === 'string' ? values.network : undefined;
const WORKER = ['sleep', '86400'];

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		console.error(`${signal}: stopping after the current step, then cleaning up`);
		interrupted = true;
	});
}

interface Starts {
	up: number;
	totalMs: number;
	each: number[];
	stoppedBy: string | null;
}

async function startAll(c32: ScratchC32): Promise<Starts> {
	const network = NETWORK ? ['--network', NETWORK] : [];
	const each: number[] = [];
	let stoppedBy: string | null = null;
	const started = performance.now();
	for (let i = 0; i < COUNT && !interrupted; i++) {
		try {
			each.push((await c32.timed('run', '-d', ...network, '--', ...WORKER)).ms);
		} catch (error) {
			stoppedBy = `start #${i + 1} failed: ${(error as Error).message}`;
			console.error(stoppedBy);
			break;
		}
		if ((i + 1) % 50 === 0) {
			const secs = (performance.now() - started) / 1000;
			console.error(`${i + 1}/${COUNT} up after ${secs.toFixed(1)} s (last 50: median ${median(each.slice(-50)).toFixed(0)} ms)`);
		}
	}
	if (interrupted && !stoppedBy) stoppedBy = `interrupted after ${each.length}`;
	return {up: each.length, totalMs: performance.now() - started, each, stoppedBy};
}

interface MemoryRow {
	what: string;
	count: number;
	rssKb: number;
	pssKb: number;
}

/** c32's processes per container, grouped by command name, and the containers' own processes for scale. */
async function memory(c32: ScratchC32): Promise<{rows: MemoryRow[]; containers: number}> {
	const pids = await c32.containerPids();
	const all = processes();
	const monitors = memoryByCommand(all, c32.monitorPids(all, pids));
	const own = total(memoryByCommand(all, withDescendants(all, pids)));
	const sum = total(monitors);
	return {
		containers: pids.length,
		rows: [
			...monitors.map((g) => ({what: `c32's \`${g.comm}\` processes`, count: g.count, rssKb: g.rssKb, pssKb: g.pssKb})),
			{what: "**all of c32's processes**", count: monitors.reduce((s, g) => s + g.count, 0), ...sum},
			{what: "the containers' own processes (for scale, not counted)", count: pids.length, ...own},
		],
	};
}

async function psTimes(c32: ScratchC32): Promise<number[]> {
	await c32.cli('ps', '-a'); // warm-up
	const times: number[] = [];
	for (let i = 0; i < RUNS && !interrupted; i++) times.push((await c32.timed('ps', '-a')).ms);
	return times;
}

async function topCpu(c32: ScratchC32, running: number): Promise<number[]> {
	return dashboardCpu(
		`${quote(process.execPath)} ${quote(CLI)} top`,
		{...c32.env, C32_CONFIG_DIR: `${c32.dir}/top-config`},
		(screen) => screen.includes(`${running} containers: ${running} running`),
		{windows: Number(values['top-windows']), seconds: Number(values['top-seconds']), columns: 160, rows: 45, timeoutMs: 120_000},
	);
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const spread = (v: number[]) => (v.length ? `${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}` : '—');

async function main(): Promise<void> {
	const conditions = measuredOn();
	const c32 = new ScratchC32('c32-scale-bench-');
	const usedBefore = hostUsedKb();
	let starts: Starts | null = null;
	let mem: Awaited<ReturnType<typeof memory>> | null = null;
	let usedDeltaKb = 0;
	let ps: number[] = [];
	let top: number[] | string = 'not measured (--no-top)';
	let removal: Awaited<ReturnType<ScratchC32['removeAll']>> | null = null;
	let problems: string[] = [];
	try {
		starts = await startAll(c32);
		console.error(`started ${starts.up} in ${(starts.totalMs / 1000).toFixed(1)} s`);
		// Let the last start's short-lived helpers exit before counting processes.
		await new Promise((resolve) => setTimeout(resolve, 2000));
		usedDeltaKb = hostUsedKb() - usedBefore;
		mem = await memory(c32);
		console.error(`memory: ${JSON.stringify(mem.rows)}`);
		if (!interrupted) ps = await psTimes(c32);
		console.error(`ps -a: median ${ms(median(ps))}`);
		if (!values['no-top'] && !interrupted) {
			top = await topCpu(c32, starts.up).catch((error: Error) => `failed: ${error.message.split('\n')[0]}`);
			console.error(`top: ${JSON.stringify(top)}`);
		}
		removal = await c32.removeAll(BATCH);
		console.error(`rm -f: ${removal.removed} in ${ms(removal.ms)}${removal.errors.length ? `; ${removal.errors.join('; ')}` : ''}`);
	} finally {
		problems = await c32.dispose();
		for (const problem of problems) console.error(`clean-up: ${problem}`);
	}
	if (problems.length > 0 || removal?.errors.length) process.exitCode = 1;
	const report = render(conditions, starts!, mem!, usedDeltaKb, ps, top, removal, problems);
	process.stdout.write(report);
	if (!values['no-write'] && !interrupted) writeResultsSection(heading(), report);
}

function heading(): string {
	return `## Scale: ${COUNT} standard containers, network ${NETWORK ?? 'c32 (the default)'} (bench/scale.ts)`;
}

function render(
	conditions: string,
	starts: Starts,
	mem: Awaited<ReturnType<typeof memory>>,
	usedDeltaKb: number,
	ps: number[],
	top: number[] | string,
	removal: {ms: number; removed: number; errors: string[]} | null,
	problems: string[],
): string {
	const n = starts.up;
	const perContainer = (kb: number) => (n ? `${(mb(kb) / n).toFixed(2)} MB` : '—');
	const first = starts.each.slice(0, 50);
	const last = starts.each.slice(-50);
	const lines = [
		heading(),
		'',
		`${conditions}. \`c32 run -d${NETWORK ? ` --network ${NETWORK}` : ''} -- ${WORKER.join(' ')}\` (standard isolation) run ${COUNT} times one after another through the built CLI, ` +
			'each a whole CLI process as a shell pays it, on a scratch storage root under /var/tmp.',
		'',
		'| what | measured |',
		'|---|---|',
		`| containers up | **${n} of ${COUNT}**${starts.stoppedBy ? ` (stopped: ${starts.stoppedBy})` : ''} |`,
		`| starting all, one after another | ${(starts.totalMs / 1000).toFixed(1)} s, **${n ? ((n / starts.totalMs) * 1000).toFixed(2) : '—'} containers/s** |`,
		`| one \`run -d\`: median of the first 50 / the last 50 | ${first.length ? ms(median(first)) : '—'} / ${last.length ? ms(median(last)) : '—'} (p95 of all ${starts.each.length ? ms(percentile(starts.each, 95)) : '—'}) |`,
		`| \`ps -a\` at ${n} (median of ${ps.length}, spread) | **${ps.length ? ms(median(ps)) : '—'}** (${spread(ps)}) |`,
		`| \`c32 top\` CPU at ${n}, 160×45, % of one core | ${typeof top === 'string' ? top : `**${median(top).toFixed(2)}%** (${spread(top)}, ${top.length} windows of ${values['top-seconds']} s)`} |`,
		`| \`rm -f\` of all, batches of ${BATCH} | ${removal ? `${removal.removed} in ${(removal.ms / 1000).toFixed(1)} s, **${removal.ms ? ((removal.removed / removal.ms) * 1000).toFixed(1) : '—'} containers/s**${removal.errors.length ? `; errors: ${removal.errors.join('; ')}` : ''}` : '—'} |`,
		`| left on the host afterwards | ${problems.length ? problems.join('; ') : 'nothing (no process, mount or bridge of the storage root)'} |`,
		'',
		`Memory while ${mem.containers} containers ran (RSS counts shared pages in every process; PSS shares them out):`,
		'',
		'| processes | count | RSS total | PSS total | RSS per container | PSS per container |',
		'|---|---:|---:|---:|---:|---:|',
		...mem.rows.map(
			(r) =>
				`| ${r.what} | ${r.count} | ${mb(r.rssKb).toFixed(1)} MB | ${mb(r.pssKb).toFixed(1)} MB | ${perContainer(r.rssKb)} | ${perContainer(r.pssKb)} |`,
		),
		'',
		`The host's used memory (MemTotal − MemAvailable, kernel included, other work on the host too) grew by ${mb(usedDeltaKb).toFixed(0)} MB while they started: ${perContainer(usedDeltaKb)} per container, everything included.`,
		'',
	];
	return `${lines.join('\n')}\n`;
}

await main();
