// V8's code cache for the bundle's chunks: Node 20 compiles every script it loads from source,
// about a third of a short command's own time. Each hashed chunk of the bundle is compiled
// with the bytecode V8 left from an earlier run; a chunk without it (first run, new build,
// other Node) is compiled as usual and its cache written when the process exits, with the
// functions that run compiled in. Loaded first by every entry of the bundle; builtins only.
//
// Bytecode is code: only a cache this user alone can write is read, its directory owned by
// the user and closed to others, every file opened without following links.
import crypto from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

/** A chunk's name as the build writes it: [name]-[hash].js. Entries are small, and change without a new name. */
export const HASHED_CHUNK = /-[A-Za-z0-9_-]{8}\.js$/;

/** Where this user's cache lives: C32_CODE_CACHE_DIR (empty: none), else /var/cache/c32 for root, else the XDG cache. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? -1): string | null {
	const chosen = env.C32_CODE_CACHE_DIR;
	if (chosen !== undefined) return chosen === '' ? null : path.resolve(chosen);
	if (uid === 0) return '/var/cache/c32/code';
	const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
	return path.join(base, 'c32', 'code');
}

const NODE_TAG = `${process.version}.${process.arch}`;

/**
 * The cache file of a script, or null when it gets none: a chunk of the bundle by its name
 * (which holds the build's hash); a package's file by its path, size and time of change.
 */
export function cacheFileOf(dir: string, filename: string, bundleDir: string): string | null {
	if (path.dirname(filename) === bundleDir) {
		return HASHED_CHUNK.test(filename) ? path.join(dir, `${path.basename(filename, '.js')}.${NODE_TAG}.v8`) : null;
	}
	const packages = path.join(path.dirname(path.dirname(bundleDir)), 'node_modules') + path.sep;
	if (!filename.startsWith(packages)) return null;
	try {
		const {size, mtimeMs} = fs.statSync(filename);
		const key = crypto.createHash('sha256').update(`${filename}\0${size}\0${mtimeMs}`).digest('hex').slice(0, 32);
		return path.join(dir, `package-${key}.${NODE_TAG}.v8`);
	} catch {
		return null;
	}
}

const closedToOthers = (stat: fs.Stats, uid: number) => stat.uid === uid && (stat.mode & 0o022) === 0;

/**
 * The cache directory, made if missing (0700), when only `uid` can change what is in it: a
 * directory, no link, owned by the user and not writable by others, in a parent others cannot
 * rename it out of (owned by root or the user, or sticky). Null otherwise.
 */
export function trustedCacheDir(dir: string, uid: number): string | null {
	try {
		fs.mkdirSync(dir, {recursive: true, mode: 0o700});
		const stat = fs.lstatSync(dir);
		if (!stat.isDirectory() || !closedToOthers(stat, uid)) return null;
		const parent = fs.statSync(path.dirname(dir));
		const parentSafe = (parent.uid === 0 || parent.uid === uid) && ((parent.mode & 0o022) === 0 || (parent.mode & 0o1000) !== 0);
		return parentSafe ? dir : null;
	} catch {
		return null;
	}
}

/** The cached bytecode in `file`, when it is a regular file of `uid`'s that others cannot write; else undefined. */
export function readCache(file: string, uid: number): Buffer | undefined {
	let fd: number | undefined;
	try {
		fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
		const stat = fs.fstatSync(fd);
		if (!stat.isFile() || !closedToOthers(stat, uid)) return undefined;
		return fs.readFileSync(fd);
	} catch {
		return undefined;
	} finally {
		if (fd !== undefined) fs.closeSync(fd);
	}
}

/** Writes `data` whole or not at all (0600). A failure only costs the next run its cache. */
export function writeCache(file: string, data: Buffer): void {
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		fs.writeFileSync(temporary, data, {mode: 0o600, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch {
		fs.rmSync(temporary, {force: true});
	}
}

/**
 * Removes the caches no script of this build and Node can use: another Node's, and those of
 * chunks the bundle no longer has (a rebuild or an upgrade names its chunks anew).
 */
export function pruneCache(dir: string, bundleDir: string): void {
	try {
		const chunks = new Set(fs.readdirSync(bundleDir));
		for (const name of fs.readdirSync(dir)) {
			const match = /^(.+)\.(v[0-9]+\.[0-9]+\.[0-9]+\.[a-z0-9]+)\.v8$/.exec(name);
			if (!match) continue;
			const [, script, tag] = match;
			if (tag !== NODE_TAG || (!script?.startsWith('package-') && !chunks.has(`${script}.js`)))
				fs.rmSync(path.join(dir, name), {force: true});
		}
	} catch {
		// Pruning is tidiness: the next write tries again.
	}
}

interface LoadableModule {
	exports: unknown;
	require(id: string): unknown;
}
type Compile = (this: LoadableModule, content: string, filename: string) => unknown;
const moduleInternals = Module as unknown as {
	prototype: {_compile: Compile};
	_resolveFilename(request: string, parent: LoadableModule, isMain: boolean, options?: unknown): string;
	_cache: unknown;
};

let installed = false;

/**
 * An ES module import on behalf of a chunk: code compiled with cached bytecode cannot import()
 * (Node 20 loses its callback), this module is compiled by Node itself.
 */
export function importModule(specifier: string): Promise<unknown> {
	return import(specifier);
}

/**
 * Compiles the hashed chunks in `bundleDir`, and the packages beside it, with their cached
 * bytecode from now on. The build makes sure no chunk calls import(); a package file that may
 * is compiled by Node as usual.
 */
export function installCodeCache(bundleDir: string): void {
	const uid = process.getuid?.() ?? -1;
	const wanted = codeCacheDir();
	if (installed || uid < 0 || !wanted) return;
	const dir = trustedCacheDir(wanted, uid);
	if (!dir) return;
	installed = true;
	const toWrite: [vm.Script, string][] = [];
	const compile = moduleInternals.prototype._compile;
	moduleInternals.prototype._compile = function (this: LoadableModule, content: string, filename: string) {
		// A package file that may import() is Node's to compile: known before its stat and hash.
		const mayImport = path.dirname(filename) !== bundleDir && content.includes('import(');
		const file = mayImport ? null : cacheFileOf(dir, filename, bundleDir);
		if (file === null) return compile.call(this, content, filename);
		const cachedData = readCache(file, uid);
		// A hashbang is only valid at a script's very start, not inside the module wrapper.
		const source = content.startsWith('#!') ? `//${content}` : content;
		const script = new vm.Script(Module.wrap(source), {filename, cachedData});
		if (cachedData === undefined || script.cachedDataRejected) toWrite.push([script, file]);
		const localRequire = Object.assign((id: string) => this.require(id), {
			resolve: (request: string, options?: unknown) => moduleInternals._resolveFilename(request, this, false, options),
			cache: moduleInternals._cache,
		});
		const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
		return wrapper.call(this.exports, this.exports, localRequire, this, filename, path.dirname(filename));
	};
	// At exit, the cache holds what this run compiled, the functions it called included.
	process.once('exit', () => {
		if (toWrite.length === 0) return;
		for (const [script, file] of toWrite) writeCache(file, script.createCachedData());
		pruneCache(dir, bundleDir);
	});
}
