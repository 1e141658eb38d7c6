// exec for the OCI driver: `runc exec --process <spec>` in the foreground. The spec is the
// container's own process from its bundle's config.json (capabilities, rlimits,
// no_new_privs, LSM labels) with the command, environment, user, working directory and
// terminal of the request; runc joins the container's namespaces and cgroup and applies its
// seccomp filter. runc stays the command's parent, so its exit code is runc's, and
// `--pid-file` (written only once the command runs) with `--log` tells runc's own failures
// from the command's code. A terminal is runc's own: see docs/architecture.md, exec.
import {type ChildProcess, spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {Readable, Writable} from 'node:stream';
import {C32Error} from '../errors.js';
import {mergeEnvironment, parseUserSpec} from '../exec/request.js';
import {closed, feedStdin, forwardStdout, onAbort, onKill, stderrTarget, stdioFds} from '../exec/stdio.js';
import {type ExecUser, homeOf, parsePasswd, resolveUser} from '../exec/users.js';
import {readFileInRoot} from '../fs/in-root.js';
import {readTrimmed} from '../host-facts.js';
import type {IdMapping} from '../types.js';
import type {DriverContext, ExecIO, ExecProcess} from './driver.js';

export interface RuncExecTools {
	/** 'runc' or 'crun', for messages. */
	name: string;
	path: string;
	/** The runtime's --root. */
	root: string;
}

/** The `process` of a bundle's config.json: what exec copies, and the fields it replaces. */
export interface BundleProcess {
	args: string[];
	env: string[];
	cwd: string;
	user: {uid: number; gid: number; additionalGids?: number[]};
	terminal?: boolean;
	consoleSize?: unknown;
	[field: string]: unknown;
}

interface BundleConfig {
	process: BundleProcess;
	linux?: {uidMappings?: IdMapping[]; gidMappings?: IdMapping[]};
}

/** How long a detached command may take to start. */
const DETACH_START_MS = 30_000;
const PASSWD_MAX_BYTES = 4 * 1024 * 1024;

export async function runcExec(tools: RuncExecTools, ctx: DriverContext, request: ExecProcess, io: ExecIO): Promise<number> {
	const bundle = readBundleConfig(ctx);
	const user = request.user === null ? null : containerUser(ctx, bundle, request.user);
	const spec = execProcessSpec(bundle.process, request, user, user ? homeOf(user, ctx.config) : {});
	const files = ExecFiles.create(ctx.paths.userdata, spec);
	try {
		const args = [
			'--root',
			tools.root,
			'--log',
			files.log,
			'--log-format',
			'json',
			'exec',
			'--process',
			files.spec,
			'--pid-file',
			files.pid,
			ctx.id,
		];
		const failure = (stderr: string) => execError(runtimeFailure(files.log, stderr), ctx.config.name, tools.name);
		return request.detach
			? await startDetached(tools, args, files, failure)
			: await runForeground(tools, args, request, io, files, failure);
	} finally {
		files.remove();
	}
}

/**
 * The spec, pid file and log of one exec, in a fresh directory of the container's userdata.
 * Once the command runs none of them is needed (runc has read the spec; the log only says
 * why a start failed), so they go at once: a c32 killed while the command runs leaves nothing.
 */
class ExecFiles {
	readonly spec: string;
	readonly pid: string;
	readonly log: string;
	private ran = false;
	private watcher: fs.FSWatcher | null = null;
	/** The command's host pid, read from the pid file before it goes. */
	commandPid: number | null = null;

	private constructor(private readonly dir: string) {
		this.spec = path.join(dir, 'process.json');
		this.pid = path.join(dir, 'pid');
		this.log = path.join(dir, 'log');
	}

	static create(userdata: string, spec: BundleProcess): ExecFiles {
		const dir = path.join(userdata, `exec-${randomBytes(6).toString('hex')}`);
		fs.mkdirSync(dir, {mode: 0o700});
		const files = new ExecFiles(dir);
		try {
			fs.writeFileSync(files.spec, JSON.stringify(spec), {mode: 0o600, flag: 'wx'});
		} catch (error) {
			files.remove();
			throw error;
		}
		return files;
	}

	/** Whether the command runs (runc wrote its pid file, which it does only then). */
	started(): boolean {
		if (!this.ran && fs.existsSync(this.pid)) {
			this.ran = true;
			this.commandPid = Number(readTrimmed(this.pid) ?? '') || null;
			this.remove();
		}
		return this.ran;
	}

	/** Calls `onStart` once the command runs. */
	watch(onStart: () => void): void {
		this.watcher = fs.watch(this.dir);
		this.watcher.on('error', () => {});
		this.watcher.on('change', () => this.started() && onStart());
		if (this.started()) onStart();
	}

	remove(): void {
		this.watcher?.close();
		this.watcher = null;
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

/**
 * The process runc exec runs: the container's main process with the request's command,
 * environment (the container's, then `extraEnv`, then the request's; one value per key),
 * user, working directory and terminal. Pure.
 */
export function execProcessSpec(
	container: BundleProcess,
	request: ExecProcess,
	user: ExecUser | null,
	extraEnv: Record<string, string>,
): BundleProcess {
	const {consoleSize: _size, ...base} = container;
	const terminalEnv: Record<string, string> =
		request.terminal && !container.env.some((entry) => entry.startsWith('TERM=')) ? {TERM: 'xterm'} : {};
	return {
		...base,
		terminal: request.terminal,
		args: request.args,
		env: mergeEnvironment(container.env, terminalEnv, extraEnv, request.env),
		cwd: request.cwd ?? container.cwd,
		// Another user gets no supplementary groups of the container's.
		user: user === null ? container.user : {uid: user.uid, gid: user.gid},
	};
}

function readBundleConfig(ctx: DriverContext): BundleConfig {
	const file = path.join(ctx.paths.bundle, 'config.json');
	try {
		const config = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleConfig;
		if (typeof config.process !== 'object' || !Array.isArray(config.process.env)) throw new Error('it has no process');
		return config;
	} catch (error) {
		throw new C32Error(
			'RUNTIME_ERROR',
			`cannot read the runtime config of ${ctx.config.name} (${file}): ${(error as Error).message}; restart the container`,
		);
	}
}

/** A user given by name is looked up in the container's own /etc/passwd, through its main process's root. */
function containerUser(ctx: DriverContext, bundle: BundleConfig, spec: string): ExecUser {
	const parsed = parseUserSpec(spec)!;
	const pid = Number(readTrimmed(ctx.paths.pidFile) ?? '');
	const passwd = pid > 0 ? readFileInRoot(`/proc/${pid}/root`, '/etc/passwd', PASSWD_MAX_BYTES) : null;
	const user = resolveUser(parsed, parsePasswd(passwd?.toString('utf8') ?? ''), `the /etc/passwd of container ${ctx.config.name}`);
	checkMapped(user.uid, bundle.linux?.uidMappings, 'uid', ctx.config.name);
	checkMapped(user.gid, bundle.linux?.gidMappings, 'gid', ctx.config.name);
	return user;
}

/** In a user namespace only mapped ids exist. */
function checkMapped(id: number, mappings: IdMapping[] | undefined, what: string, name: string): void {
	if (!mappings || mappings.some((m) => id >= m.containerID && id < m.containerID + m.size)) return;
	const ranges = mappings.map((m) => `${m.containerID}-${m.containerID + m.size - 1}`).join(', ');
	throw new C32Error('INVALID_CONFIG', `${what} ${id} does not exist in the user namespace of container ${name}: give one in ${ranges}`);
}

async function runForeground(
	tools: RuncExecTools,
	args: string[],
	request: ExecProcess,
	io: ExecIO,
	files: ExecFiles,
	failure: (stderr: string) => C32Error,
): Promise<number> {
	// runc's stderr is always read: its own failures come there, before the command runs.
	const [stdin, stdout] = request.terminal ? (['inherit', 'inherit'] as const) : stdioFds(io);
	const child = spawnRuntime(tools, args, {stdio: [stdin, stdout, 'pipe']});
	feedStdin(child, io);
	forwardStdout(child, io);
	const stderr = new StderrGate(child.stderr!, request.terminal ? null : stderrTarget(io));
	files.watch(() => stderr.release());
	const stopListening = onAbort(child, io);
	const stopKilling = onKill(io, () => killGroup(files));
	let code: number;
	try {
		code = await closed(child);
	} catch (error) {
		throw new C32Error('RUNTIME_ERROR', `cannot run ${tools.name}: ${(error as Error).message}`);
	} finally {
		stopListening();
		stopKilling();
	}
	if (files.started()) {
		stderr.release();
		return code;
	}
	throw failure(stderr.held());
}

/** runc exec makes the command a session leader: its group holds what it started (a shell's children), on the host's pids. */
function killGroup(files: ExecFiles): void {
	files.started();
	const pid = files.commandPid;
	if (pid === null || !Number.isInteger(pid) || pid <= 1) return;
	try {
		process.kill(-pid, 'SIGKILL');
	} catch {
		// It ended meanwhile.
	}
}

/**
 * A detached command: runc exec in the foreground of its own session, stdio /dev/null, so it
 * outlives this process and still reaps the command; it ends when the container does.
 */
function startDetached(tools: RuncExecTools, args: string[], files: ExecFiles, failure: (stderr: string) => C32Error): Promise<number> {
	const child = spawnRuntime(tools, args, {stdio: 'ignore', detached: true});
	return new Promise<number>((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			finish(new C32Error('RUNTIME_ERROR', `${tools.name} exec did not start the command within ${DETACH_START_MS / 1000} s`));
		}, DETACH_START_MS);
		const finish = (error: C32Error | null) => {
			clearTimeout(timer);
			child.unref();
			if (error) reject(error);
			else resolve(0);
		};
		child.once('error', (error) => finish(new C32Error('RUNTIME_ERROR', `cannot run ${tools.name}: ${error.message}`)));
		child.once('exit', () => finish(files.started() ? null : failure('')));
		files.watch(() => finish(null));
	});
}

function spawnRuntime(tools: RuncExecTools, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
	return spawn(tools.path, args, options);
}

/**
 * runc writes its own failures to its stderr, where the command's stderr goes too (without a
 * terminal). What comes before the command runs is held: shown once it runs (release), kept
 * for the error message if it never does.
 */
class StderrGate {
	private chunks: Buffer[] = [];
	private open = false;

	constructor(
		private readonly source: Readable,
		private readonly target: NodeJS.WritableStream | null,
	) {
		source.on('data', this.hold);
	}

	private readonly hold = (chunk: Buffer) => this.chunks.push(chunk);

	/** The command runs: what was held, then everything after it, goes to the target. */
	release(): void {
		if (this.open) return;
		this.open = true;
		this.source.off('data', this.hold);
		if (this.target) {
			for (const chunk of this.chunks) this.target.write(chunk);
			this.source.pipe(this.target as Writable, {end: false});
		} else {
			this.source.resume();
		}
		this.chunks = [];
	}

	/** What runc wrote, the command never having run. */
	held(): string {
		return Buffer.concat(this.chunks).toString('utf8');
	}
}

/** runc's own error: the last error of its JSON log, else the last line it wrote to stderr. */
function runtimeFailure(logFile: string, stderr: string): string {
	let message = '';
	for (const line of (readTrimmed(logFile) ?? '').split('\n')) {
		try {
			const entry = JSON.parse(line) as {level?: string; msg?: string};
			if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) message = entry.msg;
		} catch {
			// not a log line
		}
	}
	return message || stderr.trim().split('\n').pop() || 'it exited without saying why';
}

/**
 * runc's failure as the caller can act on it: START_FAILED "<program>: <reason>" when the
 * program is not found (127 for the CLI) or cannot be run (126); the container's state; a
 * missing working directory; anything else is the runtime's error.
 */
export function execError(message: string, name: string, runtime: string): C32Error {
	const line = message.trim().split('\n').pop() ?? '';
	const chdir = /chdir to cwd \("(.*)"\) set in config.json failed: (.*)$/.exec(line);
	if (chdir) {
		return new C32Error(
			'INVALID_CONFIG',
			`working directory ${chdir[1]} of container ${name}: ${chdir[2]}; give a directory that exists in it`,
		);
	}
	const exec = /exec: "(.*)": ([^"]+)$/.exec(line);
	if (exec) return new C32Error('START_FAILED', `${exec[1]}: ${exec[2]}`);
	if (/paused/.test(line)) return new C32Error('BAD_STATE', `container ${name} is paused: resume it, then exec`);
	if (/stopped|not running|does not exist/.test(line))
		return new C32Error('BAD_STATE', `container ${name} is not running: start it, then exec`);
	return new C32Error('RUNTIME_ERROR', `${runtime} exec failed: ${line}`);
}
