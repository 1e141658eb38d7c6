// A fake driver and fake host services, so the lifecycle runs in plain unit tests as any
// user: a container is its real command run as a host process in its own process group,
// and its "monitor" is a tiny separate process (sleep) whose pid is the monitorPid. When the
// container ends and its monitor lives, the fake does what conmon does (engine/drivers/
// driver.ts): it writes the exit file (code, or 128 + signal), an oom file when the test
// asked for one, runs the exit command (engine.handleExit, in this process), then ends the
// monitor. When the monitor was killed it writes nothing, as a dead conmon would not; while
// it is stopped (SIGSTOP) it waits.
//
// Imported by test/unit/lifecycle-*.test.ts; it defines no tests and has no side effects
// when imported (`node --test dist/test/` also loads it as a file of its own).
import {type ChildProcess, spawn} from 'node:child_process';
import fs from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {HostStats} from '../../engine/api.js';
import type {Driver, DriverContext, ExecIO, ExecProcess, StartResult} from '../../engine/drivers/driver.js';
import {ContainerEngine} from '../../engine/engine.js';
import {C32Error} from '../../engine/errors.js';
import {processStartTime, statFields} from '../../engine/host-facts.js';
import type {Attachment} from '../../engine/lifecycle/attachments.js';
import type {StorageLayout} from '../../engine/paths.js';
import type {ContainerRecord, ProcessRef} from '../../engine/record.js';
import type {EngineServices} from '../../engine/services.js';
import {type LockOptions, Store} from '../../engine/store.js';
import type {ContainerConfig, ContainerMetadata, ContainerMetrics, DoctorReport} from '../../engine/types.js';
import {isAlive, makeTempDir} from './engine.js';
import {MemoryImages} from './images.js';
import {K8sLogWriter} from './k8s-log-writer.js';

/** One run of a container under the fake driver. */
export interface FakeRun {
	readonly id: string;
	readonly child: ChildProcess;
	readonly monitor: ChildProcess;
	readonly pid: number;
	readonly monitorPid: number;
	/** Date.now() when the run began. */
	readonly startedAt: number;
	monitorAlive: boolean;
	/** Set once the container's process has exited. */
	exited: boolean;
	/** Resolves once the fake has done everything it does when this run ends. */
	readonly done: Promise<void>;
}

const short = (id: string) => id.slice(0, 12);

export class FakeDriver implements Driver {
	readonly name = 'fake';
	/** The latest run of each container. */
	readonly runs = new Map<string, FakeRun>();
	/** Every run ever started, for counting and for the final clean-up. */
	readonly allRuns: FakeRun[] = [];
	/** Containers whose next end writes an oom file (as the OOM killer's would). */
	readonly oomOnNextExit = new Set<string>();
	/** Containers whose exit command dies before it does anything (conmon runs it; it is SIGKILLed at once). */
	readonly exitCommandKilled = new Set<string>();
	/** Errors the exit command (engine.handleExit) ended with. A healthy lifecycle leaves this empty. */
	readonly exitCommandErrors: unknown[] = [];
	private readonly cleanups = new Map<string, number>();
	private readonly inFlight = new Set<Promise<unknown>>();

	constructor(
		private readonly events: EventLog,
		private readonly engine: () => ContainerEngine,
	) {}

	/** How many times a container was started. */
	startsOf(id: string): number {
		return this.runsOf(id).length;
	}

	runsOf(id: string): FakeRun[] {
		return this.allRuns.filter((run) => run.id === id);
	}

	cleanupsOf(id: string): number {
		return this.cleanups.get(id) ?? 0;
	}

	run(id: string): FakeRun {
		const run = this.runs.get(id);
		if (!run) throw new Error(`the fake driver never started ${short(id)}`);
		return run;
	}

