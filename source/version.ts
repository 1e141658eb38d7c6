import {readFileSync} from 'node:fs';

let cachedVersion: string | undefined;

/** c32's version, from its package.json (two levels up from the built file, bundled or not). */
export function version(): string {
	cachedVersion ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}).version;
	return cachedVersion;
}
