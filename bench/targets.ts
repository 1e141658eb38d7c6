// Issue 14's targets, one row each: what, measured, target, met or not. The quick ones are
// measured here, the sides taking turns, medians of --runs with their spread:
//   `c32 --version` and `c32 ps` (10 running containers) beside `node -e 0`
//   `c32 run -d` and `c32 stop` beside podman's, each on its default bridge network, the same
//   busybox image imported into both, a worker that exits on SIGTERM
//   memory per running container beyond its own processes, 10 of each isolation level
//   `c32 top` CPU with 50 running containers in a 160×45 terminal
//   frames and keys of the dashboard with 1000 containers (bench/top-render.ts, the engine double)
// The slow ones are read from what the other benches wrote to bench/RESULTS.md: `ps -a` with
// 1000 containers beside podman (bench/cli-commands.ts) and 1000 running containers
// (bench/scale.ts). Run those first, as bench/run.ts does. Run as root after `npm run build`:
//   node dist/bench/targets.js [--runs 15] [--top-windows 6] [--top-seconds 5] [--no-write]
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {getEngine} from '../engine/index.js';
import {CLI, ScratchC32} from './c32-scratch.js';
import {busyboxTar, findPodman, PODMAN_RUN_FLAGS, PodmanScratch, tempDir} from './podman-side.js';
import {mb, memoryByCommand, processes, total} from './proc-memory.js';
import {measuredOn, median, RESULTS_FILE, writeResultsSection} from './results.js';
import {dashboardCpu, quote} from './top-lib.js';

const exec = promisify(execFile);
const HEADING = '## Issue 14 targets (bench/targets.ts)';
const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const RUNS = Math.max(Number(argValue('--runs')) || 15, 1);
const TOP_WINDOWS = Number(argValue('--top-windows')) || 6;
const TOP_SECONDS = Number(argValue('--top-seconds')) || 5;
const IMAGE = 'bench-busybox:1';
/** Exits at once on SIGTERM (`wait` is interrupted by the trapped signal), on both sides. */
const WORKER = ['sh', '-c', 'trap "exit 0" TERM; sleep 86400 & wait'];

interface Row {
	what: string;
	measured: string;
	target: string;
	met: boolean | null;
}

type Step = () => Promise<number>;

