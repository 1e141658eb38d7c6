// CPU use of `c32 top` with 50 running containers at the default 1 s interval, measured from
// /proc while the dashboard runs in a real terminal (tmux). Three runs:
//   real    the built CLI against 50 real containers (needs root, runc and conmon): the
//           dashboard plus the engine work it triggers (listing, one metrics batch, host stats)
//   double  the dashboard against the engine double: the dashboard's own cost
//   flood   the double, with the selected container printing 5000 log lines a second
//   node dist/bench/top-cpu.js [--containers 50] [--windows 6] [--seconds 10] [--only real|double|flood]
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {getEngine} from '../engine/index.js';
import {machine, median, quote, recordResults, sampleCpu, Tmux} from './top-lib.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/bundle/cli.js');
const DEMO = path.join(ROOT, 'dist/bench/top-demo.js');
const TARGET = 3;

interface Result {
	name: string;
	samples: number[];
	note: string;
}

function configWith(prefs: object): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'c32-bench-config-'));
	writeFileSync(path.join(dir, 'top.json'), JSON.stringify(prefs));
	return dir;
}

async function measure(
	command: string,
	env: NodeJS.ProcessEnv,
	ready: (screen: string) => boolean,
	windows: number,
	seconds: number,
): Promise<number[]> {
	const tmux = new Tmux();
	try {
		const pid = tmux.start(command, env);
		await tmux.waitFor(ready, 'the dashboard');
		// Let start-up work (first inspects, history, the log tail) settle before measuring.
		await new Promise((resolve) => setTimeout(resolve, 5000));
		return await sampleCpu(pid, windows, seconds);
	} finally {
		tmux.kill();
	}
}

async function real(count: number, windows: number, seconds: number): Promise<Result | string> {
	if (process.getuid?.() !== 0) return 'skipped: needs root';
	const storageDir = mkdtempSync(path.join(os.tmpdir(), 'c32-bench-top-'));
	const engine = getEngine({storageDir});
	const problems = (await engine.doctor()).problems;
	if (problems.length > 0) {
		rmSync(storageDir, {recursive: true, force: true});
		return `skipped: ${problems.join('; ')}`;
	}
	const config = configWith({sortColumn: 'name', sortDescending: false});
	try {
		for (let i = 0; i < count; i += 5) {
			await Promise.all(
				Array.from({length: Math.min(5, count - i)}, async (_, j) => {
					const created = await engine.createContainer({
						name: `bench-${String(i + j).padStart(2, '0')}`,
						entrypoint: 'sleep',
						args: ['3600'],
					});
					await engine.startContainer(created.id);
				}),
			);
		}
		const env = {...process.env, C32_STORAGE_DIR: storageDir, C32_CONFIG_DIR: config};
		const samples = await measure(
			`${quote(process.execPath)} ${quote(CLI)} top`,
			env,
			(screen) => screen.includes(`${count} containers: ${count} running`),
			windows,
			seconds,
		);
		return {
			name: `real: \`c32 top\`, ${count} running containers`,
			samples,
			note: 'dashboard + the engine calls of each tick, in one process',
		};
	} finally {
		const containers = await engine.listContainers();
		await Promise.all(containers.map((container) => engine.removeContainer(container.id, {force: true}).catch(() => {})));
		rmSync(storageDir, {recursive: true, force: true});
		rmSync(config, {recursive: true, force: true});
	}
}

async function double(count: number, logRate: number, windows: number, seconds: number): Promise<Result> {
	const config = configWith({sortColumn: 'name', sortDescending: false, intervalMs: 1000});
	try {
		const env = {...process.env, C32_CONFIG_DIR: config};
		const command = `${quote(process.execPath)} ${quote(DEMO)} --containers ${count} --log-rate ${logRate}`;
		const samples = await measure(command, env, (screen) => screen.includes(`${count} containers:`), windows, seconds);
		return logRate > 0
			? {
					name: `flood: engine double, ${count} containers, selected one logs ${logRate} lines/s`,
					samples,
					note: 'dashboard only, log pane following',
				}
			: {name: `double: engine double, ${count} containers`, samples, note: 'dashboard only (the double also random-walks metrics 4×/s)'};
	} finally {
		rmSync(config, {recursive: true, force: true});
	}
}

async function main(): Promise<void> {
	const {values} = parseArgs({
		options: {
			containers: {type: 'string', default: '50'},
			windows: {type: 'string', default: '6'},
			seconds: {type: 'string', default: '10'},
			only: {type: 'string'},
		},
	});
	const count = Number(values.containers);
	const windows = Number(values.windows);
	const seconds = Number(values.seconds);
	const started = machine();
	mkdirSync(path.join(ROOT, 'bench'), {recursive: true});
	const results: (Result | string)[] = [];
	const wanted = (name: string) => !values.only || values.only === name;
	if (wanted('real')) results.push(await real(count, windows, seconds));
	if (wanted('double')) results.push(await double(count, 0, windows, seconds));
	if (wanted('flood')) results.push(await double(count, 5000, windows, seconds));

	const lines = [
		`### CPU use at the default 1 s interval (target < ${TARGET}% of one core)`,
		'',
		`${started}. The dashboard runs in tmux (120×40); CPU time (user + system) of its process is read from /proc over ${windows} windows of ${seconds} s after a 5 s warm-up; 100% = one core.`,
		'',
		'| run | median | min | max | what it includes |',
		'|---|---|---|---|---|',
	];
	for (const result of results) {
		if (typeof result === 'string') {
			lines.push(`| real | ${result} | | | |`);
			continue;
		}
		const fmt = (value: number) => `${value.toFixed(2)}%`;
		lines.push(
			`| ${result.name} | **${fmt(median(result.samples))}** | ${fmt(Math.min(...result.samples))} | ${fmt(Math.max(...result.samples))} | ${result.note} |`,
		);
	}
	const markdown = lines.join('\n');
	console.log(markdown);
	recordResults('cpu', markdown, path.join(ROOT, 'bench/RESULTS.md'));
}

await main();
