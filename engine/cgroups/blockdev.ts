// Which disk holds a path, as the "major:minor" that blkio/io throttling rules name.
// Throttling applies to whole disks, so a partition is mapped to the disk it is part of.
import {existsSync, readFileSync, realpathSync, statSync} from 'node:fs';
import path from 'node:path';
import {mountsOfDevice, parseMountInfo} from './mountinfo.js';

/** Splits a Linux dev_t (as stat returns it) into "major:minor". */
export function formatDeviceNumber(dev: bigint): string {
	const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
	const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
	return `${major}:${minor}`;
}

/** A partition's "major:minor" becomes its disk's; a whole disk stays as it is. */
export function wholeDiskOf(device: string, sysRoot = '/sys'): string | null {
	const entry = path.join(sysRoot, 'dev/block', device);
	if (!existsSync(entry)) return null;
	if (!existsSync(path.join(entry, 'partition'))) return device;
	// /sys/dev/block/M:m links to .../block/<disk>/<partition>; the disk's dev file is one up.
	return readFileSync(path.join(realpathSync(entry), '..', 'dev'), 'utf8').trim();
}

/**
 * Filesystems such as btrfs report an anonymous device (major 0) in stat; the device they
 * live on is the source of their mount.
 */
function sourceDeviceOf(device: string, mountInfoText: string): string | null {
	for (const mount of mountsOfDevice(parseMountInfo(mountInfoText), device)) {
		if (!mount.source.startsWith('/dev/')) continue;
		try {
			const source = statSync(mount.source, {bigint: true});
			if (source.isBlockDevice()) return formatDeviceNumber(source.rdev);
		} catch {
			// The source may not be visible here (e.g. inside a container); try the next mount.
		}
	}
	return null;
}

export interface BlockDeviceOptions {
	sysRoot?: string;
	mountInfoText?: string;
}

/**
 * "major:minor" of the whole disk holding `target` (or that will hold it: a path not made yet
 * is on its nearest existing ancestor's), or null when no block device does (tmpfs, overlay, ...).
 */
export function blockDeviceOf(target: string, options: BlockDeviceOptions = {}): string | null {
	const sysRoot = options.sysRoot ?? '/sys';
	let existing = path.resolve(target);
	let stat = statSync(existing, {bigint: true, throwIfNoEntry: false});
	while (stat === undefined && existing !== path.dirname(existing)) {
		existing = path.dirname(existing);
		stat = statSync(existing, {bigint: true, throwIfNoEntry: false});
	}
	if (stat === undefined) return null;
	let device = formatDeviceNumber(stat.dev);
	if (device.startsWith('0:')) {
		const mountInfoText = options.mountInfoText ?? readFileSync('/proc/self/mountinfo', 'utf8');
		const source = sourceDeviceOf(device, mountInfoText);
		if (source === null) return null;
		device = source;
	}
	return wholeDiskOf(device, sysRoot);
}
