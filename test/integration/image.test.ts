// Images: a host file or directory snapshotted into /app, run with a derived entrypoint,
// stored once per content, and independent of later edits on the host.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {
	engineFor,
	expectCode,
	get,
	keyValues,
	listDir,
	makeTempDir,
	needsRuntime,
	runToExit,
	visibleInContainer,
} from '../helpers/engine.js';

/** A directory for host-side image files, removed after the test. */
function workDir(t: {after(fn: () => void): void}): string {
	const dir = makeTempDir('c32-img-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const imagesOf = (storageDir: string) => listDir(path.join(storageDir, 'images'));

test('a .sh file runs with sh from /app/<basename>', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const file = path.join(workDir(t), 'hello.sh');
	fs.writeFileSync(
		file,
		'echo "arg0=$0"\necho "cwd=$(pwd)"\necho "app=$(ls -A /app | tr \'\\n\' \' \')"\necho "same=$(cat /app/hello.sh | wc -c)"\n',
	);
	const run = await runToExit(engine, {image: file});
	assert.equal(run.exitCode, 0, run.stderr);
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'arg0'), './hello.sh');
	assert.equal(get(kv, 'cwd'), '/app');
	assert.equal(get(kv, 'app'), 'hello.sh');
	assert.equal(Number(get(kv, 'same')), fs.statSync(file).size);
});

test('a .py file runs with python3', async (t) => {
	if (!needsRuntime(t)) return;
	if (!visibleInContainer('python3')) return t.skip('no python3 in the host /usr');
	const {engine} = engineFor(t);
	const file = path.join(workDir(t), 'bot.py');
	fs.writeFileSync(file, 'import os, sys\nprint("impl=" + sys.implementation.name)\nprint("script=" + os.path.abspath(sys.argv[0]))\n');
	const run = await runToExit(engine, {image: file});
	assert.equal(run.exitCode, 0, run.stderr);
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'impl'), 'cpython');
	assert.equal(get(kv, 'script'), '/app/bot.py');
});

test('.js and .mjs files run with node', async (t) => {
	if (!needsRuntime(t)) return;
	if (!visibleInContainer('node')) return t.skip('no node in the host /usr');
	const {engine} = engineFor(t);
	const dir = workDir(t);
	const js = path.join(dir, 'worker.js');
	const mjs = path.join(dir, 'worker2.mjs');
	fs.writeFileSync(js, 'console.log("runtime=" + (process.release.name) + " script=" + process.argv[1]);\n');
	fs.writeFileSync(
		mjs,
		'import path from "node:path";\nconsole.log("runtime=" + process.release.name + " script=" + path.resolve(process.argv[1]));\n',
	);
	const [a, b] = await Promise.all([runToExit(engine, {image: js}), runToExit(engine, {image: mjs})]);
	assert.equal(a.exitCode, 0, a.stderr);
	assert.equal(b.exitCode, 0, b.stderr);
	assert.equal(a.stdout, 'runtime=node script=/app/worker.js');
	assert.equal(b.stdout, 'runtime=node script=/app/worker2.mjs');
});

test('an executable file runs as itself', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const file = path.join(workDir(t), 'tool');
	fs.writeFileSync(file, '#!/bin/sh\necho "self=$0 args=$*"\n', {mode: 0o755});
	const run = await runToExit(engine, {image: file});
	assert.equal(run.exitCode, 0, run.stderr);
	assert.equal(run.stdout, 'self=./tool args=');
});

test("a directory image's contents become /app", async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const dir = path.join(workDir(t), 'project');
	fs.mkdirSync(path.join(dir, 'lib', 'deep'), {recursive: true});
	fs.writeFileSync(path.join(dir, 'main.sh'), 'cat lib/deep/data.txt\nls -A /app | tr "\\n" " "\n');
	fs.writeFileSync(path.join(dir, 'lib', 'deep', 'data.txt'), 'payload-42\n');
	const run = await runToExit(engine, {image: dir, entrypoint: 'sh', args: ['main.sh']});
	assert.equal(run.exitCode, 0, run.stderr);
	assert.equal(run.stdout, 'payload-42\nlib main.sh ');
});

test('without an image /app is empty and the command runs there', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const run = await runToExit(engine, {entrypoint: 'sh', args: ['-c', 'echo "cwd=$(pwd) n=$(ls -A /app | wc -l)"']});
	assert.equal(run.stdout, 'cwd=/app n=0');
});

test('identical images are stored once; removing the last user removes the snapshot', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const dir = workDir(t);
	const file = path.join(dir, 'job.sh');
	fs.writeFileSync(file, 'echo same\n');
	// The same content at another host path is the same image.
	fs.mkdirSync(path.join(dir, 'copy'));
	fs.copyFileSync(file, path.join(dir, 'copy', 'job.sh'));
	const a = await engine.createContainer({image: file});
	const b = await engine.createContainer({image: path.join(dir, 'copy', 'job.sh')});
	assert.equal(imagesOf(storage).length, 1, `images/: ${imagesOf(storage).join(', ')}`);
	// Different content is a different snapshot.
	fs.writeFileSync(path.join(dir, 'other.sh'), 'echo other\n');
	const c = await engine.createContainer({image: path.join(dir, 'other.sh')});
	assert.equal(imagesOf(storage).length, 2);
	await engine.removeContainer(c.id);
	assert.equal(imagesOf(storage).length, 1, 'the unused snapshot was kept');
	await engine.removeContainer(a.id);
	assert.equal(imagesOf(storage).length, 1, 'a snapshot still in use was removed');
	const run = await engine.startContainer(b.id).then(() => engine.waitContainer(b.id));
	assert.equal(run, 0);
	await engine.removeContainer(b.id);
	assert.deepEqual(imagesOf(storage), [], 'the last container is gone but its snapshot stayed');
});

test('editing the host file after create does not change the container', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const file = path.join(workDir(t), 'edit.sh');
	fs.writeFileSync(file, 'echo version-1\n');
	const c = await engine.createContainer({image: file});
	fs.writeFileSync(file, 'echo version-2\n');
	await engine.startContainer(c.id);
	await engine.waitContainer(c.id);
	const lines: string[] = [];
	for await (const e of engine.getLogs(c.id)) lines.push(e.line);
	assert.deepEqual(lines, ['version-1']);
});

test("a container's writes to /app do not reach the snapshot another container uses", async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const file = path.join(workDir(t), 'shared.sh');
	const script = "cat /app/note 2>/dev/null || echo no-note\necho scribble > /app/note\necho '# appended' >> /app/shared.sh\n";
	fs.writeFileSync(file, script);
	const first = await runToExit(engine, {image: file});
	assert.equal(first.exitCode, 0, first.stderr);
	const second = await runToExit(engine, {image: file});
	assert.equal(second.exitCode, 0, second.stderr);
	assert.equal(second.stdout, 'no-note');
	assert.equal(fs.readFileSync(file, 'utf8'), script, 'the host file was changed');
});

test('a missing image path is IMAGE_NOT_FOUND; a file of unknown kind needs an entrypoint', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const dir = workDir(t);
	await expectCode(engine.createContainer({image: path.join(dir, 'nope.py')}), 'IMAGE_NOT_FOUND');
	const data = path.join(dir, 'data.bin');
	fs.writeFileSync(data, 'not a program', {mode: 0o644});
	await expectCode(engine.createContainer({image: data}), 'INVALID_CONFIG');
	assert.deepEqual(imagesOf(storage), []);
	// With an entrypoint it is fine.
	const run = await runToExit(engine, {image: data, entrypoint: 'cat', args: ['data.bin']});
	assert.equal(run.stdout, 'not a program');
});
