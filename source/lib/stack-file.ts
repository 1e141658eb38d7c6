// The stack file a command works on: -f FILE, else the first of STACK_FILES in the current directory.
import path from 'node:path';
import type {Stack} from '../../engine/index.js';
import {findStackFile, loadStack} from '../../engine/stack/compose.js';
import {escapeControl} from '../../engine/text.js';
import type {Context} from './context.js';

export async function readStack(file: string | undefined, ctx: Context): Promise<Stack> {
	const chosen = file === undefined ? findStackFile(ctx.cwd) : path.resolve(ctx.cwd, file);
	const stack = await loadStack(chosen, {env: ctx.env});
	for (const warning of stack.warnings) ctx.stderr.write(`c32: warning: ${escapeControl(warning)}\n`);
	return stack;
}

/** --scale SERVICE=N words -> {SERVICE: N}. */
export function parseScale(words: string[]): Record<string, number> {
	const scale: Record<string, number> = {};
	for (const word of words) {
		const match = /^([^=]+)=(\d+)$/.exec(word);
		if (!match || Number(match[2]) > 100) throw new Error(`invalid --scale "${word}": use SERVICE=N (N from 0 to 100)`);
		scale[match[1]!] = Number(match[2]);
	}
	return scale;
}
