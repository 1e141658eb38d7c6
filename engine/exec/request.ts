// An exec request, checked before anything runs: the command, the environment, the user's
// form, the working directory and the stdio. Pure: whether fd 0 is a terminal comes in.
import path from 'node:path';
import type {ExecOptions} from '../api.js';
import {ENV_KEY_PATTERN} from '../config.js';
import type {ExecIO, ExecProcess} from '../drivers/driver.js';
import {C32Error} from '../errors.js';

/** "uid", "uid:gid", "name" or "name:gid", as create takes it. */
const USER_PATTERN = /^([^:\s]+)(?::(\d+))?$/;
const MAX_ID = 2 ** 32 - 2;

export interface UserSpec {
	/** A name to look up, or null for a numeric uid. */
	name: string | null;
	uid: number | null;
	gid: number | null;
}

/** Checks the options; `stdinIsTerminal` says whether this process's fd 0 is a TTY. */
export function execRequest(options: ExecOptions, stdinIsTerminal: boolean): {request: ExecProcess; io: ExecIO} {
	if (typeof options !== 'object' || options === null) throw invalid('exec needs options with a command: {command: ["sh"]}');
	const {command} = options;
	if (!Array.isArray(command) || command.length === 0 || command[0] === '') {
		throw invalid('exec needs a command: give the program and its arguments, e.g. ["sh", "-c", "echo hi"]');
	}
	if (command.some((word) => typeof word !== 'string' || word.includes('\0'))) {
		throw invalid('the command must be a list of strings without NUL bytes');
	}
	const env = checkEnvironment(options.env);
	const user = options.user === undefined ? null : checkUser(options.user);
	const cwd = options.workingDir === undefined ? null : checkWorkingDir(options.workingDir);
	const terminal = options.tty === true;
	const detach = options.detach === true;
	const io = checkStdio(options, terminal, detach, stdinIsTerminal);
	return {request: {args: [...command], env, user, cwd, terminal, detach}, io};
}

function checkEnvironment(env: ExecOptions['env']): Record<string, string> {
	if (env === undefined) return {};
	if (typeof env !== 'object' || env === null || Array.isArray(env)) throw invalid('env must be an object of KEY: value strings');
	const result: Record<string, string> = {};
	for (const [key, value] of Object.entries(env)) {
		if (!ENV_KEY_PATTERN.test(key)) {
			throw invalid(`invalid environment variable name ${JSON.stringify(key)}: use letters, digits and "_", not starting with a digit`);
		}
		if (typeof value !== 'string' || value.includes('\0')) throw invalid(`environment variable ${key} must be a string without NUL bytes`);
		result[key] = value;
	}
	return result;
}

function checkUser(user: unknown): string {
	if (typeof user !== 'string' || parseUserSpec(user) === null) {
		throw invalid(`invalid user ${JSON.stringify(user)}: use uid, uid:gid, a user name or name:gid`);
	}
	const spec = parseUserSpec(user)!;
	for (const id of [spec.uid, spec.gid]) {
		if (id !== null && id > MAX_ID) throw invalid(`invalid user ${JSON.stringify(user)}: ids go from 0 to ${MAX_ID}`);
	}
	return user;
}

/** The parts of a user given as "uid", "uid:gid", "name" or "name:gid"; null when it has none of these forms. */
export function parseUserSpec(user: string): UserSpec | null {
	const match = USER_PATTERN.exec(user);
	if (!match || user.includes('\0')) return null;
	const [, who, gid] = match;
	const numeric = /^\d+$/.test(who!);
	return {name: numeric ? null : who!, uid: numeric ? Number(who) : null, gid: gid === undefined ? null : Number(gid)};
}

function checkWorkingDir(dir: unknown): string {
	if (typeof dir !== 'string' || dir.includes('\0') || !path.isAbsolute(dir)) {
		throw invalid(`the working directory ${JSON.stringify(dir)} must be an absolute path inside the container`);
	}
	return path.resolve(dir);
}

function checkStdio(options: ExecOptions, terminal: boolean, detach: boolean, stdinIsTerminal: boolean): ExecIO {
	const {stdio, signal} = options;
	const io = (value: ExecIO['stdio']): ExecIO => (signal === undefined ? {stdio: value} : {stdio: value, signal});
	if (detach) {
		if (terminal) throw invalid('detach and tty exclude each other: a detached command runs without a terminal');
		if (stdio !== undefined) throw invalid('a detached command has no stdio: its input and output are /dev/null (drop stdio)');
		return io({stdin: null, stdout: null, stderr: null});
	}
	if (terminal) {
		if (stdio !== 'inherit') throw invalid('a terminal (tty) needs stdio "inherit": the command reads and writes your terminal');
		if (!stdinIsTerminal) throw invalid('the input device is not a TTY: drop -t (tty), or run it from a terminal');
		return io('inherit');
	}
	if (stdio === 'inherit') return io('inherit');
	if (stdio === undefined) return io({stdin: null, stdout: null, stderr: null});
	if (typeof stdio !== 'object' || stdio === null) throw invalid('stdio must be "inherit" or {stdin, stdout, stderr} streams');
	return io({stdin: stdio.stdin ?? null, stdout: stdio.stdout ?? null, stderr: stdio.stderr ?? null});
}

/**
 * The container's "KEY=value" list with `layers` over it, in order: a later value replaces
 * an earlier one in its place, so no key appears twice.
 */
export function mergeEnvironment(base: readonly string[], ...layers: Record<string, string>[]): string[] {
	const env = new Map<string, string>();
	for (const entry of base) {
		const at = entry.indexOf('=');
		if (at > 0) env.set(entry.slice(0, at), entry.slice(at + 1));
	}
	for (const layer of layers) for (const [key, value] of Object.entries(layer)) env.set(key, value);
	return [...env].map(([key, value]) => `${key}=${value}`);
}

function invalid(message: string): C32Error {
	return new C32Error('INVALID_CONFIG', message);
}
