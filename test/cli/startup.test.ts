// One-shot commands must not load React or Ink: start-up time is a feature. This follows
// every static import from each command module (in the build) and fails if one reaches them;
// and the most frequent commands leave out the heavy Node builtins they never use.
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';
import {CLI_PATH} from './binary.js';

const commandsDir = fileURLToPath(new URL('../../source/commands/', import.meta.url));
const STATIC_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Every file reachable through static imports, with bare packages as "pkg:<name>". */
function staticClosure(entry: string): Set<string> {
	const seen = new Set<string>();
	const visit = (file: string) => {
		if (seen.has(file)) return;
		seen.add(file);
		if (file.startsWith('pkg:') || file.startsWith('node:')) return;
		const text = fs.readFileSync(file, 'utf8');
		for (const match of text.matchAll(STATIC_IMPORT)) {
			const specifier = (match[1] ?? match[2])!;
			if (specifier.startsWith('node:')) continue;
			if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
			else {
				const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
				seen.add(`pkg:${name}`);
			}
		}
	};
	visit(entry);
	return seen;
}

describe('start-up weight', () => {
	it('no command but top reaches react, ink or the dashboard', () => {
		const modules = fs.readdirSync(commandsDir).filter((f) => f.endsWith('.js') && f !== 'top.js');
		assert.ok(modules.length >= 20, `only ${modules.length} command modules built`);
		for (const module of modules) {
			const closure = staticClosure(path.join(commandsDir, module));
			for (const file of closure) {
				assert.ok(!['pkg:react', 'pkg:ink', 'pkg:react-dom'].includes(file), `${module} loads ${file}`);
				assert.ok(!file.includes(`${path.sep}components${path.sep}`), `${module} loads ${file}`);
			}
		}
	});
	it('no command, attach included, loads the attach socket client (a native addon) up front', () => {
		for (const module of fs.readdirSync(commandsDir).filter((f) => f.endsWith('.js'))) {
			const closure = staticClosure(path.join(commandsDir, module));
			assert.ok(!closure.has('pkg:node-unix-socket'), `${module} loads node-unix-socket`);
			assert.ok(![...closure].some((f) => f.endsWith(`${path.sep}oci-attach.js`)), `${module} loads the attach client`);
		}
		const engine = staticClosure(fileURLToPath(new URL('../../engine/index.js', import.meta.url)));
		assert.ok(!engine.has('pkg:node-unix-socket'), 'the engine loads node-unix-socket up front');
		assert.ok(!engine.has('pkg:pidusage'), 'the engine loads pidusage up front: only the metrics of the minimal driver use it');
	});
	it('the CLI entry loads commands lazily, not the engine, the flag parser or any command up front', () => {
		const closure = [...staticClosure(fileURLToPath(new URL('../../source/cli.js', import.meta.url)))];
		assert.ok(!closure.some((f) => f.endsWith(`${path.sep}engine${path.sep}index.js`)), 'cli.js statically loads the engine');
		assert.ok(
			!closure.some((f) => f.endsWith(`${path.sep}flags.js`)),
			'cli.js statically loads the flag parser: --version and --help would pay for it',
		);
		assert.ok(
			!closure.some((f) => f.includes(`${path.sep}commands${path.sep}`) && !f.endsWith('registry.js')),
			'cli.js statically loads a command',
		);
	});
});

