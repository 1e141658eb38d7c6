// The scratch space of a transfer: where skopeo cannot go, c32 says so before it starts.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {ociPaths} from '../../engine/image/paths.js';
import {createStaging, removeStaging} from '../../engine/image/staging.js';

test("a storage root with ':' in its path is refused in one line, and nothing is made", (t) => {
	const base = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-staging-'));
	t.after(() => fs.rmSync(base, {recursive: true, force: true}));
	const storageDir = path.join(base, 'with:colon');
	const paths = ociPaths({storageDir, runtimeDir: path.join(storageDir, 'run')});
	assert.throws(
		() => createStaging(paths),
		(error: unknown) => isC32Error(error) && error.code === 'INVALID_CONFIG' && /':'.*C32_STORAGE_DIR without one/.test(error.message),
	);
	assert.equal(fs.existsSync(storageDir), false);
});

test('a staging directory is private and goes whole', (t) => {
	const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-staging-'));
	t.after(() => fs.rmSync(storageDir, {recursive: true, force: true}));
	const paths = ociPaths({storageDir, runtimeDir: path.join(storageDir, 'run')});
	fs.mkdirSync(paths.staging, {recursive: true, mode: 0o700});
	const staging = createStaging(paths);
	assert.equal(fs.statSync(staging.dir).mode & 0o777, 0o700);
	assert.ok(fs.existsSync(staging.tmp));
	removeStaging(staging);
	assert.deepEqual(fs.readdirSync(paths.staging), []);
});
