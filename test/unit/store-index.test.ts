// The index of names as a store reads it: a read is cached by the file's identity, so a
// listing that resolves every container reads it once, and any write (here or in another
// process) is seen by the next read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {resolveStorage} from '../../engine/paths.js';
import {Store} from '../../engine/store.js';

const id = (digit: string) => digit.repeat(64);

function twoStores(t: {after: (fn: () => void) => void}): [Store, Store] {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-index-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const layout = resolveStorage({storageDir: dir, runtimeDir: path.join(dir, 'run')});
	return [new Store(layout), new Store(layout)];
}

test('a read after another store (another process) wrote the index sees the new names', async (t) => {
	const [here, there] = twoStores(t);
	await here.writeIndex({web: id('a')});
	assert.deepEqual(here.readIndex(), {web: id('a')});
	await there.writeIndex({web: id('a'), db: id('b')});
	assert.deepEqual(here.readIndex(), {web: id('a'), db: id('b')});
	await there.writeIndex({db: id('b')});
	assert.deepEqual(here.readIndex(), {db: id('b')});
});

test('repeated reads of an unchanged index give the same frozen map', async (t) => {
	const [store] = twoStores(t);
	await store.writeIndex({web: id('a')});
	const first = store.readIndex();
	assert.equal(store.readIndex(), first, 'not read and parsed again');
	assert.ok(Object.isFrozen(first));
	assert.throws(() => {
		(first as Record<string, string>)['x'] = id('c');
	}, TypeError);
});

test('an index damaged behind the cache is noticed and rebuilt from the records', async (t) => {
	const [store] = twoStores(t);
	await store.writeIndex({web: id('a')});
	store.readIndex();
	fs.writeFileSync(path.join(store.layout.storageDir, 'index.json'), '{"formatVersion": 2, "na');
	assert.deepEqual(store.readIndex(), {}, 'no records: nothing to rebuild from');
});