async function timed(fn: () => Promise<unknown>): Promise<number> {
	const started = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Times of each step over RUNS rounds after one warm-up round, the steps taking turns. */
async function interleaved(steps: Step[]): Promise<number[][]> {
	for (const step of steps) await step();
	const times = steps.map((): number[] => []);
	for (let i = 0; i < RUNS; i++) for (const [index, step] of steps.entries()) times[index]!.push(await step());
	return times;
}

const node0: Step = () => timed(() => exec(process.execPath, ['-e', '0']));
const ms = (v: number[]) => `${median(v).toFixed(0)} ms (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;

/** "c32 X ms (spread) / other Y ms (spread) = r×", and whether r is within `limit`. */
function ratioRow(what: string, mine: number[], theirs: number[], theirName: string, limit: number): Row {
	const ratio = median(mine) / median(theirs);
	return {
		what,
		measured: `${ms(mine)} / ${theirName} ${ms(theirs)} = **${ratio.toFixed(2)}×**`,
		target: `≤ ${limit} × ${theirName}`,
		met: ratio <= limit,
	};
}

async function startup(rows: Row[]): Promise<void> {
	const c32 = new ScratchC32('c32-targets-version-');
	try {
		const [node, version] = await interleaved([node0, async () => (await c32.timed('--version')).ms]);
		rows.push(ratioRow('`c32 --version`', version!, node!, '`node -e 0`', 1.15));
	} finally {
		await c32.dispose();
	}
}

async function psTen(c32: ScratchC32, rows: Row[]): Promise<void> {
	for (let i = 0; i < 10; i++) await c32.cli('run', '-d', '--', 'sleep', '86400');
	const [node, ps] = await interleaved([node0, async () => (await c32.timed('ps')).ms]);
	rows.push(ratioRow('`c32 ps` with 10 containers', ps!, node!, '`node -e 0`', 1.5));
}

/** run -d and stop beside podman, each on its default network, the same image; rm -f untimed. */
async function runAndStop(c32: ScratchC32, rows: Row[]): Promise<void> {
	const binary = findPodman();
	if (!binary) {
		rows.push({what: '`c32 run -d` and `c32 stop` beside podman', measured: 'podman not installed', target: '', met: null});
		return;
	}
	const podman = new PodmanScratch(binary);
	const work = tempDir('c32-targets-image-');
	try {
		const tar = await busyboxTar(work);
		await getEngine({storageDir: c32.dir}).importImage(tar, IMAGE);
		await podman.cli('import', tar, `localhost/${IMAGE}`);
		const mine = {run: [] as number[], stop: [] as number[]};
		const theirs = {run: [] as number[], stop: [] as number[]};
		const cycle = async (
			run: () => Promise<string>,
			stop: (id: string) => Promise<unknown>,
			remove: (id: string) => Promise<unknown>,
			into: typeof mine,
		) => {
			let id = '';
			into.run.push(await timed(async () => (id = (await run()).trim())));
			into.stop.push(await timed(() => stop(id)));
			await remove(id);
			return 0;
		};
		const c32Cycle = () =>
			cycle(
				() => c32.cli('run', '-d', IMAGE, '--', ...WORKER),
				(id) => c32.cli('stop', id),
				(id) => c32.cli('rm', '-f', id),
				mine,
			);
		const podmanCycle = () =>
			cycle(
				() => podman.cli('run', '-d', ...PODMAN_RUN_FLAGS, `localhost/${IMAGE}`, ...WORKER),
				(id) => podman.cli('stop', id),
				(id) => podman.cli('rm', '-f', '-t', '0', id),
				theirs,
			);
		await interleaved([c32Cycle, podmanCycle]);
		// interleaved() also ran a warm-up round: drop it.
		for (const side of [mine, theirs]) {
			side.run.shift();
			side.stop.shift();
		}
		rows.push(ratioRow('`c32 run -d` (standard, default network)', mine.run, theirs.run, '`podman run -d`', 0.8));
		rows.push(ratioRow('`c32 stop` of a container that honours SIGTERM', mine.stop, theirs.stop, '`podman stop`', 0.8));
	} finally {
		await podman.dispose();
		fs.rmSync(work, {recursive: true, force: true});
	}
}

/** Monitors' memory per container, 10 containers of each isolation level in one store. */
async function memoryPerLevel(c32: ScratchC32, rows: Row[]): Promise<void> {
	for (const level of ['minimal', 'strict']) {
		for (let i = 0; i < 10; i++) await c32.cli('run', '-d', '--isolation', level, '--', 'sleep', '86400');
	}
	await new Promise((resolve) => setTimeout(resolve, 1000));
	const list = JSON.parse(await c32.cli('ps', '--json')) as {pid: number | null; isolationLevel: string}[];
	const all = processes();
	const parts: string[] = [];
	let worst = 0;
	for (const level of ['minimal', 'standard', 'strict']) {
		const pids = list.filter((c) => c.isolationLevel === level && c.pid).map((c) => c.pid!);
		const groups = memoryByCommand(all, c32.monitorsOf(all, pids));
		const sum = total(groups);
		const rss = mb(sum.rssKb) / pids.length;
		worst = Math.max(worst, rss);
		parts.push(
			`${level} ${rss.toFixed(2)} MB RSS / ${(mb(sum.pssKb) / pids.length).toFixed(2)} MB PSS (${groups.map((g) => `${g.count} ${g.comm}`).join(', ')})`,
		);
	}
	const allPids = list.map((c) => c.pid).filter((p): p is number => !!p);
	const extra = c32.monitorPids(all, allPids).size - c32.monitorsOf(all, allPids).size;
	rows.push({
		what: 'memory per running container beyond its own processes',
		measured: `${parts.join('; ')}; other c32 processes: ${extra}`,
		target: '≤ 3 MB (RSS), every isolation level',
		met: worst <= 3 && extra === 0,
	});
}

async function topAtFifty(c32: ScratchC32, rows: Row[]): Promise<void> {
	let running = (await c32.containerPids()).length;
	for (; running < 50; running++) await c32.cli('run', '-d', '--', 'sleep', '86400');
	const samples = await dashboardCpu(
		`${quote(process.execPath)} ${quote(CLI)} top`,
		{...c32.env, C32_CONFIG_DIR: `${c32.dir}/top-config`},
		(screen) => screen.includes('50 containers: 50 running'),
		{windows: TOP_WINDOWS, seconds: TOP_SECONDS, columns: 160, rows: 45, timeoutMs: 60_000},
	);
	const cpu = median(samples);
	rows.push({
		what: '`c32 top` CPU, 50 running containers, 160×45',
		measured: `**${cpu.toFixed(2)}%** (${Math.min(...samples).toFixed(2)}–${Math.max(...samples).toFixed(2)}, ${samples.length} windows of ${TOP_SECONDS} s)`,
		target: '≤ 2% of a core',
		met: cpu <= 2,
	});
}

/** The dashboard's frames with 1000 containers on the engine double (bench/top-render.ts). */
async function framesAtThousand(): Promise<{frame: number; key: number; line: string}> {
	const script = fileURLToPath(new URL('./top-render.js', import.meta.url));
	const {stdout} = await exec(process.execPath, [script, '--containers', '1000', '--ticks', '100', '--sizes', '160x45', '--no-write']);
	// | containers | terminal | tick → frame | of which Ink output | row diff | key → frame | bytes |
	const line = stdout.split('\n').find((l) => l.startsWith('| 1000 | 160×45'));
	const cells = line?.split('|').map((c) => c.trim()) ?? [];
	const number = (cell: string | undefined) => Number(/([\d.]+) ms/.exec(cell ?? '')?.[1] ?? Number.NaN);
	return {frame: number(cells[3]), key: number(cells[6]), line: `tick → frame ${cells[3] ?? '?'}, key → frame ${cells[6] ?? '?'}`};
}

/** A section of RESULTS.md by the start of its heading, or null. */
function section(headingStart: string): string | null {
	const text = fs.existsSync(RESULTS_FILE) ? fs.readFileSync(RESULTS_FILE, 'utf8') : '';
	const start = text.indexOf(headingStart);
	if (start === -1) return null;
	const end = text.indexOf('\n## ', start + 1);
	return text.slice(start, end === -1 ? undefined : end);
}

/** The cells of the first table row of `text` whose first cell starts with `label`. */
function cells(text: string | null, label: string): string[] | null {
	const line = text?.split('\n').find((l) => l.startsWith(`| ${label}`));
	return line ? line.split('|').map((c) => c.trim()) : null;
}

const numberIn = (cell: string | undefined, pattern: RegExp) => Number(pattern.exec(cell ?? '')?.[1] ?? Number.NaN);
const dateOf = (text: string | null) => /\n(\d{4}-\d\d-\d\d)/.exec(text ?? '')?.[1] ?? '?';

function fromCliCommands(rows: Row[]): void {
	const text = section('## c32 CLI: wall time of commands');
	const row = cells(text, '`ps -a`, 1000 containers');
	if (!row) {
		rows.push({
			what: '`c32 ps -a` with 1000 containers',
			measured: 'not in RESULTS.md: run bench/cli-commands.ts',
			target: '≤ 0.5 × `podman ps -a`',
			met: null,
		});
		return;
	}
	const [mine, theirs] = [Number(row[2]), Number(row[3])];
	rows.push({
		what: '`c32 ps -a` with 1000 containers',
		measured: `${mine.toFixed(0)} ms / \`podman ps -a\` ${theirs.toFixed(0)} ms = **${(mine / theirs).toFixed(2)}×** (${row[1]}; bench/cli-commands.ts, ${dateOf(text)})`,
		target: '≤ 0.5 × `podman ps -a`',
		met: mine / theirs <= 0.5,
	});
}

