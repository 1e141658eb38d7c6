// The pure parts of layer handling: PAX records with binary values, entry names that
// escape, the setfattr/getfattr quoting, file capabilities for shifted ids, compression magic.
import assert from 'node:assert/strict';
import {Readable} from 'node:stream';
import {describe, test} from 'node:test';
import {C32Error} from '../../engine/errors.js';
import {compressionOf, HashingSource, layerBytes} from '../../engine/image/layer-stream.js';
import {parsePaxRecords, TarFormatError, tarEntries} from '../../engine/image/layer-tar.js';
import {layerPath} from '../../engine/image/layer-unpack.js';
import {parseDump, quoteName, restoreScript, shiftCapability, unquoteName, unshiftCapability} from '../../engine/image/xattr.js';
import {rawTar} from '../helpers/layers.js';

async function entriesOf(blob: Buffer) {
	const found = [];
	for await (const {entry, body} of tarEntries(new HashingSource(layerBytes(Readable.from([blob]))))) {
		const chunks: Buffer[] = [];
		for await (const piece of body) chunks.push(piece);
		found.push({...entry, content: Buffer.concat(chunks).toString('latin1')});
	}
	return found;
}

describe('tar entries', () => {
	test('binary xattr values survive, NUL and non-UTF-8 bytes included', async () => {
		const value = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x80, 0xff, 0x0a, 0x00]);
		const [entry] = await entriesOf(
			rawTar([{path: 'ping', body: 'x', pax: {'SCHILY.xattr.security.capability': value, 'SCHILY.xattr.user.a': 'b'}}]),
		);
		assert.deepEqual(entry!.xattrs.get('security.capability'), value);
		assert.deepEqual(entry!.xattrs.get('user.a'), Buffer.from('b'));
	});

	test('PAX path, size, uid and mtime override the header', async () => {
		const long = `${'d/'.repeat(120)}file`;
		const [entry] = await entriesOf(rawTar([{path: 'short', body: 'abc', pax: {path: long, uid: '4000000000', mtime: '1600000000.5'}}]));
		assert.equal(entry!.path, long);
		assert.equal(entry!.uid, 4_000_000_000);
		assert.equal(entry!.mtime, 1_600_000_000.5);
		assert.equal(entry!.content, 'abc');
	});

	test('links, devices and directories have no body whatever their size says (as Go reads them)', async () => {
		// A symlink header claiming 512 bytes, followed by a real entry: Go's reader sees the real entry.
		const smuggled = rawTar([
			{path: 'l', type: 'SymbolicLink', linkpath: 't'},
			{path: 'after', body: 'seen'},
		]);
		const patched = Buffer.from(smuggled);
		patched.write('00000001000\0', 124, 12, 'ascii');
		patched.fill(0x20, 148, 156);
		let sum = 0;
		for (const byte of patched.subarray(0, 512)) sum += byte;
		patched.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
		const found = await entriesOf(patched);
		assert.deepEqual(
			found.map((entry) => entry.path),
			['l', 'after'],
		);
	});

	test('a malformed PAX record or a bad checksum is a format error', async () => {
		assert.throws(() => parsePaxRecords(Buffer.from('99 path=x\n')), TarFormatError);
		assert.throws(() => parsePaxRecords(Buffer.from('garbage')), TarFormatError);
		const broken = rawTar([{path: 'a', body: 'x'}]);
		broken[0] = 0x62;
		await assert.rejects(entriesOf(broken), TarFormatError);
	});
});

describe('layerPath', () => {
	test('normalizes ./ and empty components', () => {
		assert.deepEqual(layerPath('./a//b/./c/'), ['a', 'b', 'c']);
		assert.deepEqual(layerPath('./'), []);
	});

	for (const name of ['/etc/passwd', '../x', 'a/../../x', 'a/..', 'a\0b']) {
		test(`refuses ${JSON.stringify(name)} with IMAGE_INVALID`, () => {
			assert.throws(
				() => layerPath(name),
				(error: unknown) => error instanceof C32Error && error.code === 'IMAGE_INVALID',
			);
		});
	}
});

describe('xattr tools', () => {
	test('names are quoted the way getfattr prints and setfattr reads them', () => {
		for (const name of ['plain', 'sp ace', 'new\nline', 'back\\slash', 'équal=', 'tab\t']) assert.equal(unquoteName(quoteName(name)), name);
		assert.equal(quoteName('a b\\=\n'), 'a\\040b\\134\\075\\012');
		assert.equal(restoreScript([['/x y', new Map([['user.k', Buffer.from([0, 1])]])]]), '# file: /x\\040y\nuser.k=0sAAE=\n\n');
	});

	test('a getfattr dump parses back to bytes', () => {
		const dump =
			'# file: /proc/self/fd/3/a\\012b\nuser.k=0sAAE=\nuser.q\\075x=0s\n\n# file: /proc/self/fd/4/.\ntrusted.overlay.opaque=0seQ==\n\n';
		const parsed = parseDump(dump);
		assert.deepEqual(
			parsed.get('/proc/self/fd/3/a\nb'),
			new Map([
				['user.k', Buffer.from([0, 1])],
				['user.q=x', Buffer.alloc(0)],
			]),
		);
		assert.deepEqual(parsed.get('/proc/self/fd/4/.')?.get('trusted.overlay.opaque'), Buffer.from('y'));
	});

	test('a v2 capability becomes v3 of the shifted root and back', () => {
		const v2 = Buffer.from('0100000200200000000000000000000000000000', 'hex');
		const v3 = shiftCapability(v2, 100_000);
		assert.equal(v3.length, 24);
		assert.equal(v3.readUInt32LE(0), 0x03000001);
		assert.equal(v3.readUInt32LE(20), 100_000);
		assert.deepEqual(unshiftCapability(v3, 100_000), v2);
		assert.equal(shiftCapability(v2, 0), v2);
	});
});

describe('compression', () => {
	test('told by magic bytes; xz and bzip2 are refused by name', () => {
		assert.equal(compressionOf(Buffer.from([0x1f, 0x8b, 8])), 'gzip');
		assert.equal(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
		assert.equal(compressionOf(Buffer.from('ustar')), 'none');
		assert.throws(() => compressionOf(Buffer.from('BZh91AY')), /bzip2/);
		assert.throws(() => compressionOf(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), /xz/);
	});
});
