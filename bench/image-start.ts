// Starting a container from a cached OCI image: beside a host-path container in the engine
// (the overlay of the image's layers is the difference; issue 10 wants it within 15 ms), and
// `c32 run -d IMAGE` beside `podman run -d IMAGE` of the same image (a busybox-static root
// imported into both). Medians over repeated runs, the sides taking turns. Run as root:
//   node dist/bench/image-start.js [--runs N] [--no-write]
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import {type ContainerConfig, getEngine} from '../engine/index.js';
import {busyboxTar, findPodman, PODMAN_RUN_FLAGS, tempDir} from './podman-side.js';
import {measuredOn, median, writeResultsSection} from './results.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../bundle/c32.cjs', import.meta.url));
const HEADING = '## OCI images: starting a container from a cached image (bench/image-start.ts)';
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 15;
const WORKER = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'];
const IMAGE = 'bench-busybox:1';

async function timed(fn: () => Promise<unknown>): Promise<number> {
	const started = process.hrtime.bigint();
	await fn();
	return Number(process.hrtime.bigint() - started) / 1e6;
}

/** Engine create+start of `config`, then stop and remove (untimed); medians of the start. */
async function engineStarts(engine: ReturnType<typeof getEngine>, configs: ContainerConfig[]): Promise<number[]> {
	const times = configs.map((): number[] => []);
	for (const config of configs) await startOnce(engine, config); // warm-up: the first start unpacks the layer
	for (let i = 0; i < RUNS; i++) {
		for (const [index, config] of configs.entries()) times[index]!.push(await startOnce(engine, config));
	}
	return times.map(median);
}

async function startOnce(engine: ReturnType<typeof getEngine>, config: ContainerConfig): Promise<number> {
	let id = '';
	const ms = await timed(async () => {
		id = (await engine.createContainer(config)).id;
		await engine.startContainer(id);
	});
	await engine.removeContainer(id, {force: true});
	return ms;
}

interface CliSide {
	run(): Promise<string>;
	remove(id: string): Promise<void>;
}

async function cliStarts(sides: CliSide[]): Promise<number[]> {
	const times = sides.map((): number[] => []);
	const once = async (side: CliSide) => {
		let id = '';
		const ms = await timed(async () => {
			id = (await side.run()).trim();
		});
		await side.remove(id);
		return ms;
	};
	for (const side of sides) await once(side);
	for (let i = 0; i < RUNS; i++) {
		for (const [index, side] of sides.entries()) times[index]!.push(await once(side));
	}
	return times.map(median);
}

async function main(): Promise<void> {
	const work = tempDir('c32-image-bench-');
	const storageDir = path.join(work, 'c32');
	const engine = getEngine({storageDir});
	const podmanBinary = findPodman();
	const podmanGlobal = ['--runtime', 'runc', '--root', path.join(work, 'podman'), '--runroot', path.join(work, 'podman-run')];
	const podman = (...args: string[]) => exec(podmanBinary!, [...podmanGlobal, ...args]);
	try {
		const tar = await busyboxTar(work);
		await engine.importImage(tar, IMAGE);
		const [hostPath, image] = await engineStarts(engine, [
			{entrypoint: WORKER[0], args: WORKER.slice(1)},
			{image: IMAGE, entrypoint: WORKER[0], args: WORKER.slice(1)},
		]);
		const env = {...process.env, C32_STORAGE_DIR: storageDir};
		const c32Cli: CliSide = {
			run: async () => (await exec(process.execPath, [CLI, 'run', '-d', IMAGE, '--', ...WORKER], {env})).stdout,
			remove: async (id) => void (await engine.removeContainer(id, {force: true})),
		};
		let cli: number[] = await cliStarts([c32Cli]);
		if (podmanBinary) {
			await podman('import', tar, `localhost/${IMAGE}`);
			cli = await cliStarts([
				c32Cli,
				{
					run: async () => (await podman('run', '-d', ...PODMAN_RUN_FLAGS, `localhost/${IMAGE}`, ...WORKER)).stdout,
					remove: async (id) => void (await podman('rm', '-f', '-t', '0', id)),
				},
			]);
		}
		const report = render(hostPath!, image!, cli[0]!, cli[1] ?? null);
		process.stdout.write(report);
		if (!process.argv.includes('--no-write')) writeResultsSection(HEADING, report);
	} finally {
		for (const container of await engine.listContainers()) await engine.removeContainer(container.id, {force: true});
		if (podmanBinary) await podman('system', 'reset', '-f').catch(() => undefined);
		fs.rmSync(work, {recursive: true, force: true});
	}
}

function render(hostPath: number, image: number, c32Run: number, podmanRun: number | null): string {
	const ms = (value: number) => value.toFixed(1);
	return [
		HEADING,
		'',
		`${measuredOn()}. Median of ${RUNS} runs after a warm-up (which unpacks the layer), the sides taking turns; ` +
			'standard isolation, a busybox-static root of one layer imported into c32 (and podman), the container removed after each run (untimed).',
		'',
		'| what | ms |',
		'| --- | --- |',
		`| engine create + start, host-path root | ${ms(hostPath)} |`,
		`| engine create + start, cached OCI image | ${ms(image)} |`,
		`| difference (the image's overlay) | ${ms(image - hostPath)} |`,
		`| \`c32 run -d IMAGE\` (whole CLI process) | ${ms(c32Run)} |`,
		`| \`podman run -d IMAGE\` | ${podmanRun === null ? '— (podman not installed)' : ms(podmanRun)} |`,
		...(podmanRun === null ? [] : [`| podman / c32 | ${(podmanRun / c32Run).toFixed(2)}× |`]),
		'',
	].join('\n');
}

await main();
