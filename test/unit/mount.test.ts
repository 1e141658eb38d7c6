// Whether c32's own mount (a container's overlay root) is there, read without the mount table.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {hasOwnFilesystem, unmount} from '../../engine/fs/mount.js';
import {makeTempDir, needsRuntime} from '../helpers/engine.js';

test('a tmpfs mounted on a directory is seen, and gone once unmount has run; a plain directory or a missing one is not', async (t) => {
	if (!needsRuntime(t)) return; // mounting needs root
	const dir = makeTempDir('c32-mount-');
	const target = path.join(dir, 'rootfs');
	fs.mkdirSync(target);
	t.after(() => {
		if (hasOwnFilesystem(target)) execFileSync('umount', [target]);
		fs.rmSync(dir, {recursive: true, force: true});
	});
	assert.equal(hasOwnFilesystem(target), false);
	assert.equal(hasOwnFilesystem(path.join(dir, 'missing')), false);
	execFileSync('mount', ['-t', 'tmpfs', 'c32-test', target]);
	assert.equal(hasOwnFilesystem(target), true);
	await unmount(target);
	assert.equal(hasOwnFilesystem(target), false);
	assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${target} `), 'the mount table agrees');
	await unmount(target); // nothing there: nothing to do
});
