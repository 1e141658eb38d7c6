// The store under damage, through the engine with the fake driver (no root): damaged records,
// a damaged or lost index, tombstones of interrupted removes, a full disk, old formats, rename.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {expectCode, readIndexNames, waitFor} from '../helpers/engine.js';
import {type FakeEngine, fakeEngine, isAlive, readRecordFile, recordFile, sh, UNTIL_TERM, untilMeta} from '../helpers/fake-driver.js';

const DAMAGE: {kind: string; text: (id: string) => string; says: RegExp}[] = [
	{kind: 'an empty state.json', text: () => '', says: /is empty/},
	{kind: 'invalid JSON', text: () => '{"formatVersion": 2, "metad', says: /is not valid JSON/},
	{kind: '{}', text: () => '{}', says: /damaged: no formatVersion/},
	{
		kind: 'a record of the wrong shape',
		text: (id) =>
			JSON.stringify({formatVersion: 2, metadata: {id, name: 'x', state: 'bogus'}, config: {entrypoint: 'sh', args: []}, internal: {}}),
		says: /metadata\.state "bogus" is not a state/,
	},
	{
		kind: 'a newer formatVersion',
		text: (id) => JSON.stringify({formatVersion: 99, metadata: {id}}),
		says: /newer c32 \(format 99\): upgrade c32/,
	},
];

/** A running, an exited and a created container; the last is the one to damage. */
async function threeContainers({engine}: FakeEngine): Promise<{running: string; exited: string; victim: string}> {
	const running = (await engine.createContainer(sh(`echo alive; ${UNTIL_TERM}`, {name: 'running'}))).id;
	await engine.startContainer(running);
	const exited = (await engine.createContainer(sh('echo done', {name: 'exited'}))).id;
	await engine.startContainer(exited);
	await engine.waitContainer(exited);
	const victim = (await engine.createContainer(sh('exit 0', {name: 'victim'}))).id;
	return {running, exited, victim};
}

async function logLines(fake: FakeEngine, id: string): Promise<string[]> {
	const lines: string[] = [];
	for await (const entry of fake.engine.getLogs(id)) lines.push(entry.line);
	return lines;
}

for (const damage of DAMAGE) {
	test(`a damaged record (${damage.kind}) is one damaged container, its file named; every other container keeps working`, async (t) => {
		const fake = fakeEngine(t);
		const {engine, services, dir} = fake;
		const {running, exited, victim} = await threeContainers(fake);
		const file = recordFile(dir, victim);
		fs.writeFileSync(file, damage.text(victim));

		const list = await engine.listContainers();
		assert.deepEqual(
			list.map((c) => [c.name, c.state]),
			[
				['running', 'running'],
				['exited', 'exited'],
				['victim', 'damaged'],
			],
		);
		const shown = list[2]!;
		assert.equal(shown.id, victim);
		assert.ok(shown.errorMessage?.includes(file), `the message names the file: ${shown.errorMessage}`);
		assert.match(shown.errorMessage ?? '', damage.says);
		assert.equal((await engine.getContainer('victim')).state, 'damaged');

		// The others: get, logs, stop, start.
		assert.equal((await engine.getContainer('running')).state, 'running');
		assert.deepEqual(await logLines(fake, exited), ['done']);
		assert.deepEqual(await logLines(fake, running), ['alive']);
		assert.equal((await engine.stopContainer('running')).state, 'stopped');
		assert.equal((await engine.startContainer('exited')).state, 'running');

		// The damaged one: only rm -f acts on it.
		for (const action of [
			() => engine.stopContainer('victim'),
			() => engine.startContainer('victim'),
			() => engine.inspectContainer('victim'),
			() => engine.getLogs('victim'),
		]) {
			const error = await expectCode(action, 'DAMAGED_RECORD');
			assert.ok(error.message.includes(file), `the error names the file: ${error.message}`);
		}
		await expectCode(engine.removeContainer('victim'), 'BAD_STATE');
		assert.ok(fs.existsSync(file), 'rm without -f leaves it');
		await engine.removeContainer('victim', {force: true});
		assert.deepEqual(services.purged, [victim], 'its host remains are purged by id');
		assert.equal(fs.existsSync(path.dirname(file)), false);
		assert.equal(readIndexNames(dir)['victim'], undefined);
		assert.deepEqual(
			(await engine.listContainers()).map((c) => c.name),
			['running', 'exited'],
		);
		assert.equal(readRecordFile(dir, running).metadata.state, 'stopped', "the others' records are intact");
	});
}