describe('the built binary', () => {
	it("run as a program (its #! line), a missing --env-file is c32's one-line error, not Node's", () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-env-file-'));
		try {
			const missing = path.join(dir, 'missing.env');
			const run = spawnSync(CLI_PATH, ['create', '--isolation', 'minimal', '--env-file', missing, '--', 'true'], {
				encoding: 'utf8',
				env: {...process.env, C32_STORAGE_DIR: path.join(dir, 'storage')},
			});
			assert.equal(run.status, 2, run.stderr);
			assert.match(run.stderr, /^c32: error: .*missing\.env/);
			assert.doesNotMatch(run.stderr, /^node:/m);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
	it('answers --version and -v with the version in package.json', () => {
		const {version} = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {version: string};
		for (const flag of ['--version', '-v']) {
			const run = spawnSync(process.execPath, [CLI_PATH, flag], {encoding: 'utf8'});
			assert.deepEqual([run.status, run.stdout, run.stderr], [0, `${version}\n`, '']);
		}
	});
	it('refuses a Node older than 20 in one line, before it does anything', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-old-node-'));
		try {
			const preload = path.join(dir, 'old-node.mjs');
			fs.writeFileSync(preload, "Object.defineProperty(process.versions, 'node', {value: '18.19.0'});\n");
			for (const args of [['ps'], ['--version']]) {
				const run = spawnSync(process.execPath, ['--import', preload, CLI_PATH, ...args], {
					encoding: 'utf8',
					env: {...process.env, C32_STORAGE_DIR: dir},
				});
				assert.equal(run.status, 1);
				assert.equal(run.stdout, '');
				assert.match(
					run.stderr,
					/^c32: error: c32 needs Node\.js 20 or newer \(found v[\d.]+\): install it from your distribution or nodejs\.org\n$/,
				);
			}
			assert.deepEqual(fs.readdirSync(dir), ['old-node.mjs'], 'nothing was made in the storage root');
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});

/** Builtins that neither a listing nor --version needs: process spawning (with dgram), fs/promises (with readline). */
const HEAVY = ['child_process', 'dgram', 'fs/promises', 'readline'];

/** The Node builtins and the files of the bundle that `c32 ...args` loads (on an empty storage root). */
function loadedBy(args: string[]): {builtins: Set<string>; files: string[]} {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-startup-'));
	try {
		const builtinsOut = path.join(dir, 'builtins.json');
		const filesOut = path.join(dir, 'files.txt');
		const preload = path.join(dir, 'record.cjs');
		// The bundle is CommonJS: every file it loads passes through Module.prototype.load.
		fs.writeFileSync(
			preload,
			[
				`process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(builtinsOut)}, JSON.stringify(process.moduleLoadList)));`,
				"const Module = require('module');",
				'const load = Module.prototype.load;',
				`Module.prototype.load = function (filename) { require('fs').appendFileSync(${JSON.stringify(filesOut)}, filename + '\\n'); return load.call(this, filename); };`,
				'',
			].join('\n'),
		);
		const run = spawnSync(process.execPath, ['--require', preload, CLI_PATH, ...args], {
			env: {...process.env, C32_STORAGE_DIR: path.join(dir, 'storage'), NO_COLOR: '1'},
			encoding: 'utf8',
		});
		assert.equal(run.status, 0, run.stderr);
		const loaded = JSON.parse(fs.readFileSync(builtinsOut, 'utf8')) as string[];
		const files = (fs.existsSync(filesOut) ? fs.readFileSync(filesOut, 'utf8') : '').split('\n').filter((url) => url.includes('/bundle/'));
		return {
			builtins: new Set(loaded.filter((name) => name.startsWith('NativeModule ')).map((name) => name.slice('NativeModule '.length))),
			files,
		};
	} finally {
		fs.rmSync(dir, {recursive: true, force: true});
	}
}

describe('what the most frequent commands load', () => {
	for (const [args, mostFiles] of [
		// The entry; then cli.js, the code cache's loader, the first chunk and the core.
		[['--version'], 1],
		[['ps', '-a'], 5],
		[['ps', '-a', '--json'], 5],
	] as const) {
		it(`c32 ${args.join(' ')} loads none of ${HEAVY.join(', ')}, and at most ${mostFiles} files of the bundle`, () => {
			const {builtins, files} = loadedBy([...args]);
			assert.ok(builtins.has('fs'), 'the list is read');
			assert.deepEqual(
				HEAVY.filter((name) => builtins.has(name)),
				[],
			);
			assert.ok(files.length >= 1 && files.length <= mostFiles, files.join('\n'));
		});
	}
});
