import fs from 'node:fs';
import {C32Error} from '../errors.js';

/** The text of a file the user named (a stack, a manifest), or a NOT_FOUND error naming it as given. */
export function readUserFile(file: string, absolute: string): string {
	try {
		return fs.readFileSync(absolute, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new C32Error('NOT_FOUND', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code)}`);
	}
}