test('the message for a damaged record says how to remove it; for a newer format, to upgrade c32', async (t) => {
	const fake = fakeEngine(t);
	const {engine, dir} = fake;
	const a = (await engine.createContainer(sh('exit 0', {name: 'a'}))).id;
	const b = (await engine.createContainer(sh('exit 0', {name: 'b'}))).id;
	fs.writeFileSync(recordFile(dir, a), '');
	fs.writeFileSync(recordFile(dir, b), JSON.stringify({formatVersion: 3}));
	const error = await expectCode(engine.startContainer('a'), 'DAMAGED_RECORD');
	assert.match(error.message, new RegExp(`c32 rm -f ${a.slice(0, 12)}`));
	const newer = await expectCode(engine.startContainer('b'), 'DAMAGED_RECORD');
	assert.match(newer.message, /upgrade c32/);
	assert.doesNotMatch(newer.message, /rm -f/, 'a newer record is not damage to remove');
});

for (const [kind, damageIndex] of [
	['a missing index.json', (file: string) => fs.rmSync(file)],
	['a damaged index.json', (file: string) => fs.writeFileSync(file, '{"formatVersion": 2, "names": ')],
	[
		'an index.json of the wrong shape',
		(file: string) => fs.writeFileSync(file, JSON.stringify({formatVersion: 2, names: {a: 'not-an-id'}})),
	],
] as const) {
	test(`${kind} is rebuilt from the records`, async (t) => {
		const fake = fakeEngine(t);
		const {engine, dir} = fake;
		const {running, exited, victim} = await threeContainers(fake);
		damageIndex(path.join(dir, 'index.json'));
		assert.equal(engine.resolveRef('running'), running, 'names resolve before any repair');
		const list = await engine.listContainers();
		assert.deepEqual(
			list.map((c) => [c.name, c.state]),
			[
				['running', 'running'],
				['exited', 'exited'],
				['victim', 'created'],
			],
		);
		assert.deepEqual(readIndexNames(dir), {running, exited, victim}, 'the list wrote the rebuilt index');
		assert.equal((await engine.stopContainer('running')).state, 'stopped');
	});
}

test('the orphan sweep never deletes a directory that holds a readable (or damaged) record, however old; it deletes an old one without a record', async (t) => {
	const fake = fakeEngine(t);
	const {engine, dir} = fake;
	const {running, exited, victim} = await threeContainers(fake);
	fs.writeFileSync(recordFile(dir, victim), '');
	const containers = path.join(dir, 'containers');
	const leftover = 'a'.repeat(64); // a create that died before writing its state file
	const fresh = 'b'.repeat(64); // a create in flight
	fs.mkdirSync(path.join(containers, leftover, 'userdata'), {recursive: true});
	fs.mkdirSync(path.join(containers, fresh));
	fs.rmSync(path.join(dir, 'index.json'));
	const longAgo = new Date(Date.now() - 10 * 60_000);
	for (const id of [running, exited, victim, leftover]) fs.utimesSync(path.join(containers, id), longAgo, longAgo);

	const list = await engine.listContainers();
	assert.deepEqual(
		list.map((c) => c.state),
		['running', 'exited', 'damaged'],
	);
	for (const id of [running, exited, victim]) assert.ok(fs.existsSync(path.join(containers, id)), `${id.slice(0, 12)} is kept`);
	assert.equal(fs.existsSync(path.join(containers, leftover)), false, 'the old directory without a record is cleared');
	assert.ok(fs.existsSync(path.join(containers, fresh)), 'a young one may be a create in flight');
	await engine.listContainers();
	assert.equal((await engine.getContainer(running)).state, 'running', 'the running container is still known');
});

test('an old container directory with a record but no index entry is kept and added back to the index', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const kept = (await engine.createContainer(sh('exit 0', {name: 'kept'}))).id;
	const lost = (await engine.createContainer(sh('exit 0', {name: 'lost'}))).id;
	fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({formatVersion: 2, names: {kept}}));
	const longAgo = new Date(Date.now() - 10 * 60_000);
	fs.utimesSync(path.join(dir, 'containers', lost), longAgo, longAgo);
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.name),
		['kept'],
	);
	assert.ok(fs.existsSync(recordFile(dir, lost)), 'its directory is kept');
	assert.deepEqual(readIndexNames(dir), {kept, lost});
	assert.equal(engine.resolveRef('lost'), lost);
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.name),
		['kept', 'lost'],
	);
});

