// packLayer on a real overlay upper: a container's changes (new, changed and deleted files,
// a directory replaced, setuid, xattrs, links) become a layer that, unpacked over the same
// base, shows exactly the view the container had. Deterministic, shifted ids undone.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import zlib from 'node:zlib';
import * as tar from 'tar';
import {C32Error} from '../../engine/errors.js';
import {packLayer} from '../../engine/image/layer-pack.js';
import {mountOverlay, needsLayerTools, rawTar, sha256, tempDir, treeView, unmount, unpackBuffer} from '../helpers/layers.js';

async function pack(upper: string, file: string, options?: {idShift?: number}) {
	const result = await packLayer(upper, fs.createWriteStream(file), options);
	return {result, blob: fs.readFileSync(file)};
}

/** Entries of a gzip'd tar as node-tar lists them: "path type uid:gid mode". */
async function listing(file: string): Promise<string[]> {
	const lines: string[] = [];
	await tar.t({
		file,
		onReadEntry: (entry) => lines.push(`${entry.path} ${entry.type} ${entry.uid}:${entry.gid} ${(entry.mode ?? 0).toString(8)}`),
	});
	return lines;
}

function sh(cwd: string, script: string): void {
	execFileSync('/bin/sh', ['-ec', script], {cwd});
}

describe('packLayer', () => {
	test("a container's changes round-trip: unpacked over the same base, the view is the same", async (t) => {
		if (!needsLayerTools(t)) return;
		const base = tempDir(t);
		const [lower, upper, work, merged, again, top] = ['lower', 'upper', 'work', 'merged', 'again', 'top'].map((name) =>
			path.join(base, name),
		);
		for (const dir of [lower, upper, work, top]) fs.mkdirSync(dir!);
		await unpackBuffer(
			rawTar([
				{path: 'etc/conf', body: 'original'},
				{path: 'etc/remove-me', body: 'bye'},
				{path: 'var/lib/data/x', body: 'x'},
				{path: 'var/lib/data/y', body: 'y'},
				{path: 'usr/bin/tool', body: '#!/bin/sh\n', mode: 0o755},
				{path: 'opt/dir/a', body: 'a'},
				{path: 'opt/dir/b', body: 'b'},
			]),
			lower!,
		);
		mountOverlay(merged!, [lower!], {upper: upper!, work: work!});
		sh(
			merged!,
			[
				'printf changed > etc/conf',
				'printf new > etc/new && chown 1000:1000 etc/new && setfattr -n user.origin -v container etc/new',
				'ln etc/new etc/new-hard',
				'rm etc/remove-me',
				'rm -r var/lib/data && mkdir var/lib/data && printf z > var/lib/data/z',
				'chmod 4755 usr/bin/tool',
				'ln -s /etc/shadow opt/link',
				'mkfifo opt/fifo',
				'rm -r opt/dir',
				'mkdir -m 0555 opt/readonly && touch -d @1500000000 opt/readonly',
			].join('\n'),
		);
		const expected = treeView(merged!, {skipRoot: true});
		unmount(merged!);

		const file = path.join(base, 'layer.tar.gz');
		const {result, blob} = await pack(upper!, file);
		assert.equal(result.digest, sha256(blob));
		assert.equal(result.size, blob.length);
		assert.equal(result.diffId, sha256(zlib.gunzipSync(blob)));
		const entries = await listing(file);
		assert.ok(
			entries.some((line) => line.startsWith('etc/.wh.remove-me File 0:0')),
			entries.join('\n'),
		);
		assert.ok(entries.some((line) => line.startsWith('var/lib/data/.wh..wh..opq File')));
		assert.ok(entries.some((line) => line.startsWith('opt/.wh.dir File')));
		assert.ok(entries.some((line) => line.startsWith('etc/new-hard Link')));
		assert.ok(entries.includes('usr/bin/tool File 0:0 4755'));
		assert.ok(!entries.some((line) => line.includes('etc/remove-me ') || line.startsWith('opt/dir/')));

		assert.equal((await unpackBuffer(blob, top!)).diffId, result.diffId);
		mountOverlay(again!, [top!, lower!]);
		assert.deepEqual(treeView(again!, {skipRoot: true}), expected);

		const second = await pack(upper!, path.join(base, 'second.tar.gz'));
		assert.equal(second.result.digest, result.digest, 'the same upper packs to the same bytes');
	});

	test('ids shifted for a user namespace are unshifted in the layer', async (t) => {
		if (!needsLayerTools(t)) return;
		const base = tempDir(t);
		const upper = path.join(base, 'upper');
		fs.mkdirSync(path.join(upper, 'home'), {recursive: true});
		fs.writeFileSync(path.join(upper, 'home/file'), 'x');
		fs.chownSync(path.join(upper, 'home'), 100_000, 100_000);
		fs.chownSync(path.join(upper, 'home/file'), 101_000, 101_002);
		const file = path.join(base, 'layer.tar.gz');
		await pack(upper, file, {idShift: 100_000});
		assert.deepEqual(await listing(file), ['home/ Directory 0:0 755', 'home/file File 1000:1002 644']);
	});

	test('an upper using overlay redirects is refused, not packed wrong', async (t) => {
		if (!needsLayerTools(t)) return;
		const base = tempDir(t);
		const upper = path.join(base, 'upper');
		fs.mkdirSync(path.join(upper, 'moved'), {recursive: true});
		execFileSync('setfattr', ['-n', 'trusted.overlay.redirect', '-v', '/original', path.join(upper, 'moved')]);
		const output = path.join(base, 'layer.tar.gz');
		await assert.rejects(packLayer(upper, fs.createWriteStream(output)), (error: unknown) => {
			assert.ok(error instanceof C32Error);
			assert.equal(error.code, 'UNSUPPORTED');
			assert.match(error.message, /redirect/);
			return true;
		});
	});
});
