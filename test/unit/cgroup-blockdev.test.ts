import assert from 'node:assert/strict';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {blockDeviceOf, formatDeviceNumber, wholeDiskOf} from '../../engine/cgroups/blockdev.js';

describe('formatDeviceNumber', () => {
	it('splits a dev_t into major:minor, including the high bits of large numbers', () => {
		assert.equal(formatDeviceNumber(0x801n), '8:1');
		assert.equal(formatDeviceNumber(0x10302n), '259:2');
		assert.equal(formatDeviceNumber(0xfe00n), '254:0');
		assert.equal(formatDeviceNumber(0x10082cn), '8:300'); // minor above 255
		assert.equal(formatDeviceNumber((1n << 32n) * 4096n), '4096:0'); // major above 4095
	});
});

describe('wholeDiskOf (a fake sysfs tree)', () => {
	const sysRoot = mkdtempSync(path.join(os.tmpdir(), 'c32-sysfs-'));
	after(() => rmSync(sysRoot, {recursive: true, force: true}));
	// The shape of the real thing: /sys/dev/block/M:m links into /sys/devices/.../block/<disk>[/<partition>].
	const disk = path.join(sysRoot, 'devices/pci0000:00/0000:00:1f.2/ata1/block/sda');
	mkdirSync(path.join(disk, 'sda2'), {recursive: true});
	writeFileSync(path.join(disk, 'dev'), '8:0\n');
	writeFileSync(path.join(disk, 'sda2/dev'), '8:2\n');
	writeFileSync(path.join(disk, 'sda2/partition'), '2\n');
	mkdirSync(path.join(sysRoot, 'dev/block'), {recursive: true});
	symlinkSync('../../devices/pci0000:00/0000:00:1f.2/ata1/block/sda', path.join(sysRoot, 'dev/block/8:0'));
	symlinkSync('../../devices/pci0000:00/0000:00:1f.2/ata1/block/sda/sda2', path.join(sysRoot, 'dev/block/8:2'));

	it('maps a partition to the disk that holds it', () => {
		assert.equal(wholeDiskOf('8:2', sysRoot), '8:0');
	});

	it('keeps a whole disk as it is', () => {
		assert.equal(wholeDiskOf('8:0', sysRoot), '8:0');
	});

	it('returns null for a device that is not a block device', () => {
		assert.equal(wholeDiskOf('0:27', sysRoot), null);
	});
});

describe('blockDeviceOf on this host', () => {
	it('finds a whole disk for a directory on a disk-backed filesystem', (t) => {
		const device = blockDeviceOf(process.cwd());
		if (device === null) {
			t.skip('the working directory is not on a block device here (overlay or tmpfs)');
			return;
		}
		assert.match(device, /^\d+:\d+$/);
		assert.ok(existsSync(`/sys/dev/block/${device}`));
		assert.ok(!existsSync(`/sys/dev/block/${device}/partition`), `${device} should be a whole disk`);
	});

	it('a path not made yet is on the disk of its nearest existing ancestor (a storage root before its first use)', () => {
		const base = process.cwd();
		assert.equal(blockDeviceOf(path.join(base, 'c32-not-made', 'storage')), blockDeviceOf(base));
	});

	it('returns null for a tmpfs', () => {
		assert.equal(blockDeviceOf('/dev/shm', {mountInfoText: ''}), null);
	});

	it('follows a filesystem with an anonymous device (btrfs-style) to its mount source', (t) => {
		const diskName = readdirSync('/sys/block').find((name) => existsSync(`/dev/${name}`) && statSync(`/dev/${name}`).isBlockDevice());
		if (diskName === undefined) {
			t.skip('no disk device node in /dev');
			return;
		}
		const anonymous = formatDeviceNumber(statSync('/dev/shm', {bigint: true}).dev);
		const mountInfoText = `99 1 ${anonymous} / /dev/shm rw,relatime - btrfs /dev/${diskName} rw,subvol=/\n`;
		const expected = formatDeviceNumber(statSync(`/dev/${diskName}`, {bigint: true}).rdev);
		assert.equal(blockDeviceOf('/dev/shm', {mountInfoText}), expected);
	});
});
