// monitorPidFile (run --monitor-pidfile): the copy of the monitor's pid a systemd unit's
// PIDFile= names, written at every start and removed when the run ends.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {expectCode, makeTempDir} from '../helpers/engine.js';
import {fakeEngine, sh, UNTIL_TERM} from '../helpers/fake-driver.js';

test('every start writes the monitor pid to the file, a stop removes it, the next start writes the new monitor', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const dir = makeTempDir('c32-pidfile-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'c32-web.service.pid');
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {monitorPidFile: file}));
	assert.equal(fs.existsSync(file), false, 'create writes nothing');
	await engine.startContainer(id);
	assert.equal(fs.readFileSync(file, 'utf8'), `${driver.run(id).monitorPid}\n`);
	assert.equal(
		fs.readFileSync(file, 'utf8').trim(),
		fs.readFileSync((await engine.inspectContainer(id)).paths.monitorPidFile, 'utf8').trim(),
	);
	await engine.stopContainer(id, {timeout: 5});
	assert.equal(fs.existsSync(file), false, 'the ended run took its pid file along');
	await engine.startContainer(id);
	assert.equal(fs.readFileSync(file, 'utf8').trim(), String(driver.run(id).monitorPid));
	await engine.removeContainer(id, {force: true});
	assert.equal(fs.existsSync(file), false);
	assert.deepEqual(fs.readdirSync(dir), [], 'no temporary file is left');
});

test("a file that names another run's monitor is left alone when this run ends", async (t) => {
	const {engine} = fakeEngine(t);
	const dir = makeTempDir('c32-pidfile-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'shared.pid');
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {monitorPidFile: file}));
	await engine.startContainer(id);
	fs.writeFileSync(file, '1\n');
	await engine.stopContainer(id, {timeout: 5});
	assert.equal(fs.readFileSync(file, 'utf8'), '1\n');
});

test('a pid file that cannot be written fails the start and leaves nothing running', async (t) => {
	const {engine, driver} = fakeEngine(t);
	const dir = makeTempDir('c32-pidfile-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'missing', 'web.pid');
	const {id} = await engine.createContainer(sh(UNTIL_TERM, {monitorPidFile: file}));
	const error = await expectCode(engine.startContainer(id), 'START_FAILED');
	assert.match(error.message, /cannot write the monitor pid file .*missing\/web\.pid/);
	const meta = await engine.getContainer(id);
	assert.equal(meta.state, 'failed');
	assert.equal(driver.cleanupsOf(id), 1, 'the started run was cleaned up');
});

test('the file must be given as an absolute path', async (t) => {
	const {engine} = fakeEngine(t);
	const error = await expectCode(engine.createContainer(sh('true', {monitorPidFile: 'web.pid'})), 'INVALID_CONFIG');
	assert.match(error.message, /absolute path/);
});
