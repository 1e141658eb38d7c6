// Volumes: bind mounts read-write and read-only, checked by writing and reading from inside;
// bad sources and destinations are refused and leave nothing behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {assertStorageEmpty, engineFor, expectCode, get, keyValues, makeTempDir, needsRuntime, runToExit, shell} from '../helpers/engine.js';

function hostDir(t: {after(fn: () => void): void}, prefix = 'c32-vol-'): string {
	const dir = makeTempDir(prefix);
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

test('a read-write volume: the container reads host files and its writes reach the host', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = hostDir(t);
	fs.writeFileSync(path.join(dir, 'in.txt'), 'from the host\n');
	const script = `
echo "read=$(cat /data/in.txt)"
echo "from the container" > /data/out.txt && echo write=ok || echo write=denied
mkdir -p /data/sub/deeper && echo nested > /data/sub/deeper/f && echo mkdir=ok
`;
	const run = await runToExit(engine, shell(script, {volumes: [{source: dir, destination: '/data'}]}));
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'read'), 'from the host');
	assert.equal(get(kv, 'write'), 'ok');
	assert.equal(fs.readFileSync(path.join(dir, 'out.txt'), 'utf8'), 'from the container\n');
	assert.equal(fs.readFileSync(path.join(dir, 'sub', 'deeper', 'f'), 'utf8'), 'nested\n');
});

test('a read-only volume can be read but not written, not even by root in the container', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = hostDir(t);
	fs.writeFileSync(path.join(dir, 'config.ini'), 'key=value\n');
	const script = `
echo "read=$(cat /config/config.ini)"
echo x > /config/new.txt 2>/dev/null && echo create=ok || echo create=denied
echo x >> /config/config.ini 2>/dev/null && echo append=ok || echo append=denied
rm /config/config.ini 2>/dev/null && echo delete=ok || echo delete=denied
mount -o remount,rw /config 2>/dev/null && echo remount=ok || echo remount=denied
`;
	const run = await runToExit(engine, shell(script, {volumes: [{source: dir, destination: '/config', readOnly: true}]}));
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'read'), 'key=value');
	for (const key of ['create', 'append', 'delete', 'remount']) assert.equal(get(kv, key), 'denied', key);
	assert.deepEqual(fs.readdirSync(dir), ['config.ini']);
	assert.equal(fs.readFileSync(path.join(dir, 'config.ini'), 'utf8'), 'key=value\n');
});

test('a single file can be a volume, and several volumes combine', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = hostDir(t);
	const file = path.join(dir, 'settings.json');
	fs.writeFileSync(file, '{"a":1}\n');
	const other = hostDir(t);
	const script = `
echo "file=$(cat /etc-app/settings.json)"
echo '{"a":2}' > /etc-app/settings.json && echo write=ok
echo "out" > /out/result && echo out=ok
`;
	const run = await runToExit(
		engine,
		shell(script, {
			volumes: [
				{source: file, destination: '/etc-app/settings.json'},
				{source: other, destination: '/out'},
			],
		}),
	);
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'file'), '{"a":1}');
	assert.equal(get(kv, 'write'), 'ok', run.stderr);
	assert.equal(fs.readFileSync(file, 'utf8'), '{"a":2}\n');
	assert.equal(fs.readFileSync(path.join(other, 'result'), 'utf8'), 'out\n');
});

test('bad volume sources and destinations are refused (INVALID_CONFIG) and leave nothing behind', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const dir = hostDir(t);
	const missing = path.join(dir, 'does-not-exist');
	const bad: {source: string; destination: string; why: string}[] = [
		{source: missing, destination: '/data', why: 'missing source'},
		{source: dir, destination: 'data', why: 'relative destination'},
		{source: dir, destination: '', why: 'empty destination'},
		{source: dir, destination: '/data/../etc', why: '.. in destination'},
		{source: dir, destination: '/', why: 'over /'},
		{source: dir, destination: '/proc', why: 'over /proc'},
		{source: dir, destination: '/proc/sys/kernel', why: 'under /proc'},
		{source: dir, destination: '/sys', why: 'over /sys'},
		{source: dir, destination: '/dev', why: 'over /dev'},
		{source: dir, destination: '/dev/shm', why: 'under /dev'},
		{source: dir, destination: '//proc/', why: 'over /proc, spelled oddly'},
	];
	for (const volume of bad) {
		await t.test(volume.why, async () => {
			const error = await expectCode(engine.createContainer(shell('true', {image: undefined, volumes: [volume]})), 'INVALID_CONFIG');
			assert.ok(error.message.length > 0);
			assertStorageEmpty(storage, volume.why);
		});
	}
	// The same image-less container with a good volume is accepted.
	const ok = await engine.createContainer(shell('true', {volumes: [{source: dir, destination: '/data'}]}));
	assert.equal(ok.state, 'created');
});
