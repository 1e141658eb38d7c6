// Layers written by another tool: umoci builds a two-layer image from Debian's static
// busybox (the second layer deletes a file), c32 unpacks its blobs, the diff ids match the
// image config, and busybox runs in a chroot of the overlay with the file gone.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {unpackLayer} from '../../engine/image/layer-unpack.js';
import {mountOverlay, needsLayerTools, tempDir} from '../helpers/layers.js';

function blobPath(layout: string, digest: string): string {
	return path.join(layout, 'blobs', ...digest.split(':'));
}

function readBlob(layout: string, digest: string): {[key: string]: unknown} {
	return JSON.parse(fs.readFileSync(blobPath(layout, digest), 'utf8'));
}

test('a busybox image made by umoci unpacks, whiteout included, and runs in a chroot', async (t) => {
	if (!needsLayerTools(t, ['setfattr', 'getfattr', 'mknod', 'umoci', 'busybox'])) return;
	const base = tempDir(t);
	const layout = path.join(base, 'layout');
	const bundle = path.join(base, 'bundle');
	const rootfs = path.join(bundle, 'rootfs');
	const umoci = (...args: string[]) => execFileSync('umoci', args, {stdio: ['ignore', 'ignore', 'pipe']});
	umoci('init', '--layout', layout);
	umoci('new', '--image', `${layout}:bb`);
	umoci('unpack', '--image', `${layout}:bb`, bundle);
	fs.mkdirSync(path.join(rootfs, 'bin'));
	fs.mkdirSync(path.join(rootfs, 'etc'));
	fs.copyFileSync(fs.realpathSync('/bin/busybox'), path.join(rootfs, 'bin/busybox'));
	fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
	fs.symlinkSync('busybox', path.join(rootfs, 'bin/sh'));
	fs.writeFileSync(path.join(rootfs, 'etc/deleted'), 'in the first layer only\n');
	umoci('repack', '--image', `${layout}:bb`, bundle);
	// A second layer: umoci diffs a bundle against the image it was unpacked from.
	const bundle2 = path.join(base, 'bundle2');
	umoci('unpack', '--image', `${layout}:bb`, bundle2);
	fs.rmSync(path.join(bundle2, 'rootfs/etc/deleted'));
	fs.writeFileSync(path.join(bundle2, 'rootfs/etc/added'), 'second layer\n');
	umoci('repack', '--image', `${layout}:bb`, bundle2);

	const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as {manifests: Array<{digest: string}>};
	const manifest = readBlob(layout, index.manifests[0]!.digest) as {config: {digest: string}; layers: Array<{digest: string}>};
	const config = readBlob(layout, manifest.config.digest) as {rootfs: {diff_ids: string[]}};
	assert.equal(manifest.layers.length, 2);
	const dirs: string[] = [];
	for (const [i, layer] of manifest.layers.entries()) {
		const dir = path.join(base, `layer${i}`);
		fs.mkdirSync(dir, {mode: 0o700});
		const {diffId} = await unpackLayer(fs.createReadStream(blobPath(layout, layer.digest)), dir);
		assert.equal(diffId, config.rootfs.diff_ids[i], `layer ${i}'s diff id`);
		dirs.unshift(dir);
	}
	const root = path.join(base, 'root');
	mountOverlay(root, dirs);
	const out = execFileSync(
		'chroot',
		[root, '/bin/sh', '-c', 'echo ran in $(/bin/busybox uname -s); ls /etc; test ! -e /etc/deleted && echo deleted-is-gone'],
		{
			encoding: 'utf8',
		},
	);
	assert.match(out, /^ran in Linux$/m);
	assert.match(out, /^added$/m);
	assert.match(out, /^deleted-is-gone$/m);
	assert.doesNotMatch(out, /^deleted$/m);
});
