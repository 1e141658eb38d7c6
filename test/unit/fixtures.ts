// Paths of the cgroup fixture files, next to the compiled tests (scripts/postbuild.mjs copies them).
// Imported by the cgroup and metrics tests; it defines no tests itself.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

export const CGROUP_FIXTURES = fileURLToPath(new URL('../fixtures/cgroup/', import.meta.url));

export function fixture(relative: string): string {
	return readFileSync(CGROUP_FIXTURES + relative, 'utf8');
}

export function fixtureDir(relative: string): string {
	return CGROUP_FIXTURES + relative;
}
