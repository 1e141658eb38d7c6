// --cidfile (docker's and podman's): run writes the new container's id to a file, stop and rm
// read it. A systemd unit that recreates its container (generate systemd --new) names the run
// it started by id this way: a name the unit gave may be gone by the time it stops, and a name
// nobody holds would be taken for an id prefix, another container's.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../../engine/errors.js';
import type {Context} from './context.js';
import {UsageError} from './errors.js';

/** Written whole (a temporary file renamed over it), replacing what an earlier run left. */
export function writeCidfile(file: string, id: string): void {
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	try {
		fs.writeFileSync(temporary, `${id}\n`, {mode: 0o644, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		throw new C32Error(
			'PERMISSION_DENIED',
			`cannot write the container id file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
		);
	}
}

/** Removes the file when it still holds `id`: another run's file is left alone. */
export function removeCidfile(file: string, id: string): void {
	try {
		if (fs.readFileSync(file, 'utf8').trim() === id) fs.rmSync(file, {force: true});
	} catch {
		// Gone already.
	}
}

export interface RefFlags {
	cidfile?: string;
	ignore?: boolean;
}

/** The operands, then the id in --cidfile; none at all is a usage error, a missing file one unless --ignore. */
export async function containerRefs(command: string, operands: string[], flags: RefFlags, ctx: Context): Promise<string[]> {
	if (flags.cidfile === undefined) {
		if (operands.length === 0) throw new UsageError(`"c32 ${command}" needs a container`);
		return operands;
	}
	const file = path.resolve(ctx.cwd, flags.cidfile);
	let text: string;
	try {
		text = await ctx.readFile(file);
	} catch {
		if (flags.ignore) return operands;
		throw new C32Error('NOT_FOUND', `no container id file ${file}: give an existing --cidfile, or --ignore`);
	}
	const id = text.trim();
	if (!/^[0-9a-f]{64}$/.test(id)) throw new C32Error('NOT_FOUND', `${file} holds no container id: give the file c32 run --cidfile wrote`);
	return [...operands, id];
}
