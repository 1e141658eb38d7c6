// Runs the built c32 binary against a temporary storage root, as a user would.
import {type ChildProcess, execFileSync, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after} from 'node:test';
import {fileURLToPath} from 'node:url';
import {makeTempDir} from '../helpers/engine.js';

export const CLI_PATH = fileURLToPath(new URL('../../bundle/c32.cjs', import.meta.url));
/** The root of the clone the tests were built in. */
export const REPO_ROOT = path.resolve(path.dirname(CLI_PATH), '..', '..');

/** The first sh block of the README after `marker`. */
export function readmeBlock(marker: string): string {
	const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
	const at = readme.indexOf(marker);
	const block = at < 0 ? undefined : /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
	if (block === undefined) throw new Error(`the README has no sh block after ${JSON.stringify(marker)}`);
	return block;
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Runs the CLI on `storageDir` to its end, synchronously, as a script would; colour off. */
export function runCliSync(storageDir: string, args: string[], env: Record<string, string> = {}): RunResult {
	try {
		const stdout = execFileSync(process.execPath, [CLI_PATH, ...args], {
			env: {...process.env, C32_STORAGE_DIR: storageDir, NO_COLOR: '1', ...env},
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		return {code: 0, signal: null, stdout, stderr: ''};
	} catch (error) {
		const e = error as {status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};
		return {code: e.status, signal: e.signal, stdout: e.stdout, stderr: e.stderr};
	}
}

export interface RunOptions {
	env?: NodeJS.ProcessEnv;
	input?: string;
	cwd?: string;
	timeoutMs?: number;
}

/** A storage root of its own, so tests never see each other's containers. */
export class C32Sandbox {
	readonly dir = makeTempDir('c32-cli-');

	env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {...process.env, C32_STORAGE_DIR: this.dir};
		delete env['C32_DEBUG'];
		delete env['FORCE_COLOR'];
		return {...env, ...extra};
	}

	/** Runs `c32 ...args` to completion. */
	run(args: string[], options: RunOptions = {}): Promise<RunResult> {
		const child = this.spawn(args, options);
		if (options.input !== undefined) child.stdin!.end(options.input);
		else child.stdin!.end();
		return finished(child, options.timeoutMs ?? 60_000);
	}

	/** Starts `c32 ...args` and hands back the process (for Ctrl-C and follow tests). */
	spawn(args: string[], options: RunOptions = {}): ChildProcess {
		return spawn(process.execPath, [CLI_PATH, ...args], {
			cwd: options.cwd ?? this.dir,
			env: this.env(options.env),
			stdio: ['pipe', 'pipe', 'pipe'],
		});
	}

	/**
	 * Runs a README script with bash -e (`c32` being the built CLI) from the root of a fresh
	 * copy of the clone's examples at `<sandbox>/<name>`, as a newcomer runs it.
	 */
	async runInClone(script: string, name: string, timeoutMs = 120_000): Promise<RunResult & {clone: string}> {
		const clone = path.join(this.dir, name);
		fs.cpSync(path.join(REPO_ROOT, 'examples'), path.join(clone, 'examples'), {recursive: true});
		const child = spawn('bash', ['-c', `set -e\nc32() { "${process.execPath}" "${CLI_PATH}" "$@"; }\n${script}`], {
			cwd: clone,
			env: this.env(),
		});
		child.stdin.end();
		return {...(await finished(child, timeoutMs)), clone};
	}

	/** Removes every container (forcefully), then the storage root. */
	async dispose(): Promise<void> {
		const ids = (await this.run(['ps', '-aq', '--no-trunc'])).stdout.split('\n').filter(Boolean);
		if (ids.length > 0) await this.run(['rm', '-f', ...ids]);
		fs.rmSync(this.dir, {recursive: true, force: true});
	}
}

/** A sandbox for the enclosing describe(), disposed of after its tests. */
export function suiteSandbox(): C32Sandbox {
	const box = new C32Sandbox();
	after(() => box.dispose());
	return box;
}

export function finished(child: ChildProcess, timeoutMs: number): Promise<RunResult> {
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`c32 did not finish within ${timeoutMs} ms; stdout: ${stdout}; stderr: ${stderr}`));
		}, timeoutMs);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			resolve({code, signal, stdout, stderr});
		});
	});
}

/** Resolves once the child's stdout has printed text matching `pattern`. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
	return new Promise((resolve, reject) => {
		let seen = '';
		const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; saw: ${seen}`)), timeoutMs);
		child.stdout!.on('data', (chunk: Buffer | string) => {
			seen += chunk.toString();
			if (pattern.test(seen)) {
				clearTimeout(timer);
				resolve();
			}
		});
	});
}

export const FULL_ID = /^[0-9a-f]{64}$/;
