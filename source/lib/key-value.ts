// KEY=VALUE words (-e, -l) and env files.
import path from 'node:path';
import {UsageError} from './errors.js';

/**
 * "K=V" -> [K, V]. A bare "K" takes its value from `fallback` (docker's `-e HOME` passes the
 * caller's HOME); without one, a bare key is an error.
 */
export function parseKeyValue(word: string, what: string, fallback?: (key: string) => string | undefined): [string, string] | null {
	const at = word.indexOf('=');
	if (at === 0) throw new UsageError(`invalid ${what} "${word}": use KEY=VALUE`);
	if (at > 0) return [word.slice(0, at), word.slice(at + 1)];
	if (!fallback) throw new UsageError(`invalid ${what} "${word}": use KEY=VALUE`);
	const value = fallback(word);
	return value === undefined ? null : [word, value];
}

/** An env file: KEY=VALUE lines; blank lines and lines starting with # are skipped. */
export function parseEnvFile(text: string, file: string, fallback: (key: string) => string | undefined): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [index, raw] of text.split(/\r?\n/).entries()) {
		const line = raw.replace(/^\s+/, '');
		if (line === '' || line.startsWith('#')) continue;
		let pair: [string, string] | null;
		try {
			pair = parseKeyValue(line, 'environment line', fallback);
		} catch {
			throw new UsageError(`${file} line ${index + 1}: "${raw}" is not KEY=VALUE`);
		}
		if (pair) result[pair[0]] = pair[1];
	}
	return result;
}

/** -e and --env-file as run, create and exec take them: the files in order, then each -e; later wins. */
export function environmentFrom(
	envFiles: {path: string; text: string}[],
	words: string[],
	fallback: (key: string) => string | undefined,
): Record<string, string> {
	const environment: Record<string, string> = {};
	for (const file of envFiles) Object.assign(environment, parseEnvFile(file.text, file.path, fallback));
	for (const word of words) {
		const pair = parseKeyValue(word, 'environment variable', fallback);
		if (pair) environment[pair[0]] = pair[1];
	}
	return environment;
}

/** The contents of each --env-file (relative to `cwd`); one it cannot read is a usage error. */
export function readEnvFiles(
	files: string[],
	ctx: {cwd: string; readFile(path: string): Promise<string>},
): Promise<{path: string; text: string}[]> {
	return Promise.all(
		files.map(async (file) => {
			try {
				return {path: file, text: await ctx.readFile(path.resolve(ctx.cwd, file))};
			} catch (error) {
				const code = (error as NodeJS.ErrnoException).code;
				const why =
					code === 'ENOENT'
						? 'no such file'
						: code === 'EACCES'
							? 'permission denied'
							: code === 'EISDIR'
								? 'a directory'
								: (code ?? String(error));
				throw new UsageError(`cannot read env file ${file}: ${why}; give a file of KEY=VALUE lines`);
			}
		}),
	);
}
