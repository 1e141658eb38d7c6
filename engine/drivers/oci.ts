// The OCI driver: conmon supervises, runc (or crun) runs. conmon daemonizes before the
// runtime has created the container, so start() waits on conmon's sync pipe, as podman does.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import {constants as osConstants} from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {DEFAULT_PATH} from '../config.js';
import {C32Error} from '../errors.js';
import {monitorEnvironment} from '../exit-command.js';
import {isProcessAlive} from '../host-facts.js';
import {lookupCommand} from '../oci/command-lookup.js';
import {attachName, exitDir, runtimeRoot, type StorageLayout, socketDir} from '../paths.js';
import {signalNumber} from '../signals.js';
import {launchConmon} from './conmon-launch.js';
import type {Driver, DriverContext, ExecIO, ExecProcess, StartResult} from './driver.js';
import {runcExec} from './oci-exec.js';

const execFileAsync = promisify(execFile);

export interface OciDriverOptions {
	layout: StorageLayout;
	runtime: {name: string; path: string};
	conmonPath: string;
	/** Whether this conmon can rotate logs itself (conmon >= 2.2: --log-rotate). */
	conmonRotates: boolean;
}

export class OciDriver implements Driver {
	readonly name: string;

	constructor(private readonly options: OciDriverOptions) {
		this.name = options.runtime.name;
	}

	get conmonRotates(): boolean {
		return this.options.conmonRotates;
	}

	private runtimeArgs(...args: string[]): string[] {
		return ['--root', runtimeRoot(this.options.layout), ...args];
	}

	private async runtime(...args: string[]): Promise<string> {
		try {
			const {stdout} = await execFileAsync(this.options.runtime.path, this.runtimeArgs(...args), {
				encoding: 'utf8',
				timeout: 30_000,
			});
			return stdout;
		} catch (error) {
			const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
			throw new C32Error('RUNTIME_ERROR', `${this.name} ${args[0]} failed: ${lastLine(stderr) || String(error)}`);
		}
	}

	async start(ctx: DriverContext, exitCommand: string[], created?: () => Promise<void>): Promise<StartResult> {
		const {layout} = this.options;
		for (const dir of [runtimeRoot(layout), socketDir(layout)]) fs.mkdirSync(dir, {recursive: true, mode: 0o700});
		fs.mkdirSync(ctx.paths.userdata, {recursive: true, mode: 0o700});
		// A previous run of the same container may have left its runtime state behind.
		await this.cleanup(ctx);

		let pid: number;
		try {
			pid = await this.createWithConmon(ctx, exitCommand);
			if (ctx.config.init) checkCommandUnderInit(ctx, pid);
			await created?.();
			await this.runtime('start', ctx.id);
		} catch (error) {
			await this.cleanup(ctx);
			if (error instanceof C32Error && error.code === 'START_FAILED') throw error;
			throw new C32Error('START_FAILED', error instanceof Error ? error.message : String(error));
		}
		const monitorPid = Number(fs.readFileSync(ctx.paths.monitorPidFile, 'utf8').trim());
		return {pid, monitorPid};
	}

	private createWithConmon(ctx: DriverContext, exitCommand: string[]): Promise<number> {
		const {options} = this;
		const [exitProgram, ...exitArgs] = exitCommand;
		const args = [
			'--api-version',
			'1',
			'-c',
			ctx.id,
			'-u',
			attachName(ctx.id),
			'-n',
			ctx.config.name,
			'-r',
			options.runtime.path,
			'-b',
			ctx.paths.bundle,
			'-p',
			ctx.paths.pidFile,
			'-l',
			`k8s-file:${ctx.paths.log}`,
			'--log-size-max',
			String(ctx.config.logSizeMax),
			'--log-level',
			'error',
			'--persist-dir',
			ctx.paths.userdata,
			'--socket-dir-path',
			socketDir(options.layout),
			'--conmon-pidfile',
			ctx.paths.monitorPidFile,
			'--runtime-arg',
			'--root',
			'--runtime-arg',
			runtimeRoot(options.layout),
			...(options.conmonRotates ? ['--log-rotate', '--log-max-files', '1'] : []),
			...stdioArgs(ctx.config),
			...(exitProgram ? ['--exit-command', exitProgram, ...exitArgs.flatMap((a) => ['--exit-command-arg', a])] : []),
		];
		return launchConmon({
			conmonPath: options.conmonPath,
			args,
			cwd: ctx.paths.userdata,
			env: monitorEnvironment(),
			cleanMessage: cleanRuntimeMessage,
		});
	}

