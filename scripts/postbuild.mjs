// After tsc: bundles every entry point a process starts with (the CLI and the scripts the
// engine spawns) into dist/bundle, so a command reads a few files instead of a hundred
// modules; makes the CLI executable and copies non-TypeScript assets (fixtures) next to the build.
import {chmodSync, cpSync, existsSync, readFileSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {rollup} from 'rollup';

// The engine finds its spawned scripts beside its own code (new URL('./on-exit.js',
// import.meta.url)): in the bundle, every entry and chunk sits in one flat directory.
const ENTRIES = [
	'dist/source/cli.js',
	'dist/engine/on-exit.js',
	'dist/engine/drivers/supervisor.js',
	'dist/engine/health/tick.js',
	'dist/engine/events/dispatch-main.js',
].map((entry) => path.resolve(entry));

// What nearly every command runs — the CLI's core, the engine's façade and a listing — is one
// chunk: each further module a command loads costs it a resolve, a read and a link. Everything
// else (images, networks, stacks, the dashboard) is split as its imports ask, loaded on use.
const CORE_ROOTS = ['dist/source/main.js', 'dist/engine/index.js', 'dist/source/commands/ps.js'];

const RELATIVE_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm;

/** Every module of ours that `file` reaches through static imports. */
function staticClosure(file, into = new Set()) {
	if (into.has(file)) return into;
	into.add(file);
	for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)) {
		staticClosure(path.resolve(path.dirname(file), match[1] ?? match[2]), into);
	}
	return into;
}

const core = new Set();
for (const root of CORE_ROOTS) staticClosure(path.resolve(root), core);
// What cli.js itself imports is a chunk of its own: --version answers without loading the core.
const first = staticClosure(path.resolve('dist/source/cli.js'));
for (const module of first) core.delete(module);

const isExternal = (id) => id.startsWith('node:') || builtinModules.includes(id) || !(id.startsWith('.') || path.isAbsolute(id));

const bundle = await rollup({
	input: ENTRIES,
	// Packages stay where npm put them: only c32's own modules are bundled.
	external: isExternal,
});
await bundle.write({
	dir: 'dist/bundle',
	format: 'es',
	entryFileNames: '[name].js',
	chunkFileNames: '[name]-[hash].js',
	// An entry runs when it is loaded: it never joins the core.
	manualChunks: (id) => (ENTRIES.includes(id) ? undefined : core.has(id) ? 'core' : first.has(id) ? 'first' : undefined),
	// A chunk loads what it imports, no more: a core's builtins are not hoisted into cli.js.
	hoistTransitiveImports: false,
});
await bundle.close();

for (const cli of ['dist/source/cli.js', 'dist/bundle/cli.js']) if (existsSync(cli)) chmodSync(cli, 0o755);
if (existsSync('test/fixtures')) cpSync('test/fixtures', 'dist/test/fixtures', {recursive: true});
