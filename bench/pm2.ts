// c32 beside pm2 where they do the same job: start 100 `sleep 86400` workers one by one,
// list them, and what each keeps in memory beyond the worker itself. Three sides, taking
// turns on every step so a burst of load falls on all alike:
//   c32 minimal    `c32 run -d --isolation minimal -- sleep 86400` (the process driver)
//   c32 standard   `c32 run -d -- sleep 86400` (runc + conmon, the default network)
//   pm2            `pm2 start sleep --name wN -- 86400`, with a private PM2_HOME
// pm2 is not a dependency of c32: install it outside the repository,
//   npm install --prefix /var/tmp/pm2-bench pm2
// and this finds it there (or at --pm2 PATH); without it the pm2 column is skipped.
// Run as root after `npm run build`:
//   node dist/bench/pm2.js [--workers 100] [--runs 15] [--pm2 PATH] [--no-write]
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {promisify} from 'node:util';
import {ScratchC32} from './c32-scratch.js';
import {tempDir} from './podman-side.js';
import {type Memory, mb, memoryByCommand, memoryOf, processes, total} from './proc-memory.js';
import {measuredOn, median, writeResultsSection} from './results.js';

const exec = promisify(execFile);
const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const WORKERS = Number(argValue('--workers')) || 100;
const HEADING = `## pm2 beside c32: ${WORKERS} workers (bench/pm2.ts)`;
const RUNS = Number(argValue('--runs')) || 15;
const PM2 = argValue('--pm2') ?? '/var/tmp/pm2-bench/node_modules/.bin/pm2';

class Pm2Side {
	readonly home = tempDir('pm2-home-');
	readonly env = {...process.env, PM2_HOME: this.home};

	async cli(...args: string[]): Promise<string> {
		return (await exec(PM2, args, {env: this.env, maxBuffer: 256 * 1024 * 1024})).stdout;
	}

	async timed(...args: string[]): Promise<number> {
		const started = process.hrtime.bigint();
		await this.cli(...args);
		return Number(process.hrtime.bigint() - started) / 1e6;
	}

	/** pm2's own processes: the God daemon names PM2_HOME in its command line. */
	daemonMemory(): Memory & {count: number} {
		const pids = processes()
			.filter((p) => p.cmdline.includes(this.home))
			.map((p) => p.pid);
		const sum = pids.map(memoryOf).reduce((a, m) => ({rssKb: a.rssKb + m.rssKb, pssKb: a.pssKb + m.pssKb}), {rssKb: 0, pssKb: 0});
		return {...sum, count: pids.length};
	}

	async workerPids(): Promise<number[]> {
		const list = JSON.parse(await this.cli('jlist')) as {pid: number}[];
		return list.map((w) => w.pid).filter((pid) => pid > 0);
	}

	/** `pm2 kill`, then checks that no worker and no pm2 process is left (and ends them if so). */
	async dispose(): Promise<string[]> {
		const problems: string[] = [];
		const workers = await this.workerPids().catch(() => []);
		await this.cli('kill').catch((error: Error) => problems.push(`pm2 kill: ${error.message.split('\n')[0]}`));
		const alive = () =>
			[
				...workers,
				...processes()
					.filter((p) => p.cmdline.includes(this.home))
					.map((p) => p.pid),
			].filter((pid) => fs.existsSync(`/proc/${pid}`));
		// The daemon may still be on its way out when `pm2 kill` returns.
		for (let i = 0; i < 30 && alive().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
		const left = alive();
		if (left.length > 0) {
			const names = left.map(
				(pid) =>
					processes()
						.find((p) => p.pid === pid)
						?.cmdline.slice(0, 80) ?? String(pid),
			);
			problems.push(`pm2 left ${left.length} processes (killed): ${names.join('; ')}`);
		}
		for (const pid of left) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone already
			}
		}
		fs.rmSync(this.home, {recursive: true, force: true});
		return problems;
	}
}

interface Side {
	name: string;
	start(i: number): Promise<number>;
	/** Per-worker memory beyond the worker itself, in kB. */
	overhead(): Promise<Memory>;
}

function c32Side(name: string, c32: ScratchC32, extra: string[]): Side {
	return {
		name,
		start: async () => (await c32.timed('run', '-d', ...extra, '--', 'sleep', '86400')).ms,
		overhead: async () => {
			const pids = await c32.containerPids();
			const all = processes();
			return total(memoryByCommand(all, c32.monitorPids(all, pids)));
		},
	};
}

const fmt = (v: number[]) => `${median(v).toFixed(1)} (${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)})`;
const perWorker = (kb: number) => `${(mb(kb) / WORKERS).toFixed(2)}`;

