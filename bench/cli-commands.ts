// Wall time of the c32 binary, as a user or a script pays it: `c32 ps` with 1, 100 and 1000
// containers, `c32 run -d`, and bare start-up (`c32 --version`). Medians over repeated runs,
// side by side with podman (against a busybox rootfs: no image registry is reachable) when it
// is installed. Run as root after `npm run build`:
//   node dist/bench/cli-commands.js [--runs N] [--sizes 1,100,1000] [--no-write]
// Results are printed and written to bench/RESULTS.md between the cli-bench markers.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {getEngine} from '../engine/index.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../source/cli.js', import.meta.url));
const RESULTS = fileURLToPath(new URL('../../bench/RESULTS.md', import.meta.url));

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const RUNS = Number(argValue('--runs')) || 15;
const SIZES = (argValue('--sizes') ?? '1,100,1000').split(',').map(Number);
/** Beyond this many, the extra containers are created but not started (the host has 2 CPUs). */
const RUNNING_CAP = 100;
const WORKER = ['sleep', '86400'];

// As in bench/engine-lifecycle.ts: podman the way c32 runs here (runc; rlimits the host grants),
// with a storage of its own so the benchmark neither sees nor leaves other containers.
const PODMAN_RUN_FLAGS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median wall time in ms of `runs` runs of the command (after one unmeasured warm-up). */
async function wallTime(file: string, args: string[], env: NodeJS.ProcessEnv, runs = RUNS, after?: (stdout: string) => Promise<void>): Promise<number> {
	await exec(file, args, {env, maxBuffer: 64 * 1024 * 1024}).then((r) => after?.(r.stdout));
	const times: number[] = [];
	for (let i = 0; i < runs; i++) {
		const started = process.hrtime.bigint();
		const {stdout} = await exec(file, args, {env, maxBuffer: 64 * 1024 * 1024});
		times.push(Number(process.hrtime.bigint() - started) / 1e6);
		await after?.(stdout);
	}
	return median(times);
}

function tempDir(prefix: string): string {
	fs.mkdirSync('/var/tmp', {recursive: true});
	return fs.mkdtempSync(path.join('/var/tmp', prefix));
}

interface Measured {
	what: string;
	c32: number;
	podman: number | null;
}

class C32Side {
	readonly dir = tempDir('c32-cli-bench-');
	readonly env = {...process.env, C32_STORAGE_DIR: this.dir};
	readonly engine = getEngine({storageDir: this.dir});
	private count = 0;

	/** Grows the store to `total` containers, the first RUNNING_CAP of them running. */
	async grow(total: number): Promise<void> {
		for (; this.count < total; this.count++) {
			const created = await this.engine.createContainer({name: `bench-${this.count}`, args: WORKER});
			if (this.count < RUNNING_CAP) await this.engine.startContainer(created.id);
		}
	}

	c32(args: string[], runs?: number, after?: (stdout: string) => Promise<void>): Promise<number> {
		return wallTime(process.execPath, [CLI, ...args], this.env, runs, after);
	}

