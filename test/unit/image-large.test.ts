// Large and odd images: files past 2 GiB, sparse files, very deep trees, names that are
// not UTF-8, setuid bits, and snapshots that fail part-way.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {copyContent, copyTree, TreeChangedError} from '../../engine/fs/tree.js';
import {hashImage, snapshotImage} from '../../engine/image.js';

const SELF = {uid: process.getuid!(), gid: process.getgid!()};

/** On a real disk (tmpfs also keeps holes, but /var/tmp is what the engine's tests use). */
function tempDir(t: {after(fn: () => void): void}): string {
	const base = fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
	const dir = fs.mkdtempSync(path.join(base, 'c32-image-large-'));
	// rm(1) walks with openat: it also removes the tree deeper than PATH_MAX made below.
	t.after(() => execFileSync('rm', ['-rf', dir]));
	return dir;
}

test('a 3 GiB sparse file snapshots streamed and stays sparse, with its bytes where they were', (t) => {
	const dir = tempDir(t);
	const src = path.join(dir, 'src');
	fs.mkdirSync(src);
	const big = path.join(src, 'disk.img');
	execFileSync('truncate', ['-s', '3G', big]);
	const fd = fs.openSync(big, 'r+');
	const marks = [0, 1 << 30, 2 * 2 ** 30 + 12_345, 3 * 2 ** 30 - 5];
	for (const [i, offset] of marks.entries()) fs.writeSync(fd, Buffer.from(`mark${i}`), 0, 5, offset);
	fs.closeSync(fd);

	const snapshot = snapshotImage(path.join(dir, 'images'), src, SELF);
	const copy = path.join(snapshot, 'disk.img');
	const stat = fs.statSync(copy);
	assert.equal(stat.size, 3 * 2 ** 30);
	assert.ok(stat.blocks * 512 < 8 * 2 ** 20, `the copy takes ${stat.blocks * 512} bytes on disk: it is not sparse`);
	const out = fs.openSync(copy, 'r');
	try {
		for (const [i, offset] of marks.entries()) {
			const buffer = Buffer.alloc(5);
			fs.readSync(out, buffer, 0, 5, offset);
			assert.equal(buffer.toString(), `mark${i}`.slice(0, 5));
		}
	} finally {
		fs.closeSync(out);
	}
});

test('a 1500-deep tree hashes, copies and snapshots without overflowing the stack', (t) => {
	const dir = tempDir(t);
	const src = path.join(dir, 'src');
	const deep = path.join(src, ...Array.from({length: 1500}, () => 'd'));
	fs.mkdirSync(deep, {recursive: true});
	fs.writeFileSync(path.join(deep, 'leaf.txt'), 'bottom\n');
	assert.match(hashImage(src), /^[0-9a-f]{64}$/);
	const snapshot = snapshotImage(path.join(dir, 'images'), src, SELF);
	const copied = path.join(snapshot, ...Array.from({length: 1500}, () => 'd'), 'leaf.txt');
	assert.equal(fs.readFileSync(copied, 'utf8'), 'bottom\n');
});

test('modes are kept without setuid and setgid; names that are not UTF-8 survive', (t) => {
	const dir = tempDir(t);
	const src = path.join(dir, 'src');
	fs.mkdirSync(path.join(src, 'shared'), {recursive: true});
	fs.writeFileSync(path.join(src, 'tool'), '#!/bin/sh\n');
	fs.writeFileSync(path.join(src, '.env'), 'A=1\n');
	fs.chmodSync(path.join(src, 'tool'), 0o6755);
	fs.chmodSync(path.join(src, '.env'), 0o600);
	fs.chmodSync(path.join(src, 'shared'), 0o3770);
	const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1
	fs.writeFileSync(Buffer.concat([Buffer.from(`${src}/`), latin1]), 'odd\n');
	const target = path.join(dir, 'copy');
	copyTree(src, target, null);
	assert.equal(fs.statSync(path.join(target, 'tool')).mode & 0o7777, 0o755);
	assert.equal(fs.statSync(path.join(target, '.env')).mode & 0o7777, 0o600);
	assert.equal(fs.statSync(path.join(target, 'shared')).mode & 0o7777, 0o1770);
	assert.equal(fs.readFileSync(Buffer.concat([Buffer.from(`${target}/`), latin1]), 'utf8'), 'odd\n');
});

test('the hash follows the modes too: a 0600 and a 0644 copy of a file are different images', (t) => {
	const dir = tempDir(t);
	const a = path.join(dir, 'a', 'job.sh');
	const b = path.join(dir, 'b', 'job.sh');
	for (const [file, mode] of [
		[a, 0o600],
		[b, 0o644],
	] as const) {
		fs.mkdirSync(path.dirname(file));
		fs.writeFileSync(file, 'echo\n');
		fs.chmodSync(file, mode);
	}
	assert.notEqual(hashImage(a), hashImage(b));
	assert.notEqual(hashImage(path.dirname(a)), hashImage(path.dirname(b)));
});

test('a file that shrinks while it is read is an error, not a silently short copy', (t) => {
	const dir = tempDir(t);
	const file = path.join(dir, 'f');
	fs.writeFileSync(file, 'abc');
	const fd = fs.openSync(file, 'r');
	try {
		assert.throws(() => copyContent(fd, 10, null), TreeChangedError);
	} finally {
		fs.closeSync(fd);
	}
});

test('a failed snapshot leaves no staging directory; one abandoned by a dead process is cleared', (t) => {
	const dir = tempDir(t);
	const images = path.join(dir, 'images');
	fs.mkdirSync(images);
	// A staging directory of a process that no longer exists (pid numbers stay below 2^22).
	fs.mkdirSync(path.join(images, '.staging-4194304999-abc'));
	const src = path.join(dir, 'src');
	fs.mkdirSync(src);
	fs.writeFileSync(path.join(src, 'ok'), 'x');
	const snapshot = snapshotImage(images, src, SELF);
	assert.deepEqual(fs.readdirSync(images), [path.basename(snapshot)]);

	// A tree deeper than PATH_MAX (made by walking into it, as a shell would) fails part-way through the copy.
	const long = path.join(dir, 'long');
	fs.mkdirSync(long);
	const cwd = process.cwd();
	try {
		process.chdir(long);
		for (let i = 0; i < 20; i++) {
			fs.mkdirSync('n'.repeat(250));
			process.chdir('n'.repeat(250));
		}
		fs.writeFileSync('leaf', 'x');
	} finally {
		process.chdir(cwd);
	}
	assert.throws(
		() => snapshotImage(images, long, SELF),
		(error: Error & {code?: string}) => error.code === 'UNSUPPORTED' && /longer than/.test(error.message),
	);
	assert.deepEqual(fs.readdirSync(images), [path.basename(snapshot)], 'the failed snapshot left its staging directory');
});
