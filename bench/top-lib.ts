// Shared by the dashboard benchmarks: tmux sessions, CPU time from /proc, medians, and the
// dashboard's section of bench/RESULTS.md.
import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import {median} from './results.js';

export {median};

export function percentile(values: readonly number[], p: number): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;

/** User + system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// Fields after the command name, which is in parentheses and may contain spaces.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU use of `pid` in percent of one core, over `windows` windows of `seconds` each. */
export async function sampleCpu(pid: number, windows: number, seconds: number): Promise<number[]> {
	const out: number[] = [];
	for (let i = 0; i < windows; i++) {
		const before = cpuSeconds(pid);
		const started = performance.now();
		await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
		const elapsed = (performance.now() - started) / 1000;
		out.push(((cpuSeconds(pid) - before) / elapsed) * 100);
	}
	return out;
}

export class Tmux {
	readonly socket = `c32-bench-${process.pid}`;

	constructor(readonly session = 'bench') {}

	run(...args: string[]): string {
		return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
	}

	/** Starts `command` in a detached terminal; `exec` makes the pane's pid the program's. */
	start(command: string, env: NodeJS.ProcessEnv, columns = 120, rows = 40): number {
		execFileSync(
			'tmux',
			[
				'-L',
				this.socket,
				'-f',
				'/dev/null',
				'new-session',
				'-d',
				'-s',
				this.session,
				'-x',
				String(columns),
				'-y',
				String(rows),
				`exec ${command}`,
			],
			{env},
		);
		return Number(this.run('display-message', '-p', '-t', this.session, '#{pane_pid}').trim());
	}

	screen(): string {
		return this.run('capture-pane', '-p', '-t', this.session);
	}

	keys(...keys: string[]): void {
		this.run('send-keys', '-t', this.session, ...keys);
	}

	async waitFor(check: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (!check(this.screen())) {
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${this.screen()}`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	}

	kill(): void {
		spawnSync('tmux', ['-L', this.socket, 'kill-server']);
	}
}

/**
 * CPU use (percent of one core) of a dashboard started as `command` in a detached terminal of
 * `columns`×`rows`, once `ready` matches its screen and start-up work has settled.
 */
export async function dashboardCpu(
	command: string,
	env: NodeJS.ProcessEnv,
	ready: (screen: string) => boolean,
	options: {windows: number; seconds: number; columns?: number; rows?: number; timeoutMs?: number},
): Promise<number[]> {
	const tmux = new Tmux();
	try {
		const pid = tmux.start(command, env, options.columns, options.rows);
		await tmux.waitFor(ready, 'the dashboard', options.timeoutMs);
		await new Promise((resolve) => setTimeout(resolve, 5000));
		return await sampleCpu(pid, options.windows, options.seconds);
	} finally {
		tmux.kill();
	}
}

export function quote(word: string): string {
	return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function machine(): string {
	const cpus = os.cpus();
	const load = os.loadavg()[0]!.toFixed(2);
	return `${new Date().toISOString().slice(0, 10)}, Linux ${os.release()}, ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), Node ${process.version}, load average ${load} at the start`;
}

const START = '<!-- top-bench:start -->';
const END = '<!-- top-bench:end -->';

/**
 * Writes one part of the dashboard's section of bench/RESULTS.md (`## c32 top`), keeping
 * the other part and everything outside the section as they are.
 */
export function recordResults(part: 'cpu' | 'render', markdown: string, file = 'bench/RESULTS.md'): void {
	const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n';
	const begin = text.indexOf(START);
	const end = begin >= 0 ? text.indexOf(END, begin) : -1;
	const parts: Record<string, string> = {cpu: '', render: ''};
	if (begin >= 0 && end > begin) {
		const inside = text.slice(begin + START.length, end);
		for (const name of ['cpu', 'render']) {
			const match = new RegExp(`<!-- top-bench:${name} -->\\n([\\s\\S]*?)<!-- /top-bench:${name} -->`).exec(inside);
			if (match) parts[name] = match[1]!;
		}
	}
	parts[part] = markdown.endsWith('\n') ? markdown : `${markdown}\n`;
	const section = [
		START,
		'## c32 top: the dashboard (bench/top-cpu.ts, bench/top-render.ts)',
		'',
		...['cpu', 'render']
			.filter((name) => parts[name])
			.map((name) => `<!-- top-bench:${name} -->\n${parts[name]}<!-- /top-bench:${name} -->\n`),
		END,
	].join('\n');
	const next =
		begin >= 0 && end > begin ? text.slice(0, begin) + section + text.slice(end + END.length) : `${text.trimEnd()}\n\n${section}\n`;
	writeFileSync(file, next);
}

/** "160x45" (or 160×45) → [160, 45]. */
export function parseSize(text: string): [number, number] {
	const match = /^(\d+)[x×](\d+)$/.exec(text.trim());
	if (!match) throw new Error(`a terminal size is COLUMNSxROWS, such as 160x45, not ${text}`);
	return [Number(match[1]), Number(match[2])];
}

/** "50,1000" → [50, 1000]. */
export function parseCounts(text: string): number[] {
	const counts = text.split(',').map((part) => Number(part.trim()));
	if (counts.some((count) => !Number.isInteger(count) || count <= 0))
		throw new Error(`container counts are whole numbers, such as 50,1000, not ${text}`);
	return counts;
}

/**
 * Medians by row name, kept between runs: `--save FILE` writes this run's, `--before FILE`
 * shows an earlier run's beside them (before → after a change).
 */
export type Medians = Record<string, number>;

export function readMedians(file: string | undefined): Medians {
	return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Medians) : {};
}

export function saveMedians(file: string | undefined, medians: Medians): void {
	if (file) writeFileSync(file, `${JSON.stringify(medians, null, '\t')}\n`);
}