	async start(ctx: DriverContext, _exitCommand: string[], created?: () => Promise<void>): Promise<StartResult> {
		this.events.add(ctx.id, 'start');
		const env = {PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...ctx.config.environment};
		const program = findProgram(ctx.config.entrypoint, env.PATH);
		if (program === null) throw new C32Error('START_FAILED', `exec: "${ctx.config.entrypoint}": executable file not found in $PATH`);
		const monitor = spawn('sleep', ['100000'], {detached: true, stdio: 'ignore'});
		await spawned(monitor);
		// As the real drivers: between the monitor's start and the process's (attachments' ready, an attach client).
		try {
			await created?.();
		} catch (error) {
			await endProcess(monitor);
			throw error;
		}
		const child = spawn(program, ctx.config.args, {cwd: ctx.paths.root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
		try {
			await spawned(child);
		} catch (error) {
			await endProcess(monitor);
			// What runc says, so the engine maps it to docker's exit codes (127, 126).
			const code = (error as NodeJS.ErrnoException).code;
			const reason = code === 'ENOENT' ? 'executable file not found in $PATH' : code === 'EACCES' ? 'permission denied' : String(error);
			throw new C32Error('START_FAILED', `exec: "${ctx.config.entrypoint}": ${reason}`);
		}
		fs.writeFileSync(ctx.paths.monitorPidFile, String(monitor.pid));
		fs.writeFileSync(ctx.paths.pidFile, String(child.pid));

		const log = new K8sLogWriter(ctx.paths.log, ctx.config.logSizeMax);
		const write = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
			try {
				log.write(stream, chunk.toString('utf8'));
			} catch {
				// The container was removed under it.
			}
		};
		child.stdout!.on('data', write('stdout'));
		child.stderr!.on('data', write('stderr'));
		const outputClosed = Promise.all([once(child.stdout!, 'close'), once(child.stderr!, 'close')]);

		let finish: () => void = () => {};
		const run: FakeRun = {
			id: ctx.id,
			child,
			monitor,
			pid: child.pid!,
			monitorPid: monitor.pid!,
			startedAt: Date.now(),
			monitorAlive: true,
			exited: false,
			done: new Promise<void>((resolve) => (finish = resolve)),
		};
		monitor.on('exit', () => (run.monitorAlive = false));
		child.on('exit', (code, signal) => {
			run.exited = true;
			const exitCode = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
			this.track(this.ended(ctx, run, exitCode, outputClosed, log).finally(finish));
		});
		this.runs.set(ctx.id, run);
		this.allRuns.push(run);
		return {pid: run.pid, monitorPid: run.monitorPid};
	}

	/** What conmon does when the container's process ends. */
	private async ended(
		ctx: DriverContext,
		run: FakeRun,
		exitCode: number,
		outputClosed: Promise<unknown>,
		log: K8sLogWriter,
	): Promise<void> {
		// The main process's end ends the container, as with a pid namespace.
		signalGroup(run.pid, 'SIGKILL');
		await within(outputClosed, 2000);
		log.close();
		// A monitor held (SIGSTOP, as rm -f does) does nothing until it goes on; killed meanwhile, nothing at all.
		let monitor = monitorState(run.monitorPid);
		for (; run.monitorAlive && monitor === 'held'; monitor = monitorState(run.monitorPid)) await sleep(5);
		if (!run.monitorAlive || monitor === 'gone') return;
		try {
			if (this.oomOnNextExit.delete(ctx.id)) fs.writeFileSync(ctx.paths.oomFile, '');
			fs.writeFileSync(`${ctx.paths.exitFile}.tmp`, String(exitCode));
			fs.renameSync(`${ctx.paths.exitFile}.tmp`, ctx.paths.exitFile);
		} catch {
			// The container's directory was removed meanwhile (rm -f).
		}
		this.events.add(ctx.id, `exit ${exitCode}`);
		if (this.exitCommandKilled.delete(ctx.id)) {
			this.events.add(ctx.id, 'exit command killed');
		} else {
			await this.engine()
				.handleExit(ctx.id)
				.catch((error: unknown) => this.exitCommandErrors.push(error));
		}
		await endProcess(run.monitor);
	}

	async signal(ctx: DriverContext, signal: string, all: boolean): Promise<void> {
		const run = this.runs.get(ctx.id);
		if (!run || run.exited) throw new C32Error('BAD_STATE', `container ${ctx.config.name} has no running process`);
		process.kill(all ? -run.pid : run.pid, signal as NodeJS.Signals);
	}

	async pause(ctx: DriverContext): Promise<void> {
		process.kill(-this.run(ctx.id).pid, 'SIGSTOP');
	}

	async resume(ctx: DriverContext): Promise<void> {
		process.kill(-this.run(ctx.id).pid, 'SIGCONT');
	}

	/** The command as a host process in the container's directory, its output dropped: what the lifecycle's checks need. */
	async exec(ctx: DriverContext, command: ExecProcess, _io: ExecIO): Promise<number> {
		this.events.add(ctx.id, `exec ${command.args.join(' ')}`);
		const run = this.runs.get(ctx.id);
		if (!run || run.exited) throw new C32Error('BAD_STATE', `container ${ctx.config.name} has no running process`);
		const [program, ...args] = command.args;
		const child = spawn(program!, args, {cwd: ctx.paths.root, env: {PATH: '/usr/bin:/bin', ...command.env}, stdio: 'ignore'});
		return new Promise((resolve, reject) => {
			child.once('error', () => reject(new C32Error('START_FAILED', `${program}: executable file not found in $PATH`)));
			child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
		});
	}

	/** As the runtime's cleanup ends whatever is left in the container's cgroup: idempotent. */
	async cleanup(ctx: DriverContext): Promise<void> {
		this.cleanups.set(ctx.id, this.cleanupsOf(ctx.id) + 1);
		this.events.add(ctx.id, 'cleanup');
		const run = this.runs.get(ctx.id);
		if (run) signalGroup(run.pid, 'SIGKILL');
	}

	/** Kills a container's monitor (kill -9 of conmon) and waits until it is gone. */
	async killMonitor(id: string): Promise<void> {
		const run = this.run(id);
		run.monitorAlive = false;
		await endProcess(run.monitor);
	}

	/** Starts an exit command (a scheduler) in this process, as the engine's services would in another one. */
	track<T>(promise: Promise<T>): Promise<T> {
		const tracked = promise.catch((error: unknown) => {
			this.exitCommandErrors.push(error);
		});
		this.inFlight.add(tracked);
		void tracked.finally(() => this.inFlight.delete(tracked));
		return promise;
	}

	/** Resolves once no exit handling is in flight (it may start restarts, which may end and so on). False on time-out. */
	async idle(timeoutMs = 5000): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (this.inFlight.size > 0) {
			const left = deadline - Date.now();
			if (left <= 0) return false;
			await within(Promise.race(this.inFlight), left);
		}
		return true;
	}

