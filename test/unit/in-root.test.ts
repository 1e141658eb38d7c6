// The safe-path helpers: resolution inside a root that never leaves it, openat through
// /proc/self/fd, directories and files that are never written through a symlink.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import {
	atPath,
	ensureDirectory,
	isWithin,
	openDirectory,
	replaceFile,
	resolveInRoot,
	resolveWithin,
	type TreeView,
} from '../../engine/fs/in-root.js';
import {walkTree} from '../../engine/fs/tree.js';

function tempDir(t: {after(fn: () => void): void}): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-in-root-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

/** A tree given as a map of in-root path → symlink target. */
const links = (map: Record<string, string>): TreeView => ({readLink: (p) => map[p] ?? null});

describe('resolveWithin', () => {
	test('plain paths are normalized; .. stops at the root', () => {
		const none = links({});
		assert.equal(resolveWithin('/a/./b//c/', none), '/a/b/c');
		assert.equal(resolveWithin('../../../etc/passwd', none), '/etc/passwd');
		assert.equal(resolveWithin('/a/../../b', none), '/b');
		assert.equal(resolveWithin('', none), '/');
	});

	test('an absolute link restarts at the root, a relative one at its directory', () => {
		const view = links({'/root': '/tmp/victim', '/data': '../srv/data', '/srv/data/x': '../../../../../etc'});
		assert.equal(resolveWithin('/root/.ssh', view), '/tmp/victim/.ssh');
		assert.equal(resolveWithin('/data/file', view), '/srv/data/file');
		assert.equal(resolveWithin('/data/x/shadow', view), '/etc/shadow', 'a link climbing out of the root ends at its top');
	});

	test('a link loop is ELOOP, not a hang', () => {
		const view = links({'/a': '/b', '/b': '/a'});
		assert.throws(
			() => resolveWithin('/a/x', view),
			(error: NodeJS.ErrnoException) => error.code === 'ELOOP',
		);
	});

	test('on a real directory: a symlink to a host path resolves inside the root', (t) => {
		const root = tempDir(t);
		fs.mkdirSync(path.join(root, 'etc'));
		fs.symlinkSync('/etc', path.join(root, 'host-etc'));
		fs.symlinkSync('../../../../..', path.join(root, 'up'));
		assert.equal(resolveInRoot(root, '/host-etc/passwd'), path.join(root, 'etc', 'passwd'));
		assert.equal(resolveInRoot(root, '/up/etc/shadow'), path.join(root, 'etc', 'shadow'));
		assert.ok(isWithin(root, resolveInRoot(root, '/up/up/up')));
	});
});

describe('openat through /proc/self/fd', () => {
	test('atPath names one component of an opened directory, nothing else', (t) => {
		const dir = tempDir(t);
		fs.writeFileSync(path.join(dir, 'f'), 'x');
		const fd = openDirectory(dir);
		try {
			assert.equal(fs.readFileSync(atPath(fd, 'f'), 'utf8'), 'x');
			for (const bad of ['', '.', '..', 'a/b', 'nul\0']) assert.throws(() => atPath(fd, bad), /single path component/);
		} finally {
			fs.closeSync(fd);
		}
	});

	test('openDirectory refuses a symlink unless asked to follow it', (t) => {
		const dir = tempDir(t);
		fs.symlinkSync('/etc', path.join(dir, 'link'));
		assert.throws(
			() => openDirectory(path.join(dir, 'link')),
			(error: NodeJS.ErrnoException) => error.code === 'ELOOP' || error.code === 'ENOTDIR',
		);
		fs.closeSync(openDirectory(path.join(dir, 'link'), true));
	});

	test('a directory swapped for a symlink while it is walked is not followed', (t) => {
		const dir = tempDir(t);
		const src = path.join(dir, 'src');
		fs.mkdirSync(path.join(src, 'a'), {recursive: true});
		fs.writeFileSync(path.join(src, 'a', 'mine'), 'x');
		fs.mkdirSync(path.join(src, 'b'));
		const seen: string[] = [];
		walkTree(src, {
			directory(rel) {
				seen.push(`d:${rel.toString()}`);
				if (rel.toString() === 'a') {
					// The owner of the tree replaces what c32 just opened, and the next sibling, with links to /etc.
					fs.renameSync(path.join(src, 'a'), path.join(dir, 'a-moved'));
					fs.symlinkSync('/etc', path.join(src, 'a'));
					fs.rmdirSync(path.join(src, 'b'));
					fs.symlinkSync('/etc', path.join(src, 'b'));
				}
			},
			file: (rel) => seen.push(`f:${rel.toString()}`),
			symlink: (rel, target) => seen.push(`l:${rel.toString()}->${target.toString()}`),
		});
		assert.deepEqual(seen, ['d:', 'd:a', 'f:a/mine', 'l:b->/etc']);
	});
});

describe('ensureDirectory and replaceFile', () => {
	test('ensureDirectory creates, fixes mode and owner, and refuses a symlink in its place', (t) => {
		const dir = tempDir(t);
		const target = path.join(dir, 'd');
		ensureDirectory(target, 0o711, {uid: process.getuid!(), gid: process.getgid!()});
		assert.equal(fs.statSync(target).mode & 0o7777, 0o711);
		fs.chmodSync(target, 0o777);
		ensureDirectory(target, 0o700, {uid: process.getuid!(), gid: process.getgid!()});
		assert.equal(fs.statSync(target).mode & 0o7777, 0o700);
		const victim = path.join(dir, 'victim');
		fs.mkdirSync(victim, {mode: 0o755});
		fs.symlinkSync(victim, path.join(dir, 'link'));
		assert.throws(() => ensureDirectory(path.join(dir, 'link'), 0o700, {uid: process.getuid!(), gid: process.getgid!()}));
		assert.equal(fs.statSync(victim).mode & 0o7777, 0o755, 'the link target was changed');
	});

	test('replaceFile replaces a planted symlink instead of writing through it', (t) => {
		const dir = tempDir(t);
		const victim = path.join(dir, 'victim');
		fs.writeFileSync(victim, 'precious\n');
		fs.symlinkSync(victim, path.join(dir, 'hosts'));
		replaceFile(dir, 'hosts', 'new\n', 0o644);
		assert.equal(fs.readFileSync(victim, 'utf8'), 'precious\n');
		assert.ok(!fs.lstatSync(path.join(dir, 'hosts')).isSymbolicLink());
		assert.equal(fs.readFileSync(path.join(dir, 'hosts'), 'utf8'), 'new\n');
		assert.equal(fs.statSync(path.join(dir, 'hosts')).mode & 0o777, 0o644);
		assert.deepEqual(fs.readdirSync(dir).sort(), ['hosts', 'victim'], 'a temporary file was left');
	});
});
