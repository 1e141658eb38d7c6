// A listing's reads of the records: an unchanged state file is not read again, and any write
// (here, or in another process: a new file renamed over it) is seen by the next read.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {Store} from '../../engine/store.js';
import {editRecord, fakeEngine, sh, UNTIL_TERM} from '../helpers/fake-driver.js';

test('inspectRecordCached: one parse while the file is unchanged, the new record after any write', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM));
	const store = new Store(engine.layout);
	const first = store.inspectRecordCached(id);
	assert.ok(first && 'record' in first);
	const again = store.inspectRecordCached(id);
	assert.ok(again && 'record' in again);
	assert.equal(again.record, first.record, 'the same parsed record');
	assert.ok(Object.isFrozen(first.record.metadata), 'frozen: a caller cannot change what the next read returns');

	// Another process: the same size, only a letter changed.
	editRecord(dir, id, (record) => (record.metadata.labels = {tier: 'a'}));
	store.inspectRecordCached(id);
	editRecord(dir, id, (record) => (record.metadata.labels = {tier: 'b'}));
	const edited = store.inspectRecordCached(id);
	assert.ok(edited && 'record' in edited);
	assert.deepEqual(edited.record.metadata.labels, {tier: 'b'});

	// This store: its own write.
	await store.writeRecord({...edited.record, metadata: {...edited.record.metadata, labels: {tier: 'c'}}});
	const written = store.inspectRecordCached(id);
	assert.ok(written && 'record' in written);
	assert.deepEqual(written.record.metadata.labels, {tier: 'c'});

	fs.writeFileSync(store.recordFile(id), '{');
	const damaged = store.inspectRecordCached(id);
	assert.ok(damaged && 'damaged' in damaged, 'a damaged file is reported, not served from the cache');
	fs.rmSync(store.recordFile(id));
	assert.equal(store.inspectRecordCached(id), null);
});
