// Finding a program on a search path, as execvp does: the process driver checks before it
// starts anything, so a missing command fails like runc's does (127, 126 for the CLI).
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';

/** Finds the program as execvp would, so a missing command fails the start like runc's does. */
export function resolveProgram(program: string, cwd: string, searchPath: string): string {
	const candidates = program.includes('/')
		? [path.resolve(cwd, program)]
		: searchPath
				.split(':')
				.filter(Boolean)
				.map((dir) => path.join(dir, program));
	for (const candidate of candidates) {
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			// keep looking
		}
	}
	const exists = candidates.some((c) => fs.existsSync(c));
	throw new C32Error('START_FAILED', exists ? `${program}: permission denied` : `${program}: executable file not found in $PATH`);
}
