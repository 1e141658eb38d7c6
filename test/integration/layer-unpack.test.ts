// unpackLayer on real files as root: what a layer keeps (modes, setuid, owners, xattrs,
// capabilities, links, devices), how whiteouts behave under a real overlay mount, and every
// way a malicious layer tries to write outside its directory — refused, with nothing written.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import {describe, test} from 'node:test';
import zlib from 'node:zlib';
import {C32Error} from '../../engine/errors.js';
import {unpackLayer} from '../../engine/image/layer-unpack.js';
import {mountOverlay, needsLayerTools, type RawEntry, rawTar, sandbox, sha256, tempDir, treeView, unpackBuffer} from '../helpers/layers.js';

/** security.capability v2 for cap_net_raw+ep, as setcap writes it. */
const NET_RAW_CAPABILITY = Buffer.from('0100000200200000000000000000000000000000', 'hex');
const MTIME = 1_600_000_000;

async function refused(blob: Buffer, target: string, pattern: RegExp): Promise<void> {
	await assert.rejects(unpackBuffer(blob, target), (error: unknown) => {
		assert.ok(error instanceof C32Error, `not a C32Error: ${String(error)}`);
		assert.equal(error.code, 'IMAGE_INVALID');
		assert.match(error.message, pattern);
		assert.ok(!error.message.includes('\n'), 'one line');
		return true;
	});
}

function xattr(file: string, name: string): string | null {
	const result = spawnSync('getfattr', ['-h', '--only-values', '-e', 'hex', '-n', name, file], {encoding: 'latin1'});
	return result.status === 0 ? Buffer.from(result.stdout, 'latin1').toString('hex') : null;
}

