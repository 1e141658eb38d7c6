// What a private network costs `c32 run -d` and `c32 stop`, beside podman's default bridge
// network on the same machine. Wall time of the whole command (Node start-up included), median
// of repeated runs, the variants taking turns so a burst of load falls on all alike:
//   c32 --network host    no network set-up: the floor
//   c32 --network c32     the default of standard isolation: netns, veth, bridge, NAT (CNI)
//   podman --network none and bridge (its default), runc, against a busybox rootfs, with a
//   storage and network config of its own
// Run as root after `npm run build`:
//   node dist/bench/network.js [--runs N] [--no-write]
// Results are printed and written to their section of bench/RESULTS.md.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {busyboxRootfs, findPodman, PODMAN_RUN_FLAGS, PodmanScratch, tempDir} from './podman-side.js';
import {measuredOn, median, writeResultsSection} from './results.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../bundle/c32.cjs', import.meta.url));
const HEADING = '## Networks: what a private network costs run -d and stop (bench/network.ts)';

const argValue = (flag: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] : undefined);
const RUNS = Number(argValue('--runs')) || 15;
const WORKER = ['sleep', '86400'];

interface Variant {
	name: string;
	/** The argv of `run -d` (prints the id) and of `stop` and `rm -f` of an id. */
	run: string[];
	stop(id: string): string[];
	remove(id: string): string[];
	file: string;
	env?: NodeJS.ProcessEnv;
}

interface Measured {
	name: string;
	runMs: number;
	stopMs: number;
}

async function timed(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ms: number; stdout: string}> {
	const started = process.hrtime.bigint();
	const {stdout} = await exec(file, args, {env: env ?? process.env, maxBuffer: 16 * 1024 * 1024});
	return {ms: Number(process.hrtime.bigint() - started) / 1e6, stdout};
}

/** One run -d and one stop, timed; the removal after them is not. */
async function cycle(variant: Variant): Promise<{runMs: number; stopMs: number}> {
	const run = await timed(variant.file, variant.run, variant.env);
	const id = run.stdout.trim().split('\n').pop()!;
	const stop = await timed(variant.file, variant.stop(id), variant.env);
	await exec(variant.file, variant.remove(id), {env: variant.env ?? process.env});
	return {runMs: run.ms, stopMs: stop.ms};
}

async function measure(variants: Variant[]): Promise<Measured[]> {
	for (const variant of variants) await cycle(variant); // warm-up: caches, the default network's bridge
	const times = variants.map(() => ({run: [] as number[], stop: [] as number[]}));
	for (let i = 0; i < RUNS; i++) {
		for (const [index, variant] of variants.entries()) {
			const {runMs, stopMs} = await cycle(variant);
			times[index]!.run.push(runMs);
			times[index]!.stop.push(stopMs);
			console.error(`${variant.name}: run -d ${runMs.toFixed(0)} ms, stop ${stopMs.toFixed(0)} ms`);
		}
	}
	return variants.map((variant, index) => ({name: variant.name, runMs: median(times[index]!.run), stopMs: median(times[index]!.stop)}));
}

class C32Side {
	readonly dir = tempDir('c32-net-bench-');
	readonly env = {...process.env, C32_STORAGE_DIR: this.dir};

	variant(network: string): Variant {
		return {
			name: `c32 --network ${network}`,
			file: process.execPath,
			env: this.env,
			run: [CLI, 'run', '-d', '--network', network, '--', ...WORKER],
			// sleep as PID 1 ignores SIGTERM: both engines are told to kill at once.
			stop: (id) => [CLI, 'stop', '-t', '0', id],
			remove: (id) => [CLI, 'rm', '-f', id],
		};
	}

	async dispose(): Promise<void> {
		const c32 = (...args: string[]) => exec(process.execPath, [CLI, ...args], {env: this.env});
		const ids = (await c32('ps', '-aq', '--no-trunc')).stdout.split('\n').filter(Boolean);
		if (ids.length > 0) await c32('rm', '-f', ...ids);
		// The default network goes with its storage root: its bridge and NAT rules too.
		const networks = (await c32('network', 'ls', '-q').catch(() => ({stdout: ''}))).stdout.split('\n').filter(Boolean);
		for (const network of networks) await c32('network', 'rm', network).catch(() => undefined);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

/** podman on a scratch storage of its own (bench/podman-side.ts), as each variant runs it. */
class PodmanSide extends PodmanScratch {
	readonly rootfs = busyboxRootfs(this.dir);

	variant(network: string): Variant {
		return {
			name: `podman --network ${network}`,
			file: this.binary,
			run: [...this.global, 'run', '-d', ...PODMAN_RUN_FLAGS, '--network', network, '--rootfs', this.rootfs, ...WORKER],
			stop: (id) => [...this.global, 'stop', '-t', '0', id],
			remove: (id) => [...this.global, 'rm', '-f', '-t', '0', id],
		};
	}
}

function renderReport(rows: Measured[]): string {
	const find = (name: string) => rows.find((row) => row.name === name);
	const mine = find('c32 --network c32');
	const host = find('c32 --network host');
	const theirs = find('podman --network bridge');
	const lines = [
		HEADING,
		'',
		`Measured ${measuredOn()}.`,
		'',
		`Wall time of each command as a shell pays it (Node start-up included), median of ${RUNS} runs after one warm-up, ` +
			'the variants taking turns. Each run is `run -d` of `sleep 86400`, then `stop -t 0` (sleep as PID 1 ignores ' +
			"SIGTERM), then an untimed `rm -f`. c32's `c32` network is its default bridge (netns, veth, host-local lease, " +
			"NAT, the firewall plugin); podman's `bridge` is its default network (netavark), with runc, a busybox rootfs and a storage of its own.",
		'',
		'| variant | run -d ms | stop ms |',
		'|---|---:|---:|',
		...rows.map((row) => `| ${row.name} | ${row.runMs.toFixed(1)} | ${row.stopMs.toFixed(1)} |`),
		'',
	];
	if (mine && host) {
		lines.push(
			`The private network costs c32 ${(mine.runMs - host.runMs).toFixed(1)} ms on \`run -d\` and ${(mine.stopMs - host.stopMs).toFixed(1)} ms on \`stop\` over the host's network.`,
		);
	}
	if (mine && theirs) {
		lines.push(
			`podman / c32 with each one's default bridge: ${(theirs.runMs / mine.runMs).toFixed(2)}× on \`run -d\`, ${(theirs.stopMs / mine.stopMs).toFixed(2)}× on \`stop\` (above 1: c32 is faster).`,
		);
	}
	return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
	const podmanBinary = findPodman();
	const c32 = new C32Side();
	const podman = podmanBinary ? new PodmanSide(podmanBinary) : null;
	let rows: Measured[] = [];
	const failures: unknown[] = [];
	try {
		const variants = [c32.variant('host'), c32.variant('c32')];
		if (podman) variants.push(podman.variant('none'), podman.variant('bridge'));
		rows = await measure(variants);
	} finally {
		const results = await Promise.allSettled([c32.dispose(), podman?.dispose()]);
		for (const result of results) if (result.status === 'rejected') failures.push(result.reason);
	}
	for (const failure of failures) console.error(`clean-up: ${String(failure)}`);
	if (failures.length > 0) process.exitCode = 1;
	const report = renderReport(rows);
	process.stdout.write(report);
	if (!process.argv.includes('--no-write')) writeResultsSection(HEADING, report);
}

await main();