function fromScale(rows: Row[], frames: Awaited<ReturnType<typeof framesAtThousand>> | null): void {
	const runs = ['c32 (the default)', 'none'].map((network) => ({
		network,
		text: section(`## Scale: 1000 standard containers, network ${network}`),
	}));
	const found = runs.filter((r) => r.text !== null);
	if (found.length === 0) {
		rows.push({
			what: '1000 standard containers running at once',
			measured: 'not in RESULTS.md: run bench/scale.ts',
			target: 'all up; `ps -a` ≤ 250 ms; `rm -f` of all ≥ 30 containers/s',
			met: null,
		});
		rows.push({
			what: '`c32 top` with 1000 containers (frames: the engine double, 160×45)',
			measured: `CPU not in RESULTS.md (bench/scale.ts); ${frames ? frames.line : 'frames not measured'}`,
			target: '≤ 5% of a core, frames ≤ 16 ms, keys answer within one frame',
			met: frames !== null && (frames.frame > 16 || frames.key > 16) ? false : null,
		});
	}
	for (const {network, text} of found) {
		const up = cells(text, 'containers up')?.[2] ?? '';
		const allUp = /\*\*1000 of 1000\*\*/.test(up);
		const ps = numberIn(cells(text, '`ps -a` at')?.[2], /\*\*([\d.]+) ms/);
		const rm = numberIn(cells(text, '`rm -f` of all')?.[2], /\*\*([\d.]+) containers\/s/);
		rows.push({
			what: `1000 standard containers running at once (network ${network}; bench/scale.ts, ${dateOf(text)})`,
			measured: `up: ${up.replaceAll('|', '/')}; \`ps -a\` **${ps} ms**; \`rm -f\` **${rm} containers/s**`,
			target: 'all up; `ps -a` ≤ 250 ms; `rm -f` of all ≥ 30 containers/s',
			met: allUp && ps <= 250 && rm >= 30,
		});
		const top = numberIn(cells(text, '`c32 top` CPU at')?.[2], /\*\*([\d.]+)%/);
		const frameOk = frames !== null && frames.frame <= 16 && frames.key <= 16;
		rows.push({
			what: `\`c32 top\` with 1000 containers (CPU: network ${network}, bench/scale.ts; frames: the engine double, 160×45)`,
			measured: `CPU **${Number.isNaN(top) ? '?' : `${top}%`}**; ${frames ? frames.line : 'frames not measured'}`,
			target: '≤ 5% of a core, frames ≤ 16 ms, keys answer within one frame',
			met: !Number.isNaN(top) && top <= 5 && frameOk,
		});
	}
}

