// After tsc: bundles every entry point a process starts with (the CLI and the scripts the
// engine spawns) into dist/bundle, so a command reads a few files instead of a hundred
// modules; makes the CLI executable and copies non-TypeScript assets (fixtures) next to the build.
import {chmodSync, cpSync, existsSync, readFileSync, writeFileSync} from 'node:fs';
import {builtinModules} from 'node:module';
import path from 'node:path';
import {rollup} from 'rollup';

// The engine finds its spawned scripts beside its own code (new URL('./on-exit.js',
// import.meta.url)): in the bundle, every entry and chunk sits in one flat directory.
const ENTRIES = ['dist/source/cli.js', 'dist/engine/on-exit.js', 'dist/engine/health/tick.js', 'dist/engine/events/dispatch-main.js'].map(
	(entry) => path.resolve(entry),
);

// Each further module a command loads costs it a resolve, a read and a link, so what the
// frequent commands run comes in a few chunks of its own, a module in the first group whose
// roots reach it through static imports. Everything else (images, stacks, the dashboard) is
// split along its dynamic imports, loaded on use.
const GROUPS = {
	// What cli.js itself imports: --version answers without loading the core.
	first: ['dist/source/cli.js'],
	// The CLI's core (what cli.js loads for every command), the engine's façade and a listing.
	core: ['main', 'lib/output', 'lib/process-context', 'commands/ps']
		.map((module) => `dist/source/${module}.js`)
		.concat('dist/engine/index.js'),
	// What starting and ending a container needs: drivers, attachments, the default network.
	host: ['host-services', 'live-host-facts', 'network/attach', 'network/names'].map((module) => `dist/engine/${module}.js`),
	// The commands of a container's life.
	lifecycle: ['run', 'create', 'start', 'stop', 'restart', 'kill', 'rm', 'logs', 'inspect', 'exec']
		.map((name) => `dist/source/commands/${name}.js`)
		.concat('dist/engine/schema.js'),
};

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

const groupOf = new Map();
for (const [group, roots] of Object.entries(GROUPS)) {
	const reached = new Set();
	for (const root of roots) staticClosure(path.resolve(root), reached);
	for (const module of reached) if (!groupOf.has(module) && !ENTRIES.includes(module)) groupOf.set(module, group);
}

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
	// An entry runs when it is loaded: it never joins a group.
	manualChunks: (id) => groupOf.get(id),
	// A chunk loads what it imports, no more: a core's builtins are not hoisted into cli.js.
	hoistTransitiveImports: false,
});
await bundle.close();

// The command's entry is CommonJS with the version written in: `c32 --version` answers
// without starting Node's ESM loader (about 5 ms) or reading package.json; every other
// command goes on to cli.js.
const {version} = JSON.parse(readFileSync('package.json', 'utf8'));
writeFileSync(
	'dist/bundle/c32.cjs',
	`#!/usr/bin/env node
'use strict';
const argv = process.argv.slice(2);
if (Number(process.versions.node.split('.')[0]) >= 20 && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
	process.stdout.write(${JSON.stringify(`${version}\n`)});
} else {
	import('./cli.js');
}
`,
);

for (const cli of ['dist/source/cli.js', 'dist/bundle/cli.js', 'dist/bundle/c32.cjs']) if (existsSync(cli)) chmodSync(cli, 0o755);
if (existsSync('test/fixtures')) cpSync('test/fixtures', 'dist/test/fixtures', {recursive: true});
