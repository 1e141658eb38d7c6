// The bundle's code cache: V8 bytecode is code, so only a cache the user alone controls is
// read, and a cache that does not fit (garbage, another build) is compiled over, never trusted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, it} from 'node:test';
import {cacheFileOf, codeCacheDir, pruneCache, readCache, trustedCacheDir} from '../../source/code-cache.js';
import {CLI_PATH, runCliSync} from './binary.js';

const BUNDLE = path.dirname(CLI_PATH);
const NOBODY = 65534;
const TAG = `${process.version}.${process.arch}`;

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-code-cache-'));
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

/** The cache files a command left, by name, with their inode and mode. */
function cacheFiles(cache: string): Map<string, fs.Stats> {
	if (!fs.existsSync(cache)) return new Map();
	return new Map(fs.readdirSync(cache).map((name) => [name, fs.lstatSync(path.join(cache, name))]));
}

describe('where the code cache lives', () => {
	it('root: /var/cache/c32/code; others: their XDG cache; C32_CODE_CACHE_DIR chooses, empty turns it off', () => {
		assert.equal(codeCacheDir({}, 0), '/var/cache/c32/code');
		assert.equal(codeCacheDir({HOME: '/home/ann'}, 1000), '/home/ann/.cache/c32/code');
		assert.equal(codeCacheDir({HOME: '/home/ann', XDG_CACHE_HOME: '/srv/cache'}, 1000), '/srv/cache/c32/code');
		assert.equal(codeCacheDir({C32_CODE_CACHE_DIR: 'rel/dir'}, 0), path.resolve('rel/dir'));
		assert.equal(codeCacheDir({C32_CODE_CACHE_DIR: ''}, 0), null);
	});
	it('a chunk is cached by its hashed name; a package file by path, size and time; an entry not at all', () => {
		const chunk = fs.readdirSync(BUNDLE).find((name) => /^core-.{8}\.js$/.test(name));
		assert.ok(chunk, 'the bundle has a core chunk');
		assert.equal(cacheFileOf(dir, path.join(BUNDLE, chunk), BUNDLE), path.join(dir, `${chunk.slice(0, -3)}.${TAG}.v8`));
		assert.equal(cacheFileOf(dir, path.join(BUNDLE, 'cli.js'), BUNDLE), null);
		assert.equal(cacheFileOf(dir, '/usr/lib/node_modules/x/index.js', BUNDLE), null);
		const pkg = path.join(BUNDLE, '..', '..', 'node_modules', 'valibot', 'package.json');
		assert.match(cacheFileOf(dir, pkg, BUNDLE) ?? '', new RegExp(`/package-[0-9a-f]{32}\\.${TAG.replaceAll('.', '\\.')}\\.v8$`));
	});
});

