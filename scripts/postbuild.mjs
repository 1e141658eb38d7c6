// After tsc: bundles every entry point a process starts with (the CLI and the scripts the
// engine spawns) into dist/bundle, so a command reads a few files instead of a hundred
// modules; makes the CLI executable and copies non-TypeScript assets (fixtures) next to the build.
//
// The bundle is CommonJS: Node 20 keeps no code cache for ES modules, and a CommonJS chunk
// can be compiled with V8's cached bytecode (source/code-cache.ts), which every entry installs
// before it loads a chunk.
import {chmodSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {builtinModules, createRequire} from 'node:module';
import path from 'node:path';
import {rollup} from 'rollup';
// tsc has built it: the chunks the build names and the ones the code cache takes are one pattern.
import {HASHED_CHUNK} from '../dist/source/code-cache.js';

// The engine finds its spawned scripts beside its own code (new URL('./on-exit.js',
// import.meta.url)): in the bundle, every entry and chunk sits in one flat directory.
const ENTRIES = [
	'dist/source/cli.js',
	'dist/engine/on-exit.js',
	'dist/engine/health/tick.js',
	'dist/engine/events/dispatch-main.js',
	'dist/source/code-cache.js',
].map((entry) => path.resolve(entry));
const CODE_CACHE = 'code-cache.js';

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

const requireHere = createRequire(import.meta.url);
/** A package only an ES module import can load (ink, conf): its entry is an ES module. */
function isEsmOnly(id) {
	if (id.startsWith('node:') || builtinModules.includes(id)) return false;
	const file = requireHere.resolve(id);
	if (file.endsWith('.mjs')) return true;
	if (!file.endsWith('.js')) return false;
	for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
	}
	return false;
}

// Where the packages that CommonJS cannot require are handed over: the chunk that imports one
// reads it here, and every dynamic import that reaches such a chunk imports them first. A
// chunk compiled with cached bytecode cannot import() (Node 20 loses the callback), so the
// import is code-cache.js's, which Node compiles itself.
const ESM_ONLY_REGISTRY = "globalThis[Symbol.for('c32.esm-only')]";
const esmOnly = new Map();
const esmOnlyOf = (id) => {
	if (!esmOnly.has(id)) esmOnly.set(id, isEsmOnly(id));
	return esmOnly.get(id);
};
const esmOnlyPlugin = {
	name: 'esm-only-packages',
	renderDynamicImport({moduleId, targetModuleId}) {
		// The one import() that stays: code-cache.js's, on behalf of the chunks.
		if (path.basename(moduleId) === CODE_CACHE) return {left: 'import(', right: ')'};
		if (!targetModuleId) return null;
		if (this.getModuleInfo(targetModuleId)?.isExternal && esmOnlyOf(targetModuleId)) {
			return {left: `require('./${CODE_CACHE}').importModule(`, right: ')'};
		}
		const packages = new Set();
		const seen = new Set();
		const visit = (id) => {
			if (seen.has(id)) return;
			seen.add(id);
			const info = this.getModuleInfo(id);
			if (!info) return;
			if (info.isExternal) {
				if (esmOnlyOf(id)) packages.add(id);
				return;
			}
			for (const imported of info.importedIds) visit(imported);
		};
		visit(targetModuleId);
		if (packages.size === 0) return null;
		const ids = [...packages];
		const imports = ids.map((id) => `require('./${CODE_CACHE}').importModule(${JSON.stringify(id)})`).join(', ');
		const keep = ids.map((id, index) => `r[${JSON.stringify(id)}] = m[${index}];`).join(' ');
		return {
			left: `Promise.all([${imports}]).then(function (m) { var r = ${ESM_ONLY_REGISTRY} = ${ESM_ONLY_REGISTRY} || {}; ${keep} }).then(function () { return require(`,
			right: '); })',
		};
	},
	renderChunk(code, chunk) {
		const packages = chunk.imports.filter((id) => this.getModuleInfo(id)?.isExternal && esmOnlyOf(id));
		if (packages.length === 0) return null;
		let out = code;
		for (const id of packages)
			out = out
				.replaceAll(`require(${JSON.stringify(id)})`, `${ESM_ONLY_REGISTRY}[${JSON.stringify(id)}]`)
				.replaceAll(`require('${id}')`, `${ESM_ONLY_REGISTRY}['${id}']`);
		for (const id of packages) if (out.includes(`require('${id}')`)) throw new Error(`postbuild: ${chunk.fileName} still requires ${id}`);
		return {code: out, map: null};
	},
};

const bundle = await rollup({
	input: ENTRIES,
	// Packages stay where npm put them: only c32's own modules are bundled.
	external: isExternal,
	plugins: [esmOnlyPlugin],
});
await bundle.write({
	dir: 'dist/bundle',
	format: 'cjs',
	// The registry holds module namespaces: their default export is `.default`.
	interop: (id) => (id && esmOnlyOf(id) ? 'esModule' : 'default'),
	// A package or builtin a chunk imports on use is required on use: no import() in a chunk.
	dynamicImportInCjs: false,
	entryFileNames: '[name].js',
	chunkFileNames: '[name]-[hash].js',
	// An entry runs when it is loaded: it never joins a group.
	manualChunks: (id) => groupOf.get(id),
	// A chunk loads what it imports, no more: a core's builtins are not hoisted into cli.js.
	hoistTransitiveImports: false,
});
await bundle.close();
writeFileSync('dist/bundle/package.json', `${JSON.stringify({type: 'commonjs'})}\n`);
for (const name of readdirSync('dist/bundle')) {
	if (HASHED_CHUNK.test(name) && /\bimport\s*\(/.test(readFileSync(path.join('dist/bundle', name), 'utf8'))) {
		throw new Error(`postbuild: the chunk ${name} calls import(), which fails in a chunk compiled with cached bytecode`);
	}
}

// Each entry installs the code cache before its first chunk loads (its require()s come first).
for (const entry of ENTRIES) {
	const name = path.basename(entry);
	if (name === CODE_CACHE) continue;
	const file = path.join('dist/bundle', name);
	const text = readFileSync(file, 'utf8');
	const strict = "'use strict';\n";
	if (!text.includes(strict)) throw new Error(`postbuild: ${file} has no 'use strict' line to follow`);
	writeFileSync(file, text.replace(strict, `${strict}require('./${CODE_CACHE}').installCodeCache(__dirname);\n`));
}

// The command's entry, with the version written in: `c32 --version` answers without loading
// anything or reading package.json; every other command goes on to cli.js.
const {version} = JSON.parse(readFileSync('package.json', 'utf8'));
// `node --`: Node 20 fails on its own (exit 9, "node: FILE: not found") when any argument after
// the script is `--env-file` naming a missing file, as `c32 run --env-file FILE` does.
writeFileSync(
	'dist/bundle/c32.cjs',
	`#!/usr/bin/env -S node --
'use strict';
const argv = process.argv.slice(2);
if (Number(process.versions.node.split('.')[0]) >= 20 && argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
	process.stdout.write(${JSON.stringify(`${version}\n`)});
} else {
	require('./cli.js');
}
`,
);

for (const cli of ['dist/source/cli.js', 'dist/bundle/cli.js', 'dist/bundle/c32.cjs']) if (existsSync(cli)) chmodSync(cli, 0o755);
if (existsSync('test/fixtures')) cpSync('test/fixtures', 'dist/test/fixtures', {recursive: true});
