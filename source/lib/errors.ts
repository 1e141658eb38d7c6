// Errors the CLI raises itself, and how every error becomes a message and an exit code.
// The error module alone: importing engine/index.js here would load the whole engine for --help.
import {isC32Error} from '../../engine/errors.js';
import {escapeControl} from '../../engine/text.js';

/** Docker's convention: the exit codes of a c32 process. */
export const EXIT = {
	ok: 0,
	/** A one-shot command failed (an unknown container, a bad state, ...). */
	failed: 1,
	/** Bad command line: unknown flag, missing argument, unparsable value. */
	usage: 2,
	/** c32 itself could not do what `run` asked. */
	engineFailed: 125,
	/** The container's command exists but cannot be invoked. */
	cannotInvoke: 126,
	/** The container's command was not found. */
	notFound: 127,
} as const;

/** A mistake on the command line; printed with a hint to the command's help. */
export class UsageError extends Error {
	override readonly name = 'UsageError';
}

/** Ends the command with this code once output is written (e.g. after --help). */
export class EarlyExit extends Error {
	override readonly name = 'EarlyExit';

	constructor(readonly code: number) {
		super(`exit ${code}`);
	}
}

export interface ErrorSink {
	write(text: string): unknown;
}

export interface ReportOptions {
	/** The subcommand, for the usage hint; undefined at the top level. */
	command?: string;
	/** Exit code for engine and unexpected failures: 125 for run/create, 1 otherwise. */
	failureCode: number;
	debug: boolean;
}

/** Prints `c32: error: ...` (never a stack trace unless debugging) and returns the exit code. */
export function reportError(error: unknown, stderr: ErrorSink, options: ReportOptions): number {
	if (error instanceof EarlyExit) return error.code;
	if (error instanceof UsageError) {
		const help = options.command ? `c32 ${options.command} --help` : 'c32 --help';
		stderr.write(`${errorLine(error)}See '${help}'.\n`);
		return EXIT.usage;
	}
	const message = error instanceof Error ? error.message : String(error);
	stderr.write(errorLine(error));
	if (options.debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
	if (isC32Error(error)) return options.failureCode === EXIT.engineFailed ? runFailureCode(error.code, message) : options.failureCode;
	return options.failureCode;
}

/** For `run`: a command the runtime could not find is 127, one it could not execute is 126. */
export function runFailureCode(code: string, message: string): number {
	if (code !== 'START_FAILED') return EXIT.engineFailed;
	if (/not found|no such file or directory/i.test(message)) return EXIT.notFound;
	if (/permission denied|exec format error|is a directory/i.test(message)) return EXIT.cannotInvoke;
	return EXIT.engineFailed;
}

/**
 * What the user reads of an error, control characters escaped: all of a usage error (its
 * message is ours, with what the user typed in it), the first line of anything else.
 */
export function errorText(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	return escapeControl(error instanceof UsageError ? message : firstLine(message));
}

/** `c32: error: ...` and a newline: the one form every error is printed in. */
export function errorLine(error: unknown): string {
	return `c32: error: ${errorText(error)}\n`;
}

function firstLine(message: string): string {
	const line = message.split('\n').find((l) => l.trim() !== '');
	return (line ?? message).trim();
}