describe('a cache only its user can change', () => {
	it('is made 0700, and used', () => {
		const cache = path.join(dir, 'a', 'code');
		assert.equal(trustedCacheDir(cache, 0), cache);
		assert.equal(fs.statSync(cache).mode & 0o777, 0o700);
	});
	it("is not a link, not open to others, not another user's, not in a directory others can rename it from", () => {
		const target = path.join(dir, 'target');
		fs.mkdirSync(target, {mode: 0o700});
		fs.symlinkSync(target, path.join(dir, 'link'));
		assert.equal(trustedCacheDir(path.join(dir, 'link'), 0), null, 'a link');
		const open = path.join(dir, 'open');
		fs.mkdirSync(open);
		fs.chmodSync(open, 0o770);
		assert.equal(trustedCacheDir(open, 0), null, 'group-writable');
		const theirs = path.join(dir, 'theirs');
		fs.mkdirSync(theirs, {mode: 0o700});
		fs.chownSync(theirs, NOBODY, NOBODY);
		assert.equal(trustedCacheDir(theirs, 0), null, "another user's");
		const shared = path.join(dir, 'shared');
		fs.mkdirSync(shared);
		fs.chmodSync(shared, 0o777);
		assert.equal(trustedCacheDir(path.join(shared, 'code'), 0), null, 'in a world-writable directory');
		fs.chmodSync(shared, 0o1777);
		assert.equal(trustedCacheDir(path.join(shared, 'code'), 0), path.join(shared, 'code'), 'sticky, as /tmp');
	});
	it('reads a file of its own only: no link, none that others can write or own', () => {
		const good = path.join(dir, 'good.v8');
		fs.writeFileSync(good, 'bytes', {mode: 0o600});
		assert.equal(readCache(good, 0)?.toString(), 'bytes');
		fs.symlinkSync(good, path.join(dir, 'link.v8'));
		assert.equal(readCache(path.join(dir, 'link.v8'), 0), undefined, 'a link');
		const open = path.join(dir, 'open.v8');
		fs.writeFileSync(open, 'bytes');
		fs.chmodSync(open, 0o666);
		assert.equal(readCache(open, 0), undefined, 'world-writable');
		const theirs = path.join(dir, 'theirs.v8');
		fs.writeFileSync(theirs, 'bytes', {mode: 0o600});
		fs.chownSync(theirs, NOBODY, NOBODY);
		assert.equal(readCache(theirs, 0), undefined, "another user's");
		assert.equal(readCache(path.join(dir, 'missing.v8'), 0), undefined);
	});
	it('prunes the caches of another Node and of chunks the bundle no longer has', () => {
		const chunk = fs
			.readdirSync(BUNDLE)
			.find((name) => /^core-.{8}\.js$/.test(name))!
			.slice(0, -3);
		const keep = [`${chunk}.${TAG}.v8`, `package-${'a'.repeat(32)}.${TAG}.v8`, 'unrelated.txt'];
		const gone = [`${chunk}.v18.0.0.${process.arch}.v8`, `core-AAAAAAAA.${TAG}.v8`, `package-${'b'.repeat(32)}.v18.0.0.x64.v8`];
		for (const name of [...keep, ...gone]) fs.writeFileSync(path.join(dir, name), '');
		pruneCache(dir, BUNDLE);
		assert.deepEqual(fs.readdirSync(dir).sort(), keep.sort());
	});
});

describe('the built CLI with a code cache', () => {
	it('writes each chunk it compiled (0600), then loads it without writing it again', () => {
		const cache = path.join(dir, 'cache');
		const env = {C32_CODE_CACHE_DIR: cache};
		const first = runCliSync(path.join(dir, 'storage'), ['ps', '-a'], env);
		assert.equal(first.code, 0, first.stderr);
		const written = cacheFiles(cache);
		assert.ok(
			[...written.keys()].some((name) => name.startsWith('core-')),
			[...written.keys()].join(' '),
		);
		for (const [name, stat] of written) assert.equal(stat.mode & 0o777, 0o600, name);
		assert.equal(fs.statSync(cache).mode & 0o777, 0o700);
		const second = runCliSync(path.join(dir, 'storage'), ['ps', '-a'], env);
		assert.deepEqual([second.code, second.stdout], [0, first.stdout]);
		// A cache V8 accepted is not written again (a rejected one would be, with a new inode).
		for (const [name, stat] of cacheFiles(cache)) assert.equal(stat.ino, written.get(name)?.ino, `${name} was written again`);
	});
	it('compiles over a cache V8 rejects (garbage), and the command still works', () => {
		const cache = path.join(dir, 'cache');
		const env = {C32_CODE_CACHE_DIR: cache};
		assert.equal(runCliSync(path.join(dir, 'storage'), ['ps', '-a'], env).code, 0);
		const core = [...cacheFiles(cache).keys()].find((name) => name.startsWith('core-'))!;
		fs.writeFileSync(path.join(cache, core), Buffer.alloc(4096, 7), {mode: 0o600});
		const before = fs.statSync(path.join(cache, core)).ino;
		const run = runCliSync(path.join(dir, 'storage'), ['ps', '-a'], env);
		assert.equal(run.code, 0, run.stderr);
		assert.notEqual(fs.statSync(path.join(cache, core)).ino, before, 'the rejected cache was replaced');
		assert.notDeepEqual(fs.readFileSync(path.join(cache, core)), Buffer.alloc(4096, 7));
	});
	it('neither reads nor writes a cache directory others can write', () => {
		const cache = path.join(dir, 'cache');
		fs.mkdirSync(cache);
		fs.chmodSync(cache, 0o777);
		const run = runCliSync(path.join(dir, 'storage'), ['ps', '-a'], {C32_CODE_CACHE_DIR: cache});
		assert.equal(run.code, 0, run.stderr);
		assert.deepEqual(fs.readdirSync(cache), []);
	});
});