describe('unpackLayer keeps what the image gave its files', () => {
	test('modes with setuid/setgid/sticky, owners, mtimes, xattrs, capabilities, links, fifos and devices', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target, untouched} = sandbox(t);
		const entries: RawEntry[] = [
			{path: 'bin/', type: 'Directory', mode: 0o755, mtime: MTIME},
			{path: 'bin/su', body: 'su', mode: 0o4755, mtime: MTIME, pax: {'SCHILY.xattr.user.note': 'kept'}},
			{path: 'bin/ping', body: 'ping', mode: 0o755, uid: 0, gid: 0, pax: {'SCHILY.xattr.security.capability': NET_RAW_CAPABILITY}},
			{path: 'bin/wall', body: 'wall', mode: 0o2755, gid: 5},
			{path: 'tmp/', type: 'Directory', mode: 0o1777},
			{path: 'home/bob/', type: 'Directory', mode: 0o700, uid: 1000, gid: 1000},
			{path: 'home/bob/notes', body: 'hello', mode: 0o600, uid: 1000, gid: 1000, mtime: MTIME},
			{path: 'home/bob/same', type: 'Link', linkpath: 'home/bob/notes'},
			{path: 'home/bob/link', type: 'SymbolicLink', linkpath: '/etc/shadow', uid: 1000, gid: 1000},
			{path: 'run/fifo', type: 'FIFO', mode: 0o620},
			{path: 'dev/null', type: 'CharacterDevice', devmaj: 1, devmin: 3, mode: 0o666},
			{path: 'dev/loop9', type: 'BlockDevice', devmaj: 7, devmin: 9, mode: 0o660, gid: 6},
			{path: 'ro/', type: 'Directory', mode: 0o555, mtime: MTIME},
			{path: 'ro/inside', body: 'written after its read-only parent'},
		];
		const tar = rawTar(entries);
		const result = await unpackBuffer(tar, target);
		assert.deepEqual(result, {diffId: sha256(tar), bytes: tar.length});
		const st = (p: string) => fs.lstatSync(path.join(target, p));
		assert.equal(st('bin/su').mode & 0o7777, 0o4755);
		assert.equal(st('bin/su').mtimeMs, MTIME * 1000);
		assert.equal(st('bin/wall').mode & 0o7777, 0o2755);
		assert.equal(st('bin/wall').gid, 5);
		assert.equal(st('tmp').mode & 0o7777, 0o1777);
		assert.equal(st('home/bob').uid, 1000);
		assert.equal(st('home/bob').mode & 0o7777, 0o700);
		assert.equal(st('home/bob/notes').uid, 1000);
		assert.equal(st('home/bob/notes').mtimeMs, MTIME * 1000);
		assert.equal(st('home/bob/same').ino, st('home/bob/notes').ino);
		assert.equal(fs.readlinkSync(path.join(target, 'home/bob/link')), '/etc/shadow');
		assert.equal(st('home/bob/link').uid, 1000);
		assert.ok(st('run/fifo').isFIFO());
		assert.equal(st('run/fifo').mode & 0o7777, 0o620);
		assert.ok(st('dev/null').isCharacterDevice());
		assert.equal(st('dev/null').rdev, 0x103);
		assert.ok(st('dev/loop9').isBlockDevice());
		assert.equal(st('dev/loop9').rdev, 0x709);
		assert.equal(st('ro').mode & 0o7777, 0o555);
		assert.equal(st('ro').mtimeMs, MTIME * 1000);
		assert.equal(fs.readFileSync(path.join(target, 'ro/inside'), 'utf8'), 'written after its read-only parent');
		assert.equal(xattr(path.join(target, 'bin/su'), 'user.note'), Buffer.from('kept').toString('hex'));
		assert.equal(xattr(path.join(target, 'bin/ping'), 'security.capability'), NET_RAW_CAPABILITY.toString('hex'));
		assert.equal(st('').mode & 0o7777, 0o755, 'a layer without a root entry gets a traversable root');
		untouched();
	});

	test('idShift moves every owner, and a capability becomes one of the shifted root (v3)', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target} = sandbox(t);
		const tar = rawTar([
			{path: './', type: 'Directory', mode: 0o755},
			{path: 'etc/', type: 'Directory'},
			{path: 'etc/mine', body: 'x', uid: 1000, gid: 1001},
			{path: 'ping', body: 'ping', mode: 0o4755, pax: {'SCHILY.xattr.security.capability': NET_RAW_CAPABILITY}},
			{path: 'l', type: 'SymbolicLink', linkpath: 'ping', uid: 7},
			{path: '.wh.gone', body: ''},
		]);
		await unpackBuffer(tar, target, {idShift: 100_000});
		const st = (p: string) => fs.lstatSync(path.join(target, p));
		assert.equal(st('').uid, 100_000);
		assert.equal(st('etc').uid, 100_000);
		assert.deepEqual([st('etc/mine').uid, st('etc/mine').gid], [101_000, 101_001]);
		assert.equal(st('l').uid, 100_007);
		assert.equal(st('gone').uid, 100_000);
		assert.equal(st('ping').mode & 0o7777, 0o4755, 'setuid survives the shifted chown');
		const v3 = Buffer.from(xattr(path.join(target, 'ping'), 'security.capability') ?? '', 'hex');
		assert.equal(v3.length, 24);
		assert.equal(v3.readUInt32LE(0) >>> 24, 3);
		assert.equal(v3.readUInt32LE(20), 100_000);
	});

	test('gzip, zstd and plain tar give the same files and the same diff id', async (t) => {
		if (!needsLayerTools(t, ['setfattr', 'getfattr', 'mknod', 'zstd'])) return;
		const base = tempDir(t);
		// `a/` is given with its own mtime: a directory the unpacker makes itself gets the
		// time of unpacking, which differs between the three runs across a second boundary.
		const tar = rawTar([
			{path: 'a/', type: 'Directory', mtime: 1_700_000_000},
			{path: 'a/b', body: 'content'},
			{path: 'c', type: 'SymbolicLink', linkpath: 'a/b'},
		]);
		fs.writeFileSync(path.join(base, 'layer.tar'), tar);
		execFileSync('zstd', ['-q', path.join(base, 'layer.tar'), '-o', path.join(base, 'layer.tar.zst')]);
		const blobs = {plain: tar, gzip: zlib.gzipSync(tar), zstd: fs.readFileSync(path.join(base, 'layer.tar.zst'))};
		const views: string[][] = [];
		for (const [kind, blob] of Object.entries(blobs)) {
			const target = path.join(base, kind);
			fs.mkdirSync(target);
			assert.deepEqual(await unpackBuffer(blob, target), {diffId: sha256(tar), bytes: tar.length}, kind);
			views.push(treeView(target, {skipRoot: true}));
		}
		assert.deepEqual(views[1], views[0]);
		assert.deepEqual(views[2], views[0]);
	});

	test('a corrupt, truncated or foreign blob is IMAGE_INVALID', async (t) => {
		if (!needsLayerTools(t, ['setfattr', 'getfattr', 'mknod', 'zstd'])) return;
		const {target} = sandbox(t);
		const tar = rawTar([{path: 'big', body: Buffer.alloc(4096, 1)}]);
		const gzip = zlib.gzipSync(tar);
		const flipped = Buffer.from(gzip);
		flipped[gzip.length - 6] = flipped[gzip.length - 6]! ^ 0xff; // the CRC
		await refused(flipped, target, /not valid gzip/);
		await refused(gzip.subarray(0, gzip.length / 2), target, /not valid gzip|truncated/);
		await refused(tar.subarray(0, 1024), target, /truncated/);
		await refused(Buffer.from('this is not a tar archive at all'.repeat(40)), target, /not a valid tar archive/);
		await refused(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]), target, /xz-compressed/);
		await refused(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 7)]), target, /not valid zstd/);
	});
});

