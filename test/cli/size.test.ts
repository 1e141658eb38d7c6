import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {UsageError} from '../../source/lib/errors.js';
import {formatBinaryBytes, formatDecimalBytes, parseByteSize, parseMemoryMb} from '../../source/lib/size.js';

describe('parseMemoryMb', () => {
	it('reads a bare number as megabytes, as the seed does', () => {
		assert.equal(parseMemoryMb('512'), 512);
	});
	it('reads docker sizes in binary units', () => {
		assert.equal(parseMemoryMb('512m'), 512);
		assert.equal(parseMemoryMb('1g'), 1024);
		assert.equal(parseMemoryMb('1.5G'), 1536);
		assert.equal(parseMemoryMb('2048k'), 2);
		assert.equal(parseMemoryMb('256MiB'), 256);
		assert.equal(parseMemoryMb('1gb'), 1024);
	});
	it('rejects words and negative sizes as usage errors', () => {
		for (const bad of ['lots', '-5m', '5x', '', 'm']) {
			assert.throws(() => parseMemoryMb(bad), UsageError, bad);
		}
	});
});

describe('parseByteSize', () => {
	it('reads bytes by default and units when given', () => {
		assert.equal(parseByteSize('4096', 'size'), 4096);
		assert.equal(parseByteSize('10m', 'size'), 10 * 1024 * 1024);
		assert.equal(parseByteSize('1k', 'size'), 1024);
	});
});

describe('formatting sizes', () => {
	it('shows memory in binary units with up to three significant digits', () => {
		assert.equal(formatBinaryBytes(0), '0B');
		assert.equal(formatBinaryBytes(1536), '1.5KiB');
		assert.equal(formatBinaryBytes(512 * 1024 * 1024), '512MiB');
		assert.equal(formatBinaryBytes(12.25 * 1024 * 1024), '12.3MiB');
		assert.equal(formatBinaryBytes(3 * 1024 ** 3), '3GiB');
	});
	it('shows I/O counters in decimal units', () => {
		assert.equal(formatDecimalBytes(999), '999B');
		assert.equal(formatDecimalBytes(1500), '1.5kB');
		assert.equal(formatDecimalBytes(2_340_000), '2.34MB');
	});
});
