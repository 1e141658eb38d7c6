// Wall time of the c32 binary, as a user or a script pays it: `c32 ps` with 1, 100 and 1000
// containers, `c32 run -d`, `c32 exec`, and bare start-up (`c32 --version`). Medians over repeated runs,
// side by side with podman (against a busybox rootfs: no image registry is reachable) when it
// is installed. Run as root after `npm run build`:
//   node dist/bench/cli-commands.js [--runs N] [--sizes 1,100,1000] [--no-write]
// Results are printed and written to their section of bench/RESULTS.md.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {getEngine} from '../engine/index.js';
import {busyboxRootfs, findPodman, mountsUnder, PODMAN_RUN_FLAGS, tempDir} from './podman-side.js';
import {measuredOn, median, writeResultsSection} from './results.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../bundle/c32.cjs', import.meta.url));
const HEADING = '## c32 CLI: wall time of commands (bench/cli-commands.ts)';

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const RUNS = Number(argValue('--runs')) || 15;
const SIZES = (argValue('--sizes') ?? '1,100,1000').split(',').map(Number);
/** Beyond this many, the extra containers are created but not started (the host has 2 CPUs). */
const RUNNING_CAP = 100;
const WORKER = ['sleep', '86400'];

interface Command {
	file: string;
	args: string[];
	env?: NodeJS.ProcessEnv;
	/** Runs untimed after each run, with its stdout (e.g. to remove what it created). */
	after?: (stdout: string) => Promise<void>;
}

async function timeOnce(command: Command): Promise<number> {
	const started = process.hrtime.bigint();
	const {stdout} = await exec(command.file, command.args, {env: command.env ?? process.env, maxBuffer: 64 * 1024 * 1024});
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	await command.after?.(stdout);
	return ms;
}

/**
 * Median wall times in ms of each command over RUNS runs, after one unmeasured warm-up each.
 * The commands take turns, so a burst of load on the host falls on both sides alike.
 */
