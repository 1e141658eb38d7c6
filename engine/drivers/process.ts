// The process driver (isolation "minimal"): a plain process in its own session and process
// group, with rlimits and cgroup limits, supervised by conmon as standard and strict are:
// conmon's runtime is a small sh script (minimal-runtime.ts) that starts the process on the
// host, held until the engine's start, instead of runc. conmon logs it, records its exit
// code and an OOM kill, and runs the exit command, so no c32 process stays with it.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import {
	allDirs,
	type CgroupDirs,
	cgroupDirs,
	cgroupProcesses,
	createCgroup,
	freezeCgroup,
	killCgroup,
	removeCgroup,
	thawCgroup,
} from '../cgroups/index.js';
import {DEFAULT_PATH} from '../config.js';
import {containerEnvironment} from '../environment.js';
import {C32Error} from '../errors.js';
import {monitorEnvironment} from '../exit-command.js';
import {copyTree} from '../fs/tree.js';
import {findExecutable, installCommand, parseVersionOutput} from '../host.js';
import {readTrimmed, statFields} from '../host-facts.js';
import {attachName} from '../paths.js';
import {signalNumber} from '../signals.js';
import {launchConmon} from './conmon-launch.js';
import type {Driver, DriverContext, ExecIO, ExecProcess, StartResult} from './driver.js';
import {type RuntimePlan, writeRuntimeDir} from './minimal-runtime.js';
import {processExec} from './process-exec.js';
import {resolveProgram} from './program.js';

export interface ProcessDriverOptions {
	/** Whether this process may create cgroups (root with a writable cgroup filesystem). */
	canUseCgroups: boolean;
	blockDevice: string | null;
}

/** The conmon that supervises minimal containers, found on first use. */
export interface ConmonBinary {
	path: string;
	/** conmon >= 2.2 rotates the log itself (--log-rotate); older ones truncate it in place. */
	rotates: boolean;
}

export class ProcessDriver implements Driver {
	readonly name = 'process';
	private found: ConmonBinary | undefined;

	constructor(private readonly options: ProcessDriverOptions) {}

	/** The host directory that is the container's /app: its own writable copy of the image. */
	static appDir(ctx: DriverContext): string {
		return path.join(ctx.paths.root, 'app');
	}

	/** Where the runtime script, what it runs, the start fifo and conmon's attach socket live during a run. */
	static runDir(ctx: DriverContext): string {
		return path.join(ctx.paths.userdata, 'runtime');
	}

	/** conmon, as standard isolation uses it (MONITOR_MISSING, saying how to install it, when it is not). */
	conmon(): ConmonBinary {
		if (this.found) return this.found;
		const conmonPath = findExecutable('conmon');
		if (conmonPath === null) {
			throw new C32Error(
				'MONITOR_MISSING',
				`conmon, the container monitor, is not installed: install it with \`${installCommand(['conmon'])}\``,
			);
		}
		let version = '';
		try {
			version = parseVersionOutput(execFileSync(conmonPath, ['--version'], {encoding: 'utf8', timeout: 5000})) ?? '';
		} catch {
			// An unreadable version: treated as one that does not rotate.
		}
		const [major = 0, minor = 0] = version.split(/[.+-]/).map(Number);
		this.found = {path: conmonPath, rotates: major > 2 || (major === 2 && minor >= 2)};
		return this.found;
	}

	/** Whether conmon truncates a full log in place (conmon < 2.2, or none found: the safe reading). */
	logTruncates(): boolean {
		try {
			return !this.conmon().rotates;
		} catch {
			return true;
		}
	}