	/** Ends every process the fake started (tests call this from their clean-up). */
	async killEverything(): Promise<void> {
		await Promise.all(
			this.allRuns.map(async (run) => {
				signalGroup(run.pid, 'SIGKILL');
				await endProcess(run.monitor);
			}),
		);
	}
}

const SIGKILL_BIT = 1n << 8n;
const SIGSTOP_BIT = 1n << 18n;
const PF_EXITING = 0x4;

/**
 * What a real monitor would do now, seen from outside: `held` once stopped or with a SIGSTOP
 * on its way (a stop is only seen in the state once the process is next scheduled, which on a
 * busy machine can be after the container's end), `gone` once dying or with a SIGKILL pending.
 */
function monitorState(pid: number): 'held' | 'gone' | 'free' {
	const fields = statFields(pid);
	let status: string;
	try {
		status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	} catch {
		return 'gone';
	}
	if (fields === null) return 'gone';
	const pending = signalMask(status, 'SigPnd') | signalMask(status, 'ShdPnd');
	if ('ZX'.includes(fields[0]!) || Number(fields[6]) & PF_EXITING || pending & SIGKILL_BIT) return 'gone';
	return fields[0] === 'T' || pending & SIGSTOP_BIT ? 'held' : 'free';
}

/** A signal set of /proc/PID/status (SigPnd: pending for the thread, ShdPnd: for the process), as bits. */
function signalMask(status: string, field: string): bigint {
	const hex = status
		.split('\n')
		.find((line) => line.startsWith(`${field}:`))
		?.slice(field.length + 1)
		.trim();
	return BigInt(`0x${hex ?? '0'}`);
}