async function main(): Promise<void> {
	const conditions = measuredOn();
	const havePm2 = fs.existsSync(PM2);
	if (!havePm2) console.error(`pm2 not found at ${PM2}: the pm2 column is skipped (npm install --prefix /var/tmp/pm2-bench pm2)`);
	const minimal = new ScratchC32('c32-pm2-bench-min-');
	const standard = new ScratchC32('c32-pm2-bench-std-');
	const pm2 = havePm2 ? new Pm2Side() : null;
	const sides: Side[] = [c32Side('c32 minimal', minimal, ['--isolation', 'minimal']), c32Side('c32 standard', standard, [])];
	let daemonAtZero: Memory = {rssKb: 0, pssKb: 0};
	if (pm2) {
		await pm2.cli('ping'); // starts the God daemon: its cost before any worker
		daemonAtZero = pm2.daemonMemory();
		sides.push({
			name: 'pm2',
			start: (i) => pm2.timed('start', 'sleep', '--name', `w${i}`, '--', '86400'),
			overhead: async () => pm2.daemonMemory(),
		});
	}
	const starts = sides.map((): number[] => []);
	const totals = sides.map(() => 0);
	const lists: {name: string; run: () => Promise<number>}[] = [
		{name: '`c32 ps` (minimal store)', run: async () => (await minimal.timed('ps')).ms},
		{name: '`c32 ps` (standard store)', run: async () => (await standard.timed('ps')).ms},
		{name: '`c32 ps --json` (standard store)', run: async () => (await standard.timed('ps', '--json')).ms},
	];
	if (pm2) lists.push({name: '`pm2 ls`', run: () => pm2.timed('ls')}, {name: '`pm2 jlist`', run: () => pm2.timed('jlist')});
	const listTimes = lists.map((): number[] => []);
	const memory: Memory[] = [];
	const problems: string[] = [];
	try {
		for (let i = 0; i < WORKERS; i++) {
			for (const [index, side] of sides.entries()) {
				const ms = await side.start(i);
				starts[index]!.push(ms);
				totals[index]! += ms;
			}
			if ((i + 1) % 20 === 0)
				console.error(`${i + 1}/${WORKERS}: ${sides.map((s, k) => `${s.name} ${median(starts[k]!).toFixed(0)} ms`).join(', ')}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 2000));
		for (const side of sides) memory.push(await side.overhead());
		for (const list of lists) await list.run(); // warm-up
		for (let r = 0; r < RUNS; r++) for (const [index, list] of lists.entries()) listTimes[index]!.push(await list.run());
	} finally {
		for (const side of [minimal, standard]) problems.push(...(await side.dispose()));
		if (pm2) problems.push(...(await pm2.dispose()));
		for (const problem of problems) console.error(`clean-up: ${problem}`);
	}
	if (problems.length > 0) process.exitCode = 1;

	const pm2Index = sides.findIndex((s) => s.name === 'pm2');
	const lines = [
		HEADING,
		'',
		`${conditions}. ${WORKERS} workers running \`sleep 86400\`, started one by one, the sides taking turns on every start; ` +
			`each command is a whole CLI process as a shell pays it. Lists: median of ${RUNS} runs (min–max) after a warm-up, with all ${WORKERS} workers running, in turns. ` +
			'Memory beyond the worker: RSS and PSS of every process the manager keeps for the workers (c32: the monitors, one per container; pm2: its God daemon, one for all), divided by the number of workers.' +
			(pm2 ? '' : ` pm2 was not found at ${PM2}: its column is skipped.`),
		'',
		`| what | ${sides.map((s) => s.name).join(' | ')} |`,
		`|---|${sides.map(() => '---:').join('|')}|`,
		`| start one worker, ms: median (min–max) | ${starts.map(fmt).join(' | ')} |`,
		`| start all ${WORKERS}, s | ${totals.map((t) => (t / 1000).toFixed(1)).join(' | ')} |`,
		`| memory per worker beyond the worker, RSS MB | ${memory.map((m) => perWorker(m.rssKb)).join(' | ')} |`,
		`| memory per worker beyond the worker, PSS MB | ${memory.map((m) => perWorker(m.pssKb)).join(' | ')} |`,
		'',
		'| list all workers | ms: median (min–max) |',
		'|---|---:|',
		...lists.map((list, index) => `| ${list.name} | ${fmt(listTimes[index]!)} |`),
		'',
	];
	if (pm2Index >= 0) {
		const grown = memory[pm2Index]!.rssKb - daemonAtZero.rssKb;
		lines.push(
			`pm2's God daemon alone, before any worker: ${mb(daemonAtZero.rssKb).toFixed(1)} MB RSS; it grew by ${mb(grown).toFixed(1)} MB with ${WORKERS} workers ` +
				`(${(mb(grown) / WORKERS).toFixed(2)} MB each at the margin).`,
			'',
		);
	}
	if (problems.length > 0) lines.push(`Clean-up problems: ${problems.join('; ')}`, '');
	const report = `${lines.join('\n')}\n`;
	process.stdout.write(report);
	if (!process.argv.includes('--no-write')) writeResultsSection(HEADING, report);
}

await main();