	/** What the runtime script runs: the program (found now, so a missing one fails the start as runc's does), its environment, cwd, limits. */
	plan(ctx: DriverContext): Omit<RuntimePlan, 'cgroupProcs'> {
		const {config} = ctx;
		const appDir = ProcessDriver.appDir(ctx);
		const cwd = config.workingDir === '/app' ? appDir : config.workingDir;
		const env = Object.fromEntries(containerEnvironment(config).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
		const program = resolveProgram(config.entrypoint, cwd, env['PATH'] ?? DEFAULT_PATH);
		const limits = config.resourceLimits;
		const wantsCgroupLimits =
			limits.memoryLimitMb !== undefined ||
			limits.cpuLimitPercent !== undefined ||
			limits.maxProcesses !== undefined ||
			limits.diskIoLimitMbps !== undefined;
		if (wantsCgroupLimits && !this.options.canUseCgroups) {
			throw new C32Error(
				'PERMISSION_DENIED',
				'cgroup limits need root and a writable cgroup filesystem: run c32 as root or drop the memory/cpu/pids/io limits',
			);
		}
		const prefix: string[] = [];
		if (config.user.uid !== process.getuid?.() || config.user.gid !== process.getgid?.()) {
			const setpriv = findExecutable('setpriv');
			if (setpriv === null) {
				throw new C32Error(
					'START_FAILED',
					`setpriv runs the container as uid ${config.user.uid}: install it with \`${installCommand(['util-linux'])}\``,
				);
			}
			prefix.push(setpriv, `--reuid=${config.user.uid}`, `--regid=${config.user.gid}`, '--clear-groups', '--');
		}
		return {argv: [...prefix, program, ...config.args], openFiles: limits.maxOpenFiles ?? null, env, cwd};
	}

	async start(ctx: DriverContext, exitCommand: string[], created?: () => Promise<void>): Promise<StartResult> {
		const conmon = this.conmon();
		prepareAppDir(ctx);
		const plan = this.plan(ctx);
		for (const file of [ctx.paths.pidFile, ctx.paths.monitorPidFile]) fs.rmSync(file, {force: true});
		const runDir = ProcessDriver.runDir(ctx);
		let pid: number | null = null;
		try {
			const dirs = this.options.canUseCgroups
				? createCgroup(ctx.cgroupPath, ctx.config.resourceLimits, {blockDevice: this.options.blockDevice})
				: null;
			const written = writeRuntimeDir(runDir, {...plan, cgroupProcs: dirs ? allDirs(dirs).map((dir) => `${dir}/cgroup.procs`) : []});
			if ('error' in written) throw new C32Error('START_FAILED', written.error);
			pid = await launchConmon({
				conmonPath: conmon.path,
				args: conmonArgs(ctx, conmon, written, exitCommand),
				// conmon drops its "oom" file in its working directory: only a cgroup of the container's own says anything about it.
				cwd: dirs ? ctx.paths.userdata : runDir,
				env: monitorEnvironment(),
			});
			await created?.();
			releaseProcess(runDir);
		} catch (error) {
			if (pid !== null) await this.signal(ctx, 'SIGKILL', true).catch(() => undefined);
			await this.cleanup(ctx);
			if (error instanceof C32Error && (error.code === 'START_FAILED' || error.code === 'MONITOR_MISSING')) throw error;
			throw new C32Error('START_FAILED', error instanceof Error ? error.message : String(error));
		}
		const monitorPid = Number(readTrimmed(ctx.paths.monitorPidFile) ?? '');
		return {pid, monitorPid};
	}

	private dirs(ctx: DriverContext): CgroupDirs | null {
		if (!this.options.canUseCgroups) return null;
		const dirs = cgroupDirs(ctx.cgroupPath);
		const probe = dirs.version === 2 ? dirs.unified : Object.values(dirs.controllers)[0];
		return probe && fs.existsSync(probe) ? dirs : null;
	}

	private mainPid(ctx: DriverContext): number {
		const pid = Number(readTrimmed(ctx.paths.pidFile) ?? '');
		if (!pid) throw new C32Error('BAD_STATE', `container ${ctx.config.name} has no running process`);
		return pid;
	}

	async signal(ctx: DriverContext, signal: string, all: boolean): Promise<void> {
		const pid = this.mainPid(ctx);
		// By number: Node knows no names for real-time signals.
		const number = signalNumber(signal);
		if (!all) {
			process.kill(pid, number);
			return;
		}
		try {
			process.kill(-pid, number);
		} catch {
			// The group may already be empty.
		}
		const dirs = this.dirs(ctx);
		if (dirs) await killCgroup(dirs, number === osConstants.signals.SIGKILL ? 'SIGKILL' : number);
	}

	async pause(ctx: DriverContext): Promise<void> {
		const dirs = this.dirs(ctx);
		if (dirs) await freezeCgroup(dirs);
		else process.kill(-this.mainPid(ctx), 'SIGSTOP');
	}

	async resume(ctx: DriverContext): Promise<void> {
		const dirs = this.dirs(ctx);
		if (dirs) await thawCgroup(dirs);
		else process.kill(-this.mainPid(ctx), 'SIGCONT');
	}

	exec(ctx: DriverContext, request: ExecProcess, io: ExecIO): Promise<number> {
		const dirs = this.dirs(ctx);
		const cgroupProcs = dirs ? allDirs(dirs).map((dir) => `${dir}/cgroup.procs`) : null;
		return processExec(ctx, request, io, {cgroupProcs, appDir: ProcessDriver.appDir(ctx)});
	}

	/**
	 * The container ends with its main process, as with a pid namespace: what is left of it is
	 * killed (its cgroup, else its process group), then its cgroup and run directory go.
	 */
	async cleanup(ctx: DriverContext): Promise<void> {
		const dirs = this.dirs(ctx);
		if (dirs) {
			if (cgroupProcesses(dirs).length > 0) await killCgroup(dirs, 'SIGKILL');
			await removeCgroup(dirs);
		} else {
			killProcessGroup(Number(readTrimmed(ctx.paths.pidFile) ?? ''));
		}
		fs.rmSync(ProcessDriver.runDir(ctx), {recursive: true, force: true});
	}
}

/**
 * conmon as for runc, with the script as its runtime. Without --persist-dir conmon writes
 * the exit code only to <exit-dir>/<cid>, hence the cid "exit": userdata/exit, as for runc
 * (the script ignores the id). --full-attach: the attach socket in the run directory.
 */
function conmonArgs(ctx: DriverContext, conmon: ConmonBinary, runtime: {script: string; sep: string}, exitCommand: string[]): string[] {
	const [exitProgram, ...exitArgs] = exitCommand;
	return [
		'--api-version',
		'1',
		'-c',
		'exit',
		'-u',
		attachName(ctx.id),
		'-n',
		ctx.config.name,
		'-r',
		'/bin/sh',
		'-b',
		ProcessDriver.runDir(ctx),
		'-p',
		ctx.paths.pidFile,
		'-l',
		`k8s-file:${ctx.paths.log}`,
		'--log-size-max',
		String(ctx.config.logSizeMax),
		'--log-level',
		'error',
		'--exit-dir',
		ctx.paths.userdata,
		'--conmon-pidfile',
		ctx.paths.monitorPidFile,
		'--full-attach',
		'--runtime-arg',
		runtime.script,
		'--runtime-arg',
		runtime.sep,
		...(conmon.rotates ? ['--log-rotate', '--log-max-files', '1'] : []),
		...(exitProgram ? ['--exit-command', exitProgram, ...exitArgs.flatMap((a) => ['--exit-command-arg', a])] : []),
	];
}

/** The start: a line on the fifo the held process reads. ENXIO: nobody reads it, the process is gone. */
function releaseProcess(runDir: string): void {
	let fd: number;
	try {
		fd = fs.openSync(path.join(runDir, 'start'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new C32Error('START_FAILED', code === 'ENXIO' ? 'the container ended before its start' : (error as Error).message);
	}
	try {
		fs.writeSync(fd, '\n');
	} finally {
		fs.closeSync(fd);
	}
}

/** SIGKILL to what is left of the container's process group (its session, as the script made it). */
function killProcessGroup(pgid: number): void {
	if (!pgid) return;
	for (const pid of processGroupMembers(pgid)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// gone meanwhile
		}
	}
}

/** The container's /app: a private, writable copy of the image snapshot. */
function prepareAppDir(ctx: DriverContext): void {
	const appDir = ProcessDriver.appDir(ctx);
	if (fs.existsSync(appDir)) return;
	if (ctx.imageDir) {
		// The snapshot already belongs to the container's user; the copy keeps that.
		const owner = fs.statSync(ctx.imageDir);
		copyTree(ctx.imageDir, appDir, process.getuid?.() === 0 ? {uid: owner.uid, gid: owner.gid} : null);
	} else {
		fs.mkdirSync(appDir, {recursive: true});
	}
}

/** Every process whose process group is `pgid` (the container's, for the process driver). */
export function processGroupMembers(pgid: number): number[] {
	if (pgid <= 0) return [];
	const members: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const fields = statFields(Number(entry));
		if (fields !== null && Number(fields[2]) === pgid) members.push(Number(entry));
	}
	return members;
}