	async dispose(): Promise<void> {
		for (const container of await this.engine.listContainers()) await this.engine.removeContainer(container.id, {force: true});
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

class PodmanSide {
	readonly dir = tempDir('podman-cli-bench-');
	readonly rootfs = busyboxRootfs(this.dir);
	readonly global = ['--runtime', 'runc', '--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'runroot')];
	private count = 0;

	constructor(readonly binary: string) {}

	async grow(total: number): Promise<void> {
		for (; this.count < total; this.count++) {
			const verb = this.count < RUNNING_CAP ? ['run', '-d'] : ['create'];
			await exec(this.binary, [...this.global, ...verb, ...PODMAN_RUN_FLAGS, '--name', `bench-${this.count}`, '--rootfs', this.rootfs, ...WORKER]);
		}
	}

	podman(args: string[], runs?: number, after?: (stdout: string) => Promise<void>): Promise<number> {
		return wallTime(this.binary, [...this.global, ...args], process.env, runs, after);
	}

	async dispose(): Promise<void> {
		await exec(this.binary, [...this.global, 'rm', '-af', '-t', '0'], {maxBuffer: 64 * 1024 * 1024}).catch(() => undefined);
		await exec(this.binary, [...this.global, 'system', 'reset', '-f']).catch(() => undefined);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

function busyboxRootfs(dir: string): string {
	const rootfs = path.join(dir, 'rootfs');
	for (const sub of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp']) fs.mkdirSync(path.join(rootfs, sub), {recursive: true});
	fs.copyFileSync('/bin/busybox', path.join(rootfs, 'bin', 'busybox'));
	fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
	for (const applet of ['sh', 'sleep', 'true']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
	return rootfs;
}

function findPodman(): string | null {
	if (!fs.existsSync('/bin/busybox')) return null;
	return ['/usr/bin/podman', '/usr/local/bin/podman'].find((p) => fs.existsSync(p)) ?? null;
}

async function main(): Promise<void> {
	const podmanBinary = findPodman();
	const c32 = new C32Side();
	const podman = podmanBinary ? new PodmanSide(podmanBinary) : null;
	const rows: Measured[] = [];
	const both = async (what: string, mine: () => Promise<number>, theirs: (() => Promise<number>) | null) => {
		const row = {what, c32: await mine(), podman: theirs ? await theirs().catch(() => null) : null};
		console.error(`${what}: c32 ${row.c32.toFixed(1)} ms${row.podman === null ? '' : `, podman ${row.podman.toFixed(1)} ms`}`);
		rows.push(row);
	};
	try {
		await both('`--version` (start-up alone)', () => c32.c32(['--version']), podman && (() => podman.podman(['--version'])));
		for (const size of SIZES) {
			await c32.grow(size);
			await podman?.grow(size);
			const running = Math.min(size, RUNNING_CAP);
			const label = `${size} container${size === 1 ? '' : 's'}${running < size ? ` (${running} running)` : ''}`;
			await both(`\`ps\`, ${label}`, () => c32.c32(['ps']), podman && (() => podman.podman(['ps'])));
			await both(`\`ps -a\`, ${label}`, () => c32.c32(['ps', '-a']), podman && (() => podman.podman(['ps', '-a'])));
			await both(`\`ps -a --json\`, ${label}`, () => c32.c32(['ps', '-a', '--json']), podman && (() => podman.podman(['ps', '-a', '--format', 'json'])));
		}
		// run -d on an empty store; each new container is removed (untimed) before the next run.
		const fresh = new C32Side();
		const freshPodman = podmanBinary ? new PodmanSide(podmanBinary) : null;
		try {
			await both(
				'`run -d` (create + start, standard isolation)',
				() => fresh.c32(['run', '-d', '--', ...WORKER], RUNS, async (id) => fresh.engine.removeContainer(id.trim(), {force: true})),
				freshPodman &&
					(() =>
						freshPodman.podman(['run', '-d', ...PODMAN_RUN_FLAGS, '--rootfs', freshPodman.rootfs, ...WORKER], RUNS, async (id) => {
							await exec(freshPodman.binary, [...freshPodman.global, 'rm', '-f', '-t', '0', id.trim()]);
						})),
			);
		} finally {
			await fresh.dispose();
			await freshPodman?.dispose();
		}
	} finally {
		await c32.dispose();
		await podman?.dispose();
	}
	const report = renderReport(rows, podmanBinary !== null);
	process.stdout.write(report);
	if (!process.argv.includes('--no-write')) writeResults(report);
}

function renderReport(rows: Measured[], withPodman: boolean): string {
	const load = os.loadavg()[0]!.toFixed(2);
	const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
	const lines = [
		'## c32 CLI: wall time of commands (bench/cli-commands.ts)',
		'',
		`${new Date().toISOString().slice(0, 10)}, Linux ${os.release()}, ${os.cpus().length} CPUs (${cpu}), Node ${process.version}, load average ${load} at the end. ` +
			`Wall time of the whole process as a shell pays it (Node start-up included), median of ${RUNS} runs after one warm-up. ` +
			`Containers run \`${WORKER.join(' ')}\`; beyond ${RUNNING_CAP} they are created, not started. ` +
			(withPodman
				? 'podman runs the same command against a busybox rootfs, with runc and a storage of its own; ratio = podman / c32 (above 1: c32 is faster).'
				: 'podman is not installed on this host: c32 only.'),
		'',
		'| command | c32 ms | podman ms | podman / c32 |',
		'|---|---|---|---|',
		...rows.map((r) => `| ${r.what} | ${r.c32.toFixed(1)} | ${r.podman === null ? '—' : r.podman.toFixed(1)} | ${r.podman === null ? '—' : `${(r.podman / r.c32).toFixed(2)}×`} |`),
		'',
	];
	return `${lines.join('\n')}\n`;
}

const START = '<!-- cli-bench:start -->';
const END = '<!-- cli-bench:end -->';

/** Replaces this benchmark's block in bench/RESULTS.md (appends it the first time). */
function writeResults(report: string): void {
	const current = fs.existsSync(RESULTS) ? fs.readFileSync(RESULTS, 'utf8') : '# Benchmark results\n';
	const block = `${START}\n${report}${END}\n`;
	const start = current.indexOf(START);
	const end = current.indexOf(END);
	const next = start !== -1 && end > start ? current.slice(0, start) + block + current.slice(end + END.length + 1) : `${current.trimEnd()}\n\n${block}`;
	fs.writeFileSync(RESULTS, next);
}

await main();