function render(conditions: string, rows: Row[]): string {
	const met = (m: boolean | null) => (m === null ? '—' : m ? 'met' : '**not met**');
	return [
		HEADING,
		'',
		`${conditions}. Measured here: the rows without a source named, medians of ${RUNS} runs after a warm-up, the sides taking turns, min–max in brackets; ` +
			'every command is a whole process as a shell pays it. `run -d`/`stop`: the same busybox image in c32 and in podman (runc, a storage of its own), ' +
			"each on its default bridge network, a worker that exits on SIGTERM, each container removed after its stop (untimed). Memory: RSS of the containers' monitors " +
			"(their first process's parent) per container, PSS beside it. The other rows are read from the sections of this file that name them.",
		'',
		'| what | measured | target | met |',
		'|---|---|---|---|',
		...rows.map((r) => `| ${r.what} | ${r.measured} | ${r.target} | ${met(r.met)} |`),
		'',
	].join('\n');
}

async function main(): Promise<void> {
	const conditions = measuredOn();
	const rows: Row[] = [];
	const step = async (name: string, fn: () => Promise<void>) => {
		console.error(`-- ${name}`);
		await fn().catch((error: Error) => {
			console.error(`${name}: ${error.message}`);
			rows.push({what: name, measured: `failed: ${error.message.split('\n')[0]}`, target: '', met: null});
		});
	};
	await step('startup', () => startup(rows));
	const c32 = new ScratchC32('c32-targets-');
	let problems: string[] = [];
	try {
		await step('`c32 ps` with 10 containers', () => psTen(c32, rows));
		await step('run -d and stop', () => runAndStop(c32, rows));
		await step('memory per container', () => memoryPerLevel(c32, rows));
		await step('`c32 top` with 50 containers', () => topAtFifty(c32, rows));
	} finally {
		problems = await c32.dispose();
		for (const problem of problems) console.error(`clean-up: ${problem}`);
	}
	if (problems.length > 0) process.exitCode = 1;
	fromCliCommands(rows);
	const frames = await framesAtThousand().catch((error: Error) => {
		console.error(`top-render: ${error.message}`);
		return null;
	});
	fromScale(rows, frames);
	const report = render(conditions, rows);
	process.stdout.write(report);
	if (!process.argv.includes('--no-write')) writeResultsSection(HEADING, report);
}

await main();