/** Attachment and driver events per container, in the order they happened. */
export class EventLog {
	private readonly byId = new Map<string, string[]>();

	add(id: string, event: string): void {
		const list = this.byId.get(id) ?? [];
		list.push(event);
		this.byId.set(id, list);
	}

	of(id: string): string[] {
		return [...(this.byId.get(id) ?? [])];
	}

	clear(id: string): void {
		this.byId.delete(id);
	}
}

/** An attachment that records its prepare and teardown calls, and fails its prepare on demand. */
class RecordingAttachment implements Attachment {
	readonly tearsDownAlongside: boolean;

	constructor(
		readonly name: string,
		private readonly services: FakeServices,
	) {
		this.tearsDownAlongside = services.alongside === name;
	}

	async prepare(ctx: DriverContext): Promise<void> {
		this.services.events.add(ctx.id, `prepare ${this.name}`);
		if (this.services.failingPrepare === this.name) throw new C32Error('START_FAILED', `cannot prepare ${this.name}: told to fail`);
	}

	async ready(ctx: DriverContext): Promise<void> {
		if (this.services.traceReady) this.services.events.add(ctx.id, `ready ${this.name}`);
		if (this.services.failingReady === this.name) throw new C32Error('START_FAILED', `cannot finish ${this.name}: told to fail`);
	}

	async teardown(ctx: DriverContext): Promise<void> {
		this.services.events.add(ctx.id, `teardown ${this.name}`);
		if (this.services.teardownDelayMs > 0) {
			await sleep(this.services.teardownDelayMs);
			if (this.services.traceTeardownEnd) this.services.events.add(ctx.id, `${this.name} torn down`);
		}
	}
}

export const ATTACHMENTS = ['bundle', 'network'] as const;

export class FakeServices implements EngineServices {
	readonly events = new EventLog();
	/** Images a test adds; layerDirs gives what it was added with. */
	readonly images = new MemoryImages();
	readonly driver: FakeDriver;
	/** The attachment whose prepare fails, if any. */
	failingPrepare: (typeof ATTACHMENTS)[number] | null = null;
	/** The attachment whose ready (after the runtime's create, before the process) fails, if any. */
	failingReady: (typeof ATTACHMENTS)[number] | null = null;
	/** Whether the attachments' ready steps appear in `events` (off: most tests follow prepare and teardown only). */
	traceReady = false;
	/** How long each teardown takes (a slow network teardown, say): the ending step holds its lock that long. */
	teardownDelayMs = 0;
	/** Whether the end of each delayed teardown appears in `events`. */
	traceTeardownEnd = false;
	/** The attachment that tears down alongside the runtime's cleanup and the others (as the real network does), if any. */
	alongside: (typeof ATTACHMENTS)[number] | null = null;
	readonly purged: string[] = [];
	/** Containers for which a scheduler was started (a pending restart whose scheduler was gone). */
	readonly schedulersStarted: string[] = [];
	private engineRef: ContainerEngine | null = null;

	constructor() {
		this.driver = new FakeDriver(this.events, () => this.engine);
	}

	get engine(): ContainerEngine {
		if (!this.engineRef) throw new Error('FakeServices: bind an engine first');
		return this.engineRef;
	}

	bind(engine: ContainerEngine): void {
		this.engineRef = engine;
	}

	async driverFor(): Promise<Driver> {
		return this.driver;
	}

	async attachmentsFor(): Promise<Attachment[]> {
		return ATTACHMENTS.map((name) => new RecordingAttachment(name, this));
	}

	exitCommand(id: string): string[] {
		return ['fake-exit-command', id];
	}

	/** Runs the exit command's work in this process (not awaited), so this process is the scheduler. */
	spawnScheduler(id: string): ProcessRef {
		this.schedulersStarted.push(id);
		this.driver.track(this.engine.handleExit(id));
		return {pid: process.pid, startTime: processStartTime(process.pid)};
	}