async function wallTimes(commands: Command[]): Promise<number[]> {
	for (const command of commands) await timeOnce(command);
	const times = commands.map((): number[] => []);
	for (let i = 0; i < RUNS; i++) {
		for (const [index, command] of commands.entries()) times[index]!.push(await timeOnce(command));
	}
	return times.map(median);
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
			// The network is not what this benchmark measures (bench/network.ts does): none on both sides.
			const created = await this.engine.createContainer({name: `bench-${this.count}`, args: WORKER, network: 'none'});
			if (this.count < RUNNING_CAP) await this.engine.startContainer(created.id);
		}
	}

	command(args: string[], after?: Command['after']): Command {
		return {file: process.execPath, args: [CLI, ...args], env: this.env, after};
	}

	async dispose(): Promise<void> {
		for (const container of await this.engine.listContainers()) await this.engine.removeContainer(container.id, {force: true});
		// `run -d` made the default network: its bridge and NAT rules go with the storage root.
		if (fs.existsSync(path.join(this.dir, 'networks.json'))) {
			for (const network of await this.engine.listNetworks()) await this.engine.removeNetwork(network.name);
		}
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

class PodmanSide {
	readonly dir = tempDir('podman-cli-bench-');
	readonly rootfs = busyboxRootfs(this.dir);
	readonly global = ['--runtime', 'runc', '--root', path.join(this.dir, 'root'), '--runroot', path.join(this.dir, 'runroot')];
	private count = 0;
	/** The network namespaces (/run/netns/netns-*) podman bound for this side's containers, released at dispose. */
	private readonly sandboxes = new Set<string>();

	constructor(readonly binary: string) {}

	async grow(total: number): Promise<void> {
		for (; this.count < total; this.count++) {
			const verb = this.count < RUNNING_CAP ? ['run', '-d'] : ['create'];
			await exec(this.binary, [
				...this.global,
				...verb,
				...PODMAN_RUN_FLAGS,
				'--network',
				'none',
				'--name',
				`bench-${this.count}`,
				'--rootfs',
				this.rootfs,
				...WORKER,
			]);
			if (verb[0] === 'run') await this.remember(`bench-${this.count}`);
		}
	}

	/** Notes the network namespace podman bound for a running container (even --network none has one), untimed. */
	async remember(container: string): Promise<void> {
		const {stdout} = await exec(this.binary, [...this.global, 'inspect', '--format', '{{.NetworkSettings.SandboxKey}}', container]);
		const key = stdout.trim();
		if (/^\/run\/netns\/netns-[0-9a-f-]+$/.test(key)) this.sandboxes.add(key);
	}

	command(args: string[], after?: Command['after']): Command {
		return {file: this.binary, args: [...this.global, ...args], after};
	}

	/**
	 * Stops and removes every container of this storage, in batches (one `rm -af` over a
	 * thousand containers has failed here), and fails loudly if a process is left.
	 */
	async dispose(): Promise<void> {
		const podman = (...args: string[]) => exec(this.binary, [...this.global, ...args], {maxBuffer: 64 * 1024 * 1024});
		const names = Array.from({length: this.count}, (_, i) => `bench-${i}`);
		for (let at = 0; at < names.length; at += 50) {
			const batch = names.slice(at, at + 50);
			await podman('rm', '-f', '-t', '0', ...batch).catch((error: Error) =>
				console.error(`podman rm: ${error.message.split('\n').slice(0, 3).join(' ')}`),
			);
		}
		await podman('rm', '-af', '-t', '0').catch((error: Error) =>
			console.error(`podman rm -af: ${error.message.split('\n').slice(0, 3).join(' ')}`),
		);
		const left = processesMentioning(this.dir);
		if (left.length > 0) {
			// podman's own removal failed (it has, over a thousand containers): end what it left.
			console.error(`podman left ${left.length} monitors of ${this.dir}; killing them and their containers`);
			killMonitorsAndChildren(left);
		}
		await podman('system', 'reset', '-f');
		// podman bind-mounts its overlay directory onto itself; reset can leave that behind.
		for (const mountPoint of mountsUnder(this.dir).reverse()) await exec('umount', [mountPoint]).catch(() => undefined);
		// A container whose monitor was killed above never had its network torn down: its namespace is
		// still bound (and, on podman's bridge, its veth on podman0 lives as long as the namespace).
		for (const netns of this.sandboxes) {
			if (!fs.existsSync(netns)) continue;
			await exec('umount', [netns]).catch(() => undefined);
			fs.rmSync(netns, {force: true});
		}
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

/** SIGKILLs conmon processes and their children (the containers), then their libpod cgroups. */
function killMonitorsAndChildren(monitors: number[]): void {
	const ids = monitors.map((pid) => {
		const args = readProc(pid, 'cmdline').split('\0');
		return args[args.indexOf('-c') + 1] ?? '';
	});
	const children = fs
		.readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.filter((pid) => monitors.includes(Number(readProc(Number(pid), 'stat').split(') ')[1]?.split(' ')[1])));
	for (const pid of [...children.map(Number), ...monitors]) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
	for (const controller of fs.readdirSync('/sys/fs/cgroup')) {
		for (const id of ids.filter(Boolean)) {
			try {
				fs.rmdirSync(path.join('/sys/fs/cgroup', controller, 'libpod_parent', `libpod-${id}`));
			} catch {
				// not in this hierarchy, or already removed
			}
		}
	}
}

function readProc(pid: number, file: string): string {
	try {
		return fs.readFileSync(`/proc/${pid}/${file}`, 'utf8');
	} catch {
		return '';
	}
}

/** Pids whose command line names `text` (conmon names its container's directory). */
function processesMentioning(text: string): number[] {
	return fs
		.readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.filter((pid) => {
			try {
				return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
			} catch {
				return false;
			}
		})
		.map(Number);
}

/** Disposes of every side even when one fails; returns the failures. */
async function disposeAll(sides: ({dispose(): Promise<void>} | null)[]): Promise<unknown[]> {
	const results = await Promise.allSettled(sides.map((side) => side?.dispose()));
	return results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
}

async function main(): Promise<void> {
	const podmanBinary = findPodman();
	const c32 = new C32Side();
	const podman = podmanBinary ? new PodmanSide(podmanBinary) : null;
	const rows: Measured[] = [];
	const cleanupErrors: unknown[] = [];
	const both = async (what: string, mine: Command, theirs: Command | null) => {
		const [c32Ms, podmanMs] = await wallTimes(theirs ? [mine, theirs] : [mine]);
		const row = {what, c32: c32Ms!, podman: podmanMs ?? null};
		console.error(`${what}: c32 ${row.c32.toFixed(1)} ms${row.podman === null ? '' : `, podman ${row.podman.toFixed(1)} ms`}`);
		rows.push(row);
	};
	try {
		await both('`node -e 0` (the floor of any Node CLI)', {file: process.execPath, args: ['-e', '0']}, null);
		await both('`--version` (start-up alone)', c32.command(['--version']), podman?.command(['--version']) ?? null);
		for (const size of SIZES) {
			await c32.grow(size);
			await podman?.grow(size);
			const running = Math.min(size, RUNNING_CAP);
			const label = `${size} container${size === 1 ? '' : 's'}${running < size ? ` (${running} running)` : ''}`;
			await both(`\`ps\`, ${label}`, c32.command(['ps']), podman?.command(['ps']) ?? null);
			await both(`\`ps -a\`, ${label}`, c32.command(['ps', '-a']), podman?.command(['ps', '-a']) ?? null);
			await both(
				`\`ps -a --json\`, ${label}`,
				c32.command(['ps', '-a', '--json']),
				podman?.command(['ps', '-a', '--format', 'json']) ?? null,
			);
			if (size === SIZES[0]) {
				await both(
					'`exec` of `true` in a running container',
					c32.command(['exec', 'bench-0', '--', 'true']),
					podman?.command(['exec', 'bench-0', 'true']) ?? null,
				);
			}
		}
		// run -d on an empty store; each new container is removed (untimed) before the next run.
		const fresh = new C32Side();
		const freshPodman = podmanBinary ? new PodmanSide(podmanBinary) : null;
		try {
			await both(
				'`run -d` (create + start, standard isolation)',
				fresh.command(['run', '-d', '--', ...WORKER], async (id) => fresh.engine.removeContainer(id.trim(), {force: true})),
				freshPodman?.command(['run', '-d', ...PODMAN_RUN_FLAGS, '--rootfs', freshPodman.rootfs, ...WORKER], async (id) => {
					await freshPodman.remember(id.trim());
					await exec(freshPodman.binary, [...freshPodman.global, 'rm', '-f', '-t', '0', id.trim()]);
				}) ?? null,
			);
		} finally {
			cleanupErrors.push(...(await disposeAll([fresh, freshPodman])));
		}
	} finally {
		cleanupErrors.push(...(await disposeAll([c32, podman])));
	}
	for (const error of cleanupErrors) console.error(`clean-up: ${String(error)}`);
	if (cleanupErrors.length > 0) process.exitCode = 1;
	const parts = await startupParts();
	const report = renderReport(rows, podmanBinary !== null, parts);
	process.stdout.write(report);
	if (!process.argv.includes('--no-write')) writeResultsSection(HEADING, report);
}

interface StartupParts {
	parserMs: number;
	engineMs: number;
	listMs: number;
}

/** Inside a fresh process: what loading the flag parser and the engine, and one listing, cost (medians). */
async function startupParts(): Promise<StartupParts> {
	const dir = tempDir('c32-cli-bench-parts-');
	const script = `
		const t0 = performance.now();
		await import(${JSON.stringify(new URL('../source/lib/args.js', import.meta.url).href)});
		const t1 = performance.now();
		const {getEngine} = await import(${JSON.stringify(new URL('../engine/index.js', import.meta.url).href)});
		const t2 = performance.now();
		await getEngine({storageDir: ${JSON.stringify(dir)}}).listContainers();
		console.log(JSON.stringify([t1 - t0, t2 - t1, performance.now() - t2]));`;
	const samples: number[][] = [];
	try {
		for (let i = 0; i < RUNS; i++) {
			const {stdout} = await exec(process.execPath, ['--input-type=module', '-e', script]);
			samples.push(JSON.parse(stdout) as number[]);
		}
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
	const column = (index: number) => median(samples.map((s) => s[index]!));
	return {parserMs: column(0), engineMs: column(1), listMs: column(2)};
}

function renderReport(rows: Measured[], withPodman: boolean, parts: StartupParts): string {
	const lines = [
		HEADING,
		'',
		`${measuredOn()}. ` +
			`Wall time of the whole process as a shell pays it (Node start-up included), median of ${RUNS} runs after one warm-up, c32 and podman taking turns. ` +
			`Containers run \`${WORKER.join(' ')}\`; beyond ${RUNNING_CAP} they are created, not started. ` +
			(withPodman
				? 'podman runs the same command against a busybox rootfs, with runc and a storage of its own; ratio = podman / c32 (above 1: c32 is faster).'
				: 'podman is not installed on this host: c32 only.') +
			' The containers `ps` and `exec` see run with `--network none` on both sides (bench/network.ts measures networks); ' +
			"`run -d` uses each engine's default bridge network.",
		'',
		'| command | c32 ms | podman ms | podman / c32 |',
		'|---|---|---|---|',
		...rows.map(
			(r) =>
				`| ${r.what} | ${r.c32.toFixed(1)} | ${r.podman === null ? '—' : r.podman.toFixed(1)} | ${r.podman === null ? '—' : `${(r.podman / r.c32).toFixed(2)}×`} |`,
		),
		'',
		`Where a one-shot command's time goes, measured inside a fresh process (medians of ${RUNS}): ` +
			`loading the flag parser ${parts.parserMs.toFixed(1)} ms, loading the engine ${parts.engineMs.toFixed(1)} ms, ` +
			`listing an empty store ${parts.listMs.toFixed(1)} ms; the rest is Node's own start-up (the \`node -e 0\` row) ` +
			'and, for `run -d`, the engine creating and starting the container (bench/engine-lifecycle.ts).',
		'',
	];
	return `${lines.join('\n')}\n`;
}

await main();