describe('unpackLayer refuses layers that escape their directory', () => {
	const escapes: Array<{name: string; entries: (outside: string) => RawEntry[]; pattern: RegExp}> = [
		{name: 'an absolute name', entries: (outside) => [{path: `${outside}/sentinel`, body: 'owned'}], pattern: /absolute path/},
		{name: 'a ../ name', entries: () => [{path: '../outside/sentinel', body: 'owned'}], pattern: /'\.\.' component/},
		{name: 'a ../ name further down', entries: () => [{path: 'a/b/../../../outside/x', body: 'owned'}], pattern: /'\.\.'/},
		{
			name: 'a PAX path with ..',
			entries: () => [{path: 'innocent', body: 'owned', pax: {path: '../outside/sentinel'}}],
			pattern: /'\.\.' component/,
		},
		{
			name: 'a file through a symlink to an absolute directory',
			entries: (outside) => [
				{path: 'a', type: 'SymbolicLink', linkpath: outside},
				{path: 'a/sentinel', body: 'owned'},
			],
			pattern: /through the symlink "a"/,
		},
		{
			name: 'a file through a symlink to /etc',
			entries: () => [
				{path: 'etc', type: 'SymbolicLink', linkpath: '/etc'},
				{path: 'etc/c32-layer-escape-test', body: 'owned'},
			],
			pattern: /through the symlink "etc"/,
		},
		{
			name: 'a chain of symlinks to ..',
			entries: () => [
				{path: 'up', type: 'SymbolicLink', linkpath: '..'},
				{path: 'deep/', type: 'Directory'},
				{path: 'deep/upup', type: 'SymbolicLink', linkpath: '../up/..'},
				{path: 'deep/upup/outside/sentinel', body: 'owned'},
			],
			pattern: /through the symlink "deep\/upup"/,
		},
		{
			name: 'a directory through a symlink',
			entries: (outside) => [
				{path: 'd', type: 'SymbolicLink', linkpath: outside},
				{path: 'd/newdir/', type: 'Directory'},
			],
			pattern: /through the symlink "d"/,
		},
		{
			name: 'a whiteout through a symlink',
			entries: (outside) => [
				{path: 'w', type: 'SymbolicLink', linkpath: outside},
				{path: 'w/.wh.sentinel', body: ''},
			],
			pattern: /through the symlink "w"/,
		},
		{
			name: 'an opaque marker through a symlink',
			entries: (outside) => [
				{path: 'o', type: 'SymbolicLink', linkpath: outside},
				{path: 'o/.wh..wh..opq', body: ''},
			],
			pattern: /through the symlink "o"/,
		},
		{name: 'a hard link to /etc/passwd', entries: () => [{path: 'pw', type: 'Link', linkpath: '/etc/passwd'}], pattern: /absolute path/},
		{
			name: 'a hard link to ../',
			entries: () => [{path: 'pw', type: 'Link', linkpath: '../outside/sentinel'}],
			pattern: /hard link to a path with a '\.\.'/,
		},
		{
			name: 'a hard link through a symlink',
			entries: (outside) => [
				{path: 's', type: 'SymbolicLink', linkpath: outside},
				{path: 'pw', type: 'Link', linkpath: 's/sentinel'},
			],
			pattern: /hard link through the symlink "s"/,
		},
		{
			name: 'a hard link to a later entry',
			entries: () => [
				{path: 'early', type: 'Link', linkpath: 'later'},
				{path: 'later', body: 'x'},
			],
			pattern: /not in the layer before it/,
		},
		{
			name: 'a hard link to a directory',
			entries: () => [
				{path: 'd/', type: 'Directory'},
				{path: 'x', type: 'Link', linkpath: 'd'},
			],
			pattern: /directory/,
		},
		{name: 'a sparse file', entries: () => [{path: 'sparse', type: 'SparseFile', body: 'x'}], pattern: /type c32 does not know/},
		{name: 'a GNU dump directory', entries: () => [{path: 'dd', type: 'GNUDumpDir'}], pattern: /type c32 does not know/},
		{
			name: 'a file below a device',
			entries: () => [
				{path: 'n', type: 'FIFO'},
				{path: 'n/x', body: 'x'},
			],
			pattern: /not a directory/,
		},
		{
			name: 'a file below a file',
			entries: () => [
				{path: 'f', body: 'x'},
				{path: 'f/x', body: 'x'},
			],
			pattern: /not a directory/,
		},
	];
	for (const {name, entries, pattern} of escapes) {
		test(`${name}: refused, nothing written outside`, async (t) => {
			if (!needsLayerTools(t)) return;
			const {target, outside, untouched} = sandbox(t);
			await refused(rawTar(entries(outside)), target, pattern);
			untouched();
			assert.equal(fs.existsSync('/etc/c32-layer-escape-test'), false);
		});
	}

	test('a later entry replaces a symlink of the same name instead of writing through it', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target, outside, untouched} = sandbox(t);
		const tar = rawTar([
			{path: 'f', type: 'SymbolicLink', linkpath: path.join(outside, 'sentinel')},
			{path: 'f', body: 'replaced'},
			{path: 'd', type: 'SymbolicLink', linkpath: outside},
			{path: 'd/', type: 'Directory', mode: 0o750},
			{path: 'd/inside', body: 'in the layer'},
			{path: 'h', type: 'SymbolicLink', linkpath: path.join(outside, 'sentinel')},
			{path: 'h2', type: 'Link', linkpath: 'h'},
			{path: 'dev', type: 'SymbolicLink', linkpath: path.join(outside, 'sentinel')},
			{path: 'dev', type: 'FIFO'},
		]);
		await unpackBuffer(tar, target);
		untouched();
		assert.equal(fs.readFileSync(path.join(target, 'f'), 'utf8'), 'replaced');
		assert.ok(fs.lstatSync(path.join(target, 'd')).isDirectory());
		assert.equal(fs.readFileSync(path.join(target, 'd/inside'), 'utf8'), 'in the layer');
		assert.ok(fs.lstatSync(path.join(target, 'h2')).isSymbolicLink(), 'a hard link to a symlink links the symlink itself');
		assert.ok(fs.lstatSync(path.join(target, 'dev')).isFIFO());
	});

	test('later entries win: file over file, directory over file, file over directory', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target} = sandbox(t);
		await unpackBuffer(
			rawTar([
				{path: 'a', body: 'first'},
				{path: 'a', body: 'second'},
				{path: 'b', body: 'file'},
				{path: 'b/', type: 'Directory'},
				{path: 'b/x', body: 'x'},
				{path: 'c/', type: 'Directory', mode: 0o700},
				{path: 'c/deep/er', body: 'gone'},
				{path: 'c', body: 'now a file'},
				{path: 'd/', type: 'Directory', mode: 0o700},
				{path: 'd/', type: 'Directory', mode: 0o711},
			]),
			target,
		);
		assert.equal(fs.readFileSync(path.join(target, 'a'), 'utf8'), 'second');
		assert.equal(fs.readFileSync(path.join(target, 'b/x'), 'utf8'), 'x');
		assert.equal(fs.readFileSync(path.join(target, 'c'), 'utf8'), 'now a file');
		assert.equal(fs.statSync(path.join(target, 'd')).mode & 0o7777, 0o711);
	});

	test('an image cannot set overlayfs attributes of its own', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target} = sandbox(t);
		await unpackBuffer(
			rawTar([
				{path: 'd/', type: 'Directory', pax: {'SCHILY.xattr.trusted.overlay.opaque': 'y', 'SCHILY.xattr.user.ok': '1'}},
				{path: 'r/', type: 'Directory', pax: {'SCHILY.xattr.trusted.overlay.redirect': '/etc'}},
			]),
			target,
		);
		assert.equal(xattr(path.join(target, 'd'), 'trusted.overlay.opaque'), null);
		assert.equal(xattr(path.join(target, 'r'), 'trusted.overlay.redirect'), null);
		assert.equal(xattr(path.join(target, 'd'), 'user.ok'), '31');
	});
});

