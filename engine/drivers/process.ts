// The process driver (isolation "minimal"): a plain process in its own session and process
// group, with rlimits and cgroup limits, watched by a small detached c32 supervisor that
// keeps the same log and exit-file contract as conmon.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {
	allDirs,
	type CgroupDirs,
	cgroupDirs,
	cgroupProcesses,
	freezeCgroup,
	killCgroup,
	removeCgroup,
	thawCgroup,
} from '../cgroups/index.js';
import {DEFAULT_PATH} from '../config.js';
import {containerEnvironment} from '../environment.js';
import {C32Error} from '../errors.js';
import {copyTree} from '../fs/tree.js';
import {readTrimmed, statFields} from '../host-facts.js';
import {signalNumber} from '../signals.js';
import type {Driver, DriverContext, ExecIO, ExecProcess, StartResult} from './driver.js';
import {processExec} from './process-exec.js';
import {resolveProgram} from './program.js';

const SUPERVISOR = fileURLToPath(new URL('./supervisor.js', import.meta.url));

/** Everything the supervisor needs, written to userdata/supervisor.json. */
export interface SupervisorPlan {
	argv: string[];
	/** RLIMIT_NOFILE (soft = hard), set by the supervisor's shell just before it becomes the program. */
	openFiles: number | null;
	env: Record<string, string>;
	cwd: string;
	log: string;
	logSizeMax: number;
	exitFile: string;
	oomFile: string;
	pidFile: string;
	monitorPidFile: string;
	/** Null when the host's cgroups cannot be written and no limit needs them. */
	cgroup: {relPath: string; limits: DriverContext['config']['resourceLimits']; blockDevice: string | null} | null;
	exitCommand: string[];
	/** Where the supervisor reports what it survives (its stderr is read by nobody once it runs). */
	debugLog: string;
}

export interface ProcessDriverOptions {
	/** Whether this process may create cgroups (root with a writable cgroup filesystem). */
	canUseCgroups: boolean;
	blockDevice: string | null;
	debugLog: string;
}

export class ProcessDriver implements Driver {
	readonly name = 'process';

	constructor(private readonly options: ProcessDriverOptions) {}

	/** The host directory that is the container's /app: its own writable copy of the image. */
	static appDir(ctx: DriverContext): string {
		return path.join(ctx.paths.root, 'app');
	}

	plan(ctx: DriverContext, exitCommand: string[]): SupervisorPlan {
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
			prefix.push('setpriv', `--reuid=${config.user.uid}`, `--regid=${config.user.gid}`, '--clear-groups', '--');
		}
		return {
			argv: [...prefix, program, ...config.args],
			openFiles: limits.maxOpenFiles ?? null,
			env,
			cwd,
			log: ctx.paths.log,
			logSizeMax: config.logSizeMax,
			exitFile: ctx.paths.exitFile,
			oomFile: ctx.paths.oomFile,
			pidFile: ctx.paths.pidFile,
			monitorPidFile: ctx.paths.monitorPidFile,
			cgroup: this.options.canUseCgroups ? {relPath: ctx.cgroupPath, limits, blockDevice: this.options.blockDevice} : null,
			exitCommand,
			debugLog: this.options.debugLog,
		};
	}

	async start(ctx: DriverContext, exitCommand: string[], created?: () => Promise<void>): Promise<StartResult> {
		prepareAppDir(ctx);
		const plan = this.plan(ctx, exitCommand);
		for (const file of [ctx.paths.pidFile, ctx.paths.monitorPidFile]) fs.rmSync(file, {force: true});
		const planFile = path.join(ctx.paths.userdata, 'supervisor.json');
		fs.writeFileSync(planFile, JSON.stringify(plan), {mode: 0o600});
		const supervisor = spawn(process.execPath, [SUPERVISOR, planFile], {
			detached: true,
			stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
			env: {PATH: process.env['PATH'] ?? DEFAULT_PATH},
		});
		const message = await readSyncMessage(supervisor);
		supervisor.unref();
		if ('error' in message) {
			await this.cleanup(ctx);
			throw new C32Error('START_FAILED', message.error);
		}
		try {
			await created?.();
		} catch (error) {
			await this.signal(ctx, 'SIGKILL', true).catch(() => undefined);
			await this.cleanup(ctx);
			throw new C32Error('START_FAILED', error instanceof Error ? error.message : String(error));
		}
		return {pid: message.pid, monitorPid: supervisor.pid!};
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

	async cleanup(ctx: DriverContext): Promise<void> {
		const dirs = this.dirs(ctx);
		if (!dirs) return;
		if (cgroupProcesses(dirs).length > 0) await killCgroup(dirs, 'SIGKILL');
		await removeCgroup(dirs);
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

function readSyncMessage(child: ReturnType<typeof spawn>): Promise<{pid: number} | {error: string}> {
	return new Promise((resolve) => {
		let text = '';
		let stderr = '';
		const pipe = child.stdio[3] as NodeJS.ReadableStream;
		child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
		pipe.setEncoding('utf8');
		pipe.on('data', (chunk: string) => (text += chunk));
		pipe.on('end', () => {
			child.stderr?.destroy();
			try {
				resolve(JSON.parse(text));
			} catch {
				resolve({error: `the c32 supervisor failed to start${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`});
			}
		});
		child.on('error', (error) => resolve({error: `cannot run the c32 supervisor: ${error.message}`}));
	});
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