test('an interrupted remove (a tombstone and an index entry without a directory) is cleared by the next list, and the name is free again', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const keep = (await engine.createContainer(sh('exit 0', {name: 'keep'}))).id;
	const gone = (await engine.createContainer(sh('exit 0', {name: 'gone'}))).id;
	const tombstone = path.join(dir, 'containers', `.removed-${gone}`);
	fs.renameSync(path.join(dir, 'containers', gone), tombstone); // a remove killed after its rename
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.name),
		['keep'],
	);
	assert.equal(fs.existsSync(tombstone), false, 'the tombstone is cleared');
	assert.deepEqual(readIndexNames(dir), {keep}, 'the entry without a directory is dropped');
	await expectCode(() => engine.resolveRef('gone'), 'NOT_FOUND');
	const again = await engine.createContainer(sh('exit 0', {name: 'gone'}));
	assert.notEqual(again.id, gone);
	assert.equal(keep, engine.resolveRef('keep'));
});

test('a create can take the name of an index entry whose directory is gone', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const old = (await engine.createContainer(sh('exit 0', {name: 'reused'}))).id;
	fs.rmSync(path.join(dir, 'containers', old), {recursive: true});
	const fresh = await engine.createContainer(sh('exit 0', {name: 'reused'}));
	assert.equal(engine.resolveRef('reused'), fresh.id);
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.id),
		[fresh.id],
	);
});

test('full disk: stop still stops, then says it could not record it; ps keeps answering with what it observes', async (t) => {
	const fake = fakeEngine(t, {fullDiskStore: true});
	const {engine, driver} = fake;
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {name: 'filler'}));
	await engine.startContainer(id);
	const pid = driver.run(id).pid;
	fake.store!.full = true;
	const error = await expectCode(engine.stopContainer(id, {timeout: 5}), 'STATE_NOT_SAVED');
	assert.match(error.message, /filler was stopped/);
	assert.equal(isAlive(pid), false, 'the process is gone');
	const list = await engine.listContainers();
	assert.equal(list.length, 1);
	assert.notEqual(list[0]!.state, 'running', 'the list shows it ended');
	assert.equal(list[0]!.pid, null);
	fake.store!.full = false;
	assert.ok(await driver.idle());
	const meta = await untilMeta(engine, id, (m) => m.state !== 'running', 'the end to be recorded once there is space');
	assert.notEqual(meta.state, 'running');
	assert.notEqual(readRecordFile(engine.storageDir, id).metadata.state, 'running', 'written once the disk had room');
});

test('full disk: rm -f still removes (process, directory), and the list answers', async (t) => {
	const fake = fakeEngine(t, {fullDiskStore: true});
	const {engine, driver, dir} = fake;
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {name: 'filler'}));
	const other = (await engine.createContainer(sh('exit 0', {name: 'other'}))).id;
	await engine.startContainer(id);
	const pid = driver.run(id).pid;
	fake.store!.full = true;
	await engine.removeContainer(id, {force: true});
	assert.equal(isAlive(pid), false);
	assert.equal(fs.existsSync(path.join(dir, 'containers', id)), false, 'its space is freed');
	assert.deepEqual(
		(await engine.listContainers()).map((c) => c.id),
		[other],
	);
	fake.store!.full = false;
	await engine.listContainers();
	assert.deepEqual(readIndexNames(dir), {other}, 'the index is cleaned once it can be written');
});

test('full disk where not even a lock can be taken: stop, kill and rm -f still act; ps answers', async (t) => {
	const fake = fakeEngine(t, {fullDiskStore: true});
	const {engine, driver, dir} = fake;
	const a = (await engine.createContainer(sh(UNTIL_TERM, {name: 'a'}))).id;
	const b = (await engine.createContainer(sh(UNTIL_TERM, {name: 'b'}))).id;
	const c = (await engine.createContainer(sh(UNTIL_TERM, {name: 'c'}))).id;
	for (const id of [a, b, c]) await engine.startContainer(id);
	fake.store!.full = fake.store!.locksFail = true;
	await expectCode(engine.stopContainer(a, {timeout: 5}), 'STATE_NOT_SAVED');
	assert.equal(isAlive(driver.run(a).pid), false, 'stopped');
	await expectCode(engine.killContainer(b, 'SIGKILL'), 'STATE_NOT_SAVED');
	assert.equal(isAlive(driver.run(b).pid), false, 'killed');
	await engine.removeContainer(c, {force: true});
	assert.equal(isAlive(driver.run(c).pid), false, 'removed');
	assert.equal(fs.existsSync(path.join(dir, 'containers', c)), false);
	const list = await engine.listContainers();
	assert.deepEqual(
		list.map((m) => [m.name, m.state === 'running']),
		[
			['a', false],
			['b', false],
		],
	);
	await expectCode(engine.startContainer(a), 'NO_SPACE');
	fake.store!.full = fake.store!.locksFail = false;
	assert.equal((await engine.startContainer(a)).state, 'running', 'works again once there is space');
});