describe('whiteouts under a real overlay mount', () => {
	test(".wh.NAME hides a lower file, .wh..wh..opq hides a lower directory's contents", async (t) => {
		if (!needsLayerTools(t)) return;
		const base = tempDir(t);
		const layer1 = path.join(base, 'layer1');
		const layer2 = path.join(base, 'layer2');
		fs.mkdirSync(layer1);
		fs.mkdirSync(layer2);
		await unpackBuffer(
			rawTar([
				{path: 'keep', body: 'kept'},
				{path: 'gone', body: 'deleted above'},
				{path: 'dir/', type: 'Directory'},
				{path: 'dir/old1', body: '1'},
				{path: 'dir/sub/old2', body: '2'},
				{path: 'tree/x/y', body: 'deleted with its directory'},
			]),
			layer1,
		);
		await unpackBuffer(
			rawTar([
				{path: '.wh.gone', body: ''},
				{path: 'dir/', type: 'Directory'},
				{path: 'dir/.wh..wh..opq', body: ''},
				{path: 'dir/new', body: 'new'},
				{path: '.wh.tree', body: ''},
			]),
			layer2,
		);
		const stat = fs.lstatSync(path.join(layer2, 'gone'));
		assert.ok(stat.isCharacterDevice() && stat.rdev === 0, 'a 0:0 character device');
		const root = path.join(base, 'root');
		mountOverlay(root, [layer2, layer1]);
		assert.deepEqual(fs.readdirSync(root).sort(), ['dir', 'keep']);
		assert.deepEqual(fs.readdirSync(path.join(root, 'dir')), ['new']);
		assert.equal(fs.readFileSync(path.join(root, 'keep'), 'utf8'), 'kept');
	});

	test('a thousand deletions unpack with a handful of processes', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target} = sandbox(t);
		const entries: RawEntry[] = [{path: 'many/', type: 'Directory'}];
		for (let i = 0; i < 1000; i++) entries.push({path: `many/.wh.file-${i}`, body: ''});
		const started = performance.now();
		await unpackBuffer(rawTar(entries), target);
		const ms = performance.now() - started;
		t.diagnostic(`1000 whiteouts unpacked in ${ms.toFixed(0)} ms`);
		const names = fs.readdirSync(path.join(target, 'many'));
		assert.equal(names.length, 1000);
		const stats = names.map((name) => fs.lstatSync(path.join(target, 'many', name)));
		assert.ok(stats.every((stat) => stat.isCharacterDevice() && stat.rdev === 0));
		// One device made (one mknod), the rest hard links of it: no process per deletion.
		assert.equal(new Set(stats.map((stat) => stat.ino)).size, 1);
		assert.deepEqual(fs.readdirSync(target), ['many'], 'the shared device is gone from the layer root');
		assert.ok(ms < 10_000, `took ${ms} ms`);
	});
});

