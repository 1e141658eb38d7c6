// Flags shared by the commands that move images (pull, load, import, commit, run/create).
import path from 'node:path';
import type {PullOptions} from '../../engine/index.js';
import {UsageError} from './errors.js';

export const pullFlags = {
	tlsVerify: {type: 'boolean', default: true},
	authfile: {type: 'string'},
} as const;

export const quietFlag = {quiet: {type: 'boolean', shortFlag: 'q'}} as const;

export const pullFlagsHelp = `
  --tls-verify=false     Plain http or a self-signed certificate (a local registry)
  --authfile FILE        Registry credentials (default: where skopeo looks, e.g. $XDG_RUNTIME_DIR/containers/auth.json)`;

/** The pull options of the flags (progress and abort are the caller's). */
export function pullOptions(flags: {tlsVerify?: boolean; authfile?: string}, cwd: string): PullOptions {
	const options: PullOptions = {};
	if (flags.tlsVerify === false) options.tlsVerify = false;
	if (flags.authfile !== undefined) options.authFile = absolute(flags.authfile, cwd);
	return options;
}

/** Files handed to the engine are absolute: its working directory is not the caller's concern. */
export function absolute(file: string, cwd: string): string {
	return path.resolve(cwd, file);
}

export const changeFlag = {change: {type: 'string', isMultiple: true}} as const;

export const changeFlagHelp = `
  --change 'INSTR ARGS'  Set part of the image config (repeatable), as docker's --change:
                         CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL
                         ('CMD ["python3", "/app/bot.py"]', 'ENV MODE=prod', 'WORKDIR /app')`;

const INSTRUCTIONS = new Set(['CMD', 'ENTRYPOINT', 'ENV', 'WORKDIR', 'USER', 'LABEL', 'EXPOSE', 'STOPSIGNAL']);

/** Checks each --change names an instruction c32 applies (the engine reads the arguments). */
export function checkChanges(changes: readonly string[]): string[] {
	for (const change of changes) {
		const instruction = /^\s*([A-Za-z]+)(?:[\s=]|$)/.exec(change)?.[1]?.toUpperCase();
		if (instruction === undefined || !INSTRUCTIONS.has(instruction)) {
			throw new UsageError(`invalid --change ${JSON.stringify(change)}: start it with one of ${[...INSTRUCTIONS].join(', ')}`);
		}
	}
	return [...changes];
}
