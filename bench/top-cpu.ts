// CPU use of `c32 top` at the default 1 s interval, measured from /proc while the dashboard
// runs in a real terminal (tmux) of the given size. Three kinds of run:
//   real    the built CLI against real containers (the first count; needs root, runc and
//           conmon): the dashboard plus the engine work it triggers (listing, one metrics
//           batch, host stats)
//   double  the dashboard against the engine double, once per count: the dashboard's own cost
//   flood   the double (the first count), the selected container printing 5000 log lines a second
//   node dist/bench/top-cpu.js [--containers 50,1000] [--size 160x45] [--windows 6] [--seconds 10]
//        [--only real|double|flood] [--save FILE] [--before FILE]
// --save writes the medians to FILE; --before shows those of an earlier --save beside this run's.
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {getEngine} from '../engine/index.js';
import {machine, median, parseCounts, parseSize, quote, readMedians, recordResults, sampleCpu, saveMedians, Tmux} from './top-lib.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'dist/bundle/c32.cjs');
const DEMO = path.join(ROOT, 'dist/bench/top-demo.js');
const TARGET = 2;

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

interface Window {
	windows: number;
	seconds: number;
	columns: number;
	rows: number;
}

async function measure(command: string, env: NodeJS.ProcessEnv, ready: (screen: string) => boolean, w: Window): Promise<number[]> {
	const tmux = new Tmux();
	try {
		const pid = tmux.start(command, env, w.columns, w.rows);
		await tmux.waitFor(ready, 'the dashboard');
		// Let start-up work (first inspects, history, the log tail) settle before measuring.
		await new Promise((resolve) => setTimeout(resolve, 5000));
		return await sampleCpu(pid, w.windows, w.seconds);
	} finally {
		tmux.kill();
	}
}

async function real(count: number, w: Window): Promise<Result | string> {
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
			w,
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

async function double(count: number, logRate: number, w: Window): Promise<Result> {
	const config = configWith({sortColumn: 'name', sortDescending: false, intervalMs: 1000});
	try {
		const env = {...process.env, C32_CONFIG_DIR: config};
		const command = `${quote(process.execPath)} ${quote(DEMO)} --containers ${count} --log-rate ${logRate}`;
		const samples = await measure(command, env, (screen) => screen.includes(`${count} containers:`), w);
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
			containers: {type: 'string', default: '50,1000'},
			size: {type: 'string', default: '160x45'},
			windows: {type: 'string', default: '6'},
			seconds: {type: 'string', default: '10'},
			only: {type: 'string'},
			save: {type: 'string'},
			before: {type: 'string'},
		},
	});
	const counts = parseCounts(values.containers);
	const [columns, rows] = parseSize(values.size);
	const w: Window = {windows: Number(values.windows), seconds: Number(values.seconds), columns, rows};
	const before = readMedians(values.before);
	const started = machine();
	mkdirSync(path.join(ROOT, 'bench'), {recursive: true});
	const results: (Result | string)[] = [];
	const wanted = (name: string) => !values.only || values.only.split(',').includes(name);
	if (wanted('real')) results.push(await real(counts[0]!, w));
	if (wanted('double')) for (const count of counts) results.push(await double(count, 0, w));
	if (wanted('flood')) results.push(await double(counts[0]!, 5000, w));

	const fmt = (value: number) => `${value.toFixed(2)}%`;
	const withBefore = Object.keys(before).length > 0;
	const lines = [
		`### CPU use at the default 1 s interval (target ≤ ${TARGET}% of one core)`,
		'',
		`${started}. The dashboard runs in tmux (${columns}×${rows}); CPU time (user + system) of its process is read from /proc over ${w.windows} windows of ${w.seconds} s after a 5 s warm-up; 100% = one core.${withBefore ? ' "before" is the median of the same run before the change.' : ''}`,
		'',
		`| run |${withBefore ? ' before |' : ''} median | min | max | what it includes |`,
		`|---|${withBefore ? '---|' : ''}---|---|---|---|`,
	];
	const medians: Record<string, number> = {};
	for (const result of results) {
		if (typeof result === 'string') {
			lines.push(`| real |${withBefore ? ' |' : ''} ${result} | | | |`);
			continue;
		}
		medians[result.name] = median(result.samples);
		const was = before[result.name];
		lines.push(
			`| ${result.name} |${withBefore ? ` ${was === undefined ? '—' : fmt(was)} |` : ''} **${fmt(median(result.samples))}** | ${fmt(Math.min(...result.samples))} | ${fmt(Math.max(...result.samples))} | ${result.note} |`,
		);
	}
	saveMedians(values.save, medians);
	const markdown = lines.join('\n');
	console.log(markdown);
	recordResults('cpu', markdown, path.join(ROOT, 'bench/RESULTS.md'));
}

await main();
