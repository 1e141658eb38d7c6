// Image hashing and snapshots: content-addressed, stable, sensitive to everything that
// changes what the container sees, and copied once.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {hashImage, snapshotImage, snapshotName} from '../../engine/image.js';

const ROOT = {uid: 0, gid: 0};

function tempDir(t: {after(fn: () => void): void}): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-image-unit-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

function write(file: string, content: string, mode = 0o644): string {
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, content);
	fs.chmodSync(file, mode);
	return file;
}

test('a file: same content and name hash the same wherever it lives', (t) => {
	const dir = tempDir(t);
	const a = write(path.join(dir, 'a', 'bot.py'), 'print(1)\n');
	const b = write(path.join(dir, 'b', 'bot.py'), 'print(1)\n');
	assert.match(hashImage(a), /^[0-9a-f]{64}$/);
	assert.equal(hashImage(a), hashImage(b));
});

test('a file: content, name and the executable bit all change the hash', (t) => {
	const dir = tempDir(t);
	const base = hashImage(write(path.join(dir, '1', 'bot.py'), 'print(1)\n'));
	assert.notEqual(hashImage(write(path.join(dir, '2', 'bot.py'), 'print(2)\n')), base, 'content');
	assert.notEqual(hashImage(write(path.join(dir, '3', 'other.py'), 'print(1)\n')), base, 'name (it becomes /app/<name>)');
	assert.notEqual(hashImage(write(path.join(dir, '4', 'bot.py'), 'print(1)\n', 0o755)), base, 'executable bit');
});

test('a directory: stable, independent of where it is, sensitive to names, content, nesting and links', (t) => {
	const dir = tempDir(t);
	const make = (root: string, extra: (r: string) => void = () => {}) => {
		write(path.join(root, 'main.sh'), 'echo hi\n');
		write(path.join(root, 'lib', 'util.sh'), 'true\n');
		extra(root);
		return hashImage(root);
	};
	const base = make(path.join(dir, 'p1'));
	assert.equal(make(path.join(dir, 'p2')), base);
	assert.notEqual(
		make(path.join(dir, 'p3'), (r) => write(path.join(r, 'lib', 'util.sh'), 'false\n')),
		base,
		'content',
	);
	assert.notEqual(
		make(path.join(dir, 'p4'), (r) => fs.renameSync(path.join(r, 'lib'), path.join(r, 'lib2'))),
		base,
		'directory name',
	);
	assert.notEqual(
		make(path.join(dir, 'p5'), (r) => fs.mkdirSync(path.join(r, 'empty'))),
		base,
		'an empty directory',
	);
	assert.notEqual(
		make(path.join(dir, 'p6'), (r) => fs.symlinkSync('main.sh', path.join(r, 'link'))),
		base,
		'a symlink',
	);
	// A file vs a directory holding that file are different images.
	assert.notEqual(hashImage(path.join(dir, 'p1', 'main.sh')), base);
});

test('snapshotImage copies once per content and returns the same directory for the same content', (t) => {
	const dir = tempDir(t);
	const images = path.join(dir, 'images');
	const a = write(path.join(dir, 'src1', 'job.sh'), 'echo job\n', 0o600);
	const b = write(path.join(dir, 'src2', 'job.sh'), 'echo job\n', 0o600);
	const snapA = snapshotImage(images, a, ROOT);
	const snapB = snapshotImage(images, b, ROOT);
	assert.equal(snapA, snapB);
	assert.equal(path.dirname(snapA), images);
	assert.equal(path.basename(snapA), snapshotName(hashImage(a), ROOT));
	assert.deepEqual(fs.readdirSync(images), [path.basename(snapA)], 'no staging directories left');
	assert.equal(fs.readFileSync(path.join(snapA, 'job.sh'), 'utf8'), 'echo job\n');
	// The image's own mode, not widened for everyone.
	assert.equal(fs.statSync(path.join(snapA, 'job.sh')).mode & 0o7777, 0o600);
	// Later edits to the source do not touch the snapshot.
	fs.writeFileSync(a, 'echo changed\n');
	assert.equal(fs.readFileSync(path.join(snapA, 'job.sh'), 'utf8'), 'echo job\n');
	assert.notEqual(snapshotImage(images, a, ROOT), snapA);
});

test('snapshotImage of a directory copies its tree (symlinks kept as links, fifos skipped)', (t) => {
	const dir = tempDir(t);
	const src = path.join(dir, 'project');
	write(path.join(src, 'main.sh'), 'echo main\n', 0o755);
	write(path.join(src, 'deep', 'er', 'data.txt'), 'data\n');
	fs.symlinkSync('deep/er/data.txt', path.join(src, 'link'));
	execFileSync('mkfifo', [path.join(src, 'pipe')]);
	const snap = snapshotImage(path.join(dir, 'images'), src, ROOT);
	assert.deepEqual(fs.readdirSync(snap).sort(), ['deep', 'link', 'main.sh']);
	assert.equal(fs.readFileSync(path.join(snap, 'deep', 'er', 'data.txt'), 'utf8'), 'data\n');
	assert.equal(fs.readlinkSync(path.join(snap, 'link')), 'deep/er/data.txt');
	assert.ok(fs.statSync(path.join(snap, 'main.sh')).mode & 0o100, 'the executable bit was lost');
});