	async signal(ctx: DriverContext, signal: string, all: boolean): Promise<void> {
		// By number: runc knows no names for real-time signals (SIGRTMIN+3 is 37).
		const number = signalNumber(signal);
		if (signalDirectly(ctx, number, all)) return;
		await this.runtime('kill', ...(all ? ['--all'] : []), ctx.id, String(number));
	}

	async pause(ctx: DriverContext): Promise<void> {
		await this.runtime('pause', ctx.id);
	}

	async resume(ctx: DriverContext): Promise<void> {
		await this.runtime('resume', ctx.id);
	}

	exec(ctx: DriverContext, request: ExecProcess, io: ExecIO): Promise<number> {
		const {runtime, layout} = this.options;
		return runcExec({name: runtime.name, path: runtime.path, root: runtimeRoot(layout)}, ctx, request, io);
	}

	async cleanup(ctx: DriverContext): Promise<void> {
		await this.purge(ctx.id);
	}

	/** Kills and deletes the runtime's container and conmon's files, knowing only the id. Idempotent. */
	async purge(id: string): Promise<void> {
		const stateDir = path.join(runtimeRoot(this.options.layout), id);
		if (fs.existsSync(stateDir)) {
			await this.runtime('delete', '--force', id).catch(() => {
				// runc refuses to delete state whose cgroup is already gone; the directory is all that is left.
				fs.rmSync(stateDir, {recursive: true, force: true});
			});
		}
		// conmon's attach directory: a symlink to the bundle (by the short name; by the id before c32 used one).
		for (const name of [attachName(id), id]) fs.rmSync(path.join(socketDir(this.options.layout), name), {recursive: true, force: true});
		// c32 reads the exit code from the persist dir; runs of versions that also gave conmon an
		// exit dir left a file there.
		fs.rmSync(path.join(exitDir(this.options.layout), id), {force: true});
	}
}

/**
 * Signals the container's init (PID 1 of its own PID namespace) without spawning runc, as
 * `runc kill` does, when it is the recorded process. SIGKILL reaches every process of the
 * container that way too: when a PID namespace's init dies, the kernel kills the rest.
 * False when runc must do it (another signal to all, or no live recorded process).
 */
function signalDirectly(ctx: DriverContext, signal: number, all: boolean): boolean {
	const main = ctx.mainProcess;
	if (!main || (all && signal !== osConstants.signals.SIGKILL) || !isProcessAlive(main.pid, main.startTime)) return false;
	try {
		process.kill(main.pid, signal);
		return true;
	} catch {
		return false;
	}
}

/**
 * -t: conmon takes the terminal's master side, serves it on the attach socket and logs it as
 * one stream. Never -i with it: conmon closes its stdin when any attach client leaves, which
 * for a terminal would end all input; a terminal has no EOF to pass on anyway.
 * -i alone: a stdin pipe, closed when an attach client leaves (its EOF, or a detach: docker's
 * "stdin once" of run -i). Neither: stdin is /dev/null, as before.
 */
export function stdioArgs(config: Pick<DriverContext['config'], 'tty' | 'stdinOpen'>): string[] {
	if (config.tty) return ['-t'];
	return config.stdinOpen ? ['-i'] : [];
}

/** runc checked only the init it runs: the command the init will run must exist too (see oci/command-lookup.ts). */
function checkCommandUnderInit(ctx: DriverContext, pid: number): void {
	const {config} = ctx;
	const searchPath = config.environment['PATH'] ?? DEFAULT_PATH;
	const problem = lookupCommand(`/proc/${pid}/root`, config.entrypoint, searchPath, config.workingDir);
	if (problem !== null) throw new C32Error('START_FAILED', problem);
}

function lastLine(text: string): string {
	return text.trim().split('\n').pop()?.trim() ?? '';
}

/** runc's errors are nested "a: b: c" chains; the last link is what the user can act on. */
export function cleanRuntimeMessage(message: string): string {
	const text = lastLine(message)
		.replace(/^time="[^"]*" level=\w+ msg="(.*)"$/, '$1')
		.replace(/\\"/g, '"');
	const exec = /exec: "([^"]+)": (executable file not found in \$PATH|no such file or directory|permission denied)/.exec(text);
	if (exec) return `${exec[1]}: ${exec[2]}`;
	return text;
}
