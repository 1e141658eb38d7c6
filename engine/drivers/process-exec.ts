// exec for the process driver (minimal isolation): a host process like the container's own.
// A shell joins the container's cgroup and sets its open-files limit before it becomes the
// program (as the runtime script's does), so not one instruction runs outside the limits, and
// the command ends when the container does (the release of the run kills the cgroup). It reports a
// failure to get there on fd 3, so those are told from the program's own exit code.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {Readable} from 'node:stream';
import {DEFAULT_PATH} from '../config.js';
import {containerEnvironment} from '../environment.js';
import {C32Error} from '../errors.js';
import {mergeEnvironment, parseUserSpec} from '../exec/request.js';
import {closed, feedStdin, forwardStdout, onAbort, onKill, readAll, stdioFds} from '../exec/stdio.js';
import {type ExecUser, homeOf, parsePasswd, resolveUser} from '../exec/users.js';
import {readTrimmed} from '../host-facts.js';
import type {DriverContext, ExecIO, ExecProcess} from './driver.js';
import {resolveProgram} from './program.js';

const EXEC_INIT =
	'for f in $C32_CGROUP_PROCS; do echo $$ 2>&3 >"$f" || exit 125; done; ' +
	'if [ -n "$C32_NOFILE" ]; then ulimit -n "$C32_NOFILE" 2>&3 || exit 125; fi; ' +
	'unset C32_CGROUP_PROCS C32_NOFILE; exec 3>&-; exec "$@"';

/**
 * `cgroupProcs`: the cgroup.procs files of the container's cgroup, or null when it has none
 * (c32 not root): then nothing can end a detached command with the container, so -d is refused.
 * `appDir`: the host directory that is the container's /app.
 */
export async function processExec(
	ctx: DriverContext,
	request: ExecProcess,
	io: ExecIO,
	host: {cgroupProcs: string[] | null; appDir: string},
): Promise<number> {
	const {config} = ctx;
	if (request.detach && host.cgroupProcs === null) {
		throw new C32Error(
			'UNSUPPORTED',
			`a detached command in minimal container ${config.name} could outlive it: it has no cgroup (c32 runs without root); run the command in the foreground`,
		);
	}
	const user = request.user === null ? null : hostUser(request.user);
	const ids = user ?? config.user;
	const caller = {uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0};
	const otherUser = ids.uid !== caller.uid || ids.gid !== caller.gid;
	if (otherUser && caller.uid !== 0) {
		throw new C32Error(
			'PERMISSION_DENIED',
			`minimal isolation runs the command as you (uid ${caller.uid}, gid ${caller.gid}): only root can run it as another user; drop the user option or run c32 as root`,
		);
	}
	const cwd = workingDirectory(request.cwd ?? config.workingDir, host.appDir, config.name);
	const terminalEnv: Record<string, string> = request.terminal && !('TERM' in config.environment) ? {TERM: 'xterm'} : {};
	const env = Object.fromEntries(
		mergeEnvironment(containerEnvironment(config), terminalEnv, user ? homeOf(user, config) : {}, request.env).map((entry) => {
			const at = entry.indexOf('=');
			return [entry.slice(0, at), entry.slice(at + 1)];
		}),
	);
	const [program, ...args] = request.args;
	const resolved = resolveProgram(program!, cwd, env['PATH'] ?? DEFAULT_PATH);
	const setpriv = otherUser ? ['setpriv', `--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', '--'] : [];
	const openFiles = config.resourceLimits.maxOpenFiles;

	const child = spawn('/bin/sh', ['-c', EXEC_INIT, 'c32-exec', ...setpriv, resolved, ...args], {
		cwd,
		env: {...env, C32_CGROUP_PROCS: (host.cgroupProcs ?? []).join(' '), C32_NOFILE: openFiles === undefined ? '' : String(openFiles)},
		stdio: [...(request.detach ? (['ignore', 'ignore', 'ignore'] as const) : stdioFds(io)), 'pipe'],
		detached: request.detach,
	});
	const ended = closed(child);
	// Awaited below, after the status pipe: a spawn error meanwhile must not go unhandled.
	ended.catch(() => {});
	feedStdin(child, io);
	forwardStdout(child, io);
	if (io.stdio !== 'inherit' && io.stdio.stderr && child.stderr)
		child.stderr.pipe(io.stdio.stderr as NodeJS.WritableStream & Readable, {end: false});
	const stopListening = onAbort(child, io);
	const stopKilling = onKill(io, () => child.kill('SIGKILL'));
	try {
		const failure = (await readAll(child.stdio[3] as Readable)).trim();
		if (failure) {
			await ended.catch(() => undefined);
			throw new C32Error(
				'RUNTIME_ERROR',
				`cannot put the command into the cgroup and limits of ${config.name}: ${failure.split('\n').pop()}`,
			);
		}
		if (request.detach) {
			child.unref();
			return 0;
		}
		return await ended;
	} catch (error) {
		if (error instanceof C32Error) throw error;
		throw new C32Error('RUNTIME_ERROR', `cannot run the command in ${config.name}: ${(error as Error).message}`);
	} finally {
		stopListening();
		stopKilling();
	}
}

/** Minimal isolation has the host's filesystem: a user name is one of the host's. */
function hostUser(spec: string): ExecUser {
	return resolveUser(parseUserSpec(spec)!, parsePasswd(readTrimmed('/etc/passwd') ?? ''), "the host's /etc/passwd");
}

/** The host directory of a working directory: /app (and below) is the container's own copy. */
function workingDirectory(dir: string, appDir: string, name: string): string {
	const hostDir = dir === '/app' || dir.startsWith('/app/') ? path.join(appDir, dir.slice('/app'.length)) : dir;
	let reason: string | null = null;
	try {
		if (!fs.statSync(hostDir).isDirectory()) reason = 'not a directory';
	} catch (error) {
		reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message;
	}
	if (reason)
		throw new C32Error('INVALID_CONFIG', `working directory ${dir} of container ${name}: ${reason}; give a directory that exists in it`);
	return hostDir;
}