	async purge(id: string): Promise<void> {
		this.purged.push(id);
	}

	async requireDriver(): Promise<void> {}

	async checkLimits(): Promise<void> {}

	async logTruncates(): Promise<boolean> {
		return false;
	}

	async metrics(records: ContainerRecord[]): Promise<ContainerMetrics[]> {
		return records.map((record) => ({
			id: record.metadata.id,
			name: record.metadata.name,
			cpuPercent: 0,
			memoryMb: 1,
			memoryLimitMb: null,
			pids: 1,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			timestamp: new Date().toISOString(),
		}));
	}

	async hostStats(): Promise<HostStats> {
		return {cpuCount: 1, cpuPercent: 0, memoryTotalMb: 1024, memoryUsedMb: 512, loadAverage: [0, 0, 0]};
	}

	async doctor(layout: StorageLayout): Promise<DoctorReport> {
		return {
			runtime: {name: 'fake', path: '/nonexistent/fake', version: '0'},
			runtimesRejected: [],
			conmon: null,
			skopeo: null,
			layerTools: false,
			init: null,
			cgroupVersion: null,
			root: process.getuid?.() === 0,
			userNamespaces: false,
			overlayfs: false,
			seccomp: false,
			storageDir: layout.storageDir,
			runtimeDir: layout.runtimeDir,
			debugLog: path.join(layout.storageDir, 'debug.log'),
			network: {cniDir: null, cniPlugins: [], cniMissing: [], iptables: null, nft: null},
			problems: [],
		};
	}
}

/**
 * A store whose writes fail with ENOSPC while `full` is set, as on a full disk. With
 * `locksFail` too, no lock can be taken (its directory cannot be made): the store then does
 * what store.ts does for such an error, runs a step that must act without it and refuses the rest.
 */
export class FullDiskStore extends Store {
	full = false;
	locksFail = false;

	override withContainerLock<T>(id: string, fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
		if (!this.full || !this.locksFail) return super.withContainerLock(id, fn, options);
		if (options.proceedWithoutSpace) return Promise.resolve().then(fn);
		return Promise.reject(new C32Error('NO_SPACE', `cannot lock ${this.recordFile(id)}: ENOSPC: no space left on device`));
	}

	override withIndexLock<T>(fn: () => Promise<T> | T, options: LockOptions = {}): Promise<T> {
		if (!this.full || !this.locksFail) return super.withIndexLock(fn, options);
		if (options.proceedWithoutSpace) return Promise.resolve().then(fn);
		return Promise.reject(new C32Error('NO_SPACE', `cannot lock the index: ENOSPC: no space left on device`));
	}

	override async writeRecord(record: ContainerRecord): Promise<void> {
		if (this.full) throw noSpace(this.recordFile(record.metadata.id));
		return super.writeRecord(record);
	}

	override async writeIndex(names: Record<string, string>): Promise<void> {
		if (this.full) throw noSpace(path.join(this.layout.storageDir, 'index.json'));
		return super.writeIndex(names);
	}
}

function noSpace(file: string): NodeJS.ErrnoException {
	return Object.assign(new Error(`ENOSPC: no space left on device, write '${file}'`), {code: 'ENOSPC', errno: -28, syscall: 'write'});
}

export interface FakeEngine {
	engine: ContainerEngine;
	services: FakeServices;
	driver: FakeDriver;
	dir: string;
	/** The store, when the test asked for a full-disk one. */
	store: FullDiskStore | null;
}