test('full disk: create fails with NO_SPACE and leaves nothing behind', async (t) => {
	const fake = fakeEngine(t, {fullDiskStore: true});
	const {engine, dir} = fake;
	fake.store!.full = true;
	const error = await expectCode(engine.createContainer(sh('exit 0', {name: 'nope'})), 'NO_SPACE');
	assert.ok(error.message.includes(dir), `names the storage root: ${error.message}`);
	assert.deepEqual(fs.readdirSync(path.join(dir, 'containers')), []);
	fake.store!.full = false;
	assert.deepEqual(await engine.listContainers(), []);
	assert.equal((await engine.createContainer(sh('exit 0', {name: 'nope'}))).name, 'nope');
});

test('a record of format version 1 with a pending restart (internal.nextRestartAt on an exited record) is read as restarting, then restarted', async (t) => {
	const {engine, driver, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {restartPolicy: 'always'}));
	await engine.startContainer(id);
	await engine.stopContainer(id);
	const current = readRecordFile(dir, id) as unknown as Record<string, Record<string, unknown>>;
	const due = new Date(Date.now() + 300).toISOString();
	const {nextRestartAt: _, ...metadata} = current['metadata']!;
	const {stopRequest: _s, scheduler: _t, ...internal} = current['internal']!;
	fs.writeFileSync(
		recordFile(dir, id),
		JSON.stringify({
			...current,
			formatVersion: 1,
			metadata: {...metadata, state: 'exited', stopRequested: false, exitCode: 1},
			internal: {...internal, nextRestartAt: due},
		}),
	);
	const listed = (await engine.listContainers())[0]!;
	assert.equal(listed.state, 'restarting');
	assert.equal(listed.nextRestartAt, due);
	const meta = await untilMeta(engine, id, (m) => m.state === 'running', 'the restart an old c32 planned');
	assert.equal(meta.restartCount, 1);
	assert.ok(driver.run(id).startedAt >= Date.parse(due) - 5, 'not before it was due');
	const written = readRecordFile(dir, id);
	assert.equal(written.formatVersion, 2);
	assert.equal('nextRestartAt' in written.internal, false, 'the old field is gone');
});

test('renameContainer: the new name resolves and is in the index; a taken or invalid name is refused', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {name: 'old'}));
	const other = (await engine.createContainer(sh('exit 0', {name: 'other'}))).id;
	await engine.startContainer(id);
	const renamed = await engine.renameContainer('old', 'new');
	assert.equal(renamed.name, 'new');
	assert.equal(renamed.state, 'running');
	assert.equal(engine.resolveRef('new'), id);
	await expectCode(() => engine.resolveRef('old'), 'NOT_FOUND');
	assert.deepEqual(readIndexNames(dir), {new: id, other});
	assert.equal(readRecordFile(dir, id).config.name, 'new');
	assert.equal(readRecordFile(dir, id).config.hostname, 'old', 'the hostname stays');

	await expectCode(engine.renameContainer('new', 'other'), 'NAME_IN_USE');
	await expectCode(engine.renameContainer('new', 'bad name!'), 'INVALID_CONFIG');
	await expectCode(engine.renameContainer('new', ''), 'INVALID_CONFIG');
	await expectCode(engine.renameContainer('nosuch', 'x'), 'NOT_FOUND');
	assert.deepEqual(readIndexNames(dir), {new: id, other}, 'refused renames change nothing');
	assert.equal((await engine.renameContainer('new', 'new')).name, 'new');
	await engine.stopContainer('new');
	await waitFor(async () => (await engine.getContainer('new')).state === 'stopped', 2000, 'the stop by its new name');
});