describe('unpackLayer streams', () => {
	test('a 256 MiB file unpacks without the layer held in memory; ~50 MB of small files are timed', async (t) => {
		if (!needsLayerTools(t)) return;
		const {target} = sandbox(t);
		const size = 256 * 1024 * 1024;
		const header = rawTar([{path: 'big', body: ''}]).subarray(0, 512);
		// The same header with the real size: node-tar's Header encodes it, the test streams the body.
		const sized = rawTarHeader('big', size);
		assert.equal(sized.length, header.length);
		async function* blob() {
			yield sized;
			const chunk = Buffer.alloc(1024 * 1024, 0x61);
			for (let sent = 0; sent < size; sent += chunk.length) yield chunk;
			yield Buffer.alloc(1024);
		}
		const before = process.memoryUsage().rss;
		let peak = before;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage().rss);
		}, 20);
		try {
			const result = await unpackLayer(Readable.from(blob()), target);
			assert.equal(result.bytes, 512 + size + 1024);
		} finally {
			clearInterval(sampler);
		}
		assert.equal(fs.statSync(path.join(target, 'big')).size, size);
		t.diagnostic(`rss grew by ${((peak - before) / 1e6).toFixed(0)} MB while unpacking 268 MB`);
		assert.ok(peak - before < 128 * 1024 * 1024, `rss grew by ${peak - before} bytes`);

		const small = path.join(path.dirname(target), 'small');
		fs.mkdirSync(small);
		const entries: RawEntry[] = [];
		for (let d = 0; d < 100; d++) {
			for (let f = 0; f < 120; f++) entries.push({path: `usr/share/d${d}/f${f}.txt`, body: Buffer.alloc(4096, d + f)});
		}
		const tar = zlib.gzipSync(rawTar(entries), {level: 1});
		const started = performance.now();
		const unpacked = await unpackBuffer(tar, small);
		const ms = performance.now() - started;
		t.diagnostic(`${entries.length} files, ${(unpacked.bytes / 1e6).toFixed(1)} MB uncompressed: unpacked in ${ms.toFixed(0)} ms`);
		assert.equal(fs.readdirSync(path.join(small, 'usr/share/d99')).length, 120);
	});
});

function rawTarHeader(name: string, size: number): Buffer {
	// A header for `size` bytes without building them: encode an empty entry, then patch size and checksum.
	const block = Buffer.from(rawTar([{path: name, body: ''}]).subarray(0, 512));
	block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 12, 'ascii');
	block.fill(0x20, 148, 156);
	let sum = 0;
	for (const byte of block) sum += byte;
	block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
	return block;
}