/** An engine over the fake services and a fresh storage root, cleaned up after the test. */
export function fakeEngine(t: TestContext, options: {fullDiskStore?: boolean} = {}): FakeEngine {
	const dir = makeTempDir('c32-fake-');
	const services = new FakeServices();
	let store: FullDiskStore | null = null;
	const engine = new ContainerEngine(services, {
		storageDir: dir,
		store: options.fullDiskStore ? (layout) => (store = new FullDiskStore(layout)) : undefined,
	});
	services.bind(engine);
	t.after(async () => {
		if (store) store.full = store.locksFail = false;
		for (const c of await engine.listContainers().catch(() => [])) {
			await engine.removeContainer(c.id, {force: true}).catch(() => {});
		}
		await services.driver.idle(5000);
		await services.driver.killEverything();
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return {engine, services, driver: services.driver, dir, store};
}

// ---- commands for fake containers ---------------------------------------------------------

/** A container running `sh -c script` (the fake runs it on the host). */
export function sh(script: string, extra: ContainerConfig = {}): ContainerConfig {
	return {entrypoint: 'sh', args: ['-c', script], isolationLevel: 'minimal', ...extra};
}

/** Runs until SIGTERM (then exits 0), polling so a signal is seen within 50 ms. */
export const UNTIL_TERM = 'trap "exit 0" TERM; while :; do sleep 0.05; done';
/** Ignores SIGTERM: only SIGKILL ends it. */
export const IGNORES_TERM = 'trap "" TERM; while :; do sleep 0.05; done';

/** Polls the container's (reconciled) metadata until `done` holds; returns it. */
export async function untilMeta(
	engine: ContainerEngine,
	id: string,
	done: (meta: ContainerMetadata) => boolean,
	what: string,
	timeoutMs = 5000,
): Promise<ContainerMetadata> {
	let last: ContainerMetadata | null = null;
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		last = await engine.getContainer(id);
		if (done(last)) return last;
		if (Date.now() > deadline) {
			throw new Error(
				`timed out after ${timeoutMs} ms waiting for ${what}; last: ${last.state} restarts=${last.restartCount} ${last.errorMessage ?? ''}`,
			);
		}
		await sleep(20);
	}
}

// ---- the record on disk -------------------------------------------------------------------

export function recordFile(dir: string, id: string): string {
	return path.join(dir, 'containers', id, 'state.json');
}

export function readRecordFile(dir: string, id: string): ContainerRecord {
	return JSON.parse(fs.readFileSync(recordFile(dir, id), 'utf8')) as ContainerRecord;
}

/** Rewrites a container's state.json, as another c32 (or a crash) would have left it. */
export function editRecord(dir: string, id: string, edit: (record: ContainerRecord) => void): void {
	const record = readRecordFile(dir, id);
	edit(record);
	const file = recordFile(dir, id);
	fs.writeFileSync(`${file}.edit`, JSON.stringify(record));
	fs.renameSync(`${file}.edit`, file);
}

// ---- processes ------------------------------------------------------------------------------

export {isAlive};

/** The state letter of a process (R, S, T for stopped, Z) or null when it does not exist. */
export function processState(pid: number): string | null {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
	} catch {
		return null;
	}
}

/** A process of ours that lives until the test ends it: a stand-in scheduler or monitor. */
export async function startSleeper(t: TestContext): Promise<ProcessRef & {child: ChildProcess}> {
	const child = spawn('sleep', ['100000'], {detached: true, stdio: 'ignore'});
	await spawned(child);
	t.after(() => endProcess(child));
	return {pid: child.pid!, startTime: processStartTime(child.pid!), child};
}

/** The program as runc finds it in the container's PATH (an unreadable PATH entry is skipped, not an error). */
function findProgram(name: string, searchPath: string): string | null {
	if (name.includes('/')) return name;
	for (const dir of searchPath.split(':').filter(Boolean)) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			// keep looking
		}
	}
	return null;
}

/** Waits for `promise`, at most `ms`; the timer is cleared so it keeps no test process alive. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	try {
		await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
	} finally {
		clearTimeout(timer);
	}
}

function spawned(child: ChildProcess): Promise<void> {
	return new Promise((resolve, reject) => {
		child.once('spawn', () => resolve());
		child.once('error', reject);
	});
}

function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
	return new Promise((resolve) => emitter.once(event, () => resolve()));
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pgid, signal);
	} catch {
		// The group is empty.
	}
}

/** SIGKILLs a child of ours and waits until it was reaped (bounded). */
async function endProcess(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = once(child, 'exit');
	child.kill('SIGKILL');
	await within(exited, 2000);
}
