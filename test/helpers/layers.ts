// Helpers for the layer tests: tarballs written by hand (headers encoded with node-tar's
// Header, PAX records by a small encoder of this file, so a malicious archive is exactly
// what the test says), a listing of a tree to compare two views of it, overlay mounts, and
// the gate for the tools the tests need. Not a test file.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import type {TestContext} from 'node:test';
import {Header} from 'tar';
import {findExecutable} from '../../engine/host.js';
import {unpackLayer} from '../../engine/image/layer-unpack.js';
import {IN_CI, makeTempDir} from './engine.js';

/** The Debian packages behind the tools layer tests run. */
const PACKAGES: Record<string, string> = {
	setfattr: 'attr',
	getfattr: 'attr',
	zstd: 'zstd',
	umoci: 'umoci',
	busybox: 'busybox-static',
	mknod: 'coreutils',
};

/** Gate for a test that needs root and these tools: skips without them, fails in CI. */
export function needsLayerTools(t: TestContext, tools: string[] = ['setfattr', 'getfattr', 'mknod']): boolean {
	const problems: string[] = [];
	if (process.getuid?.() !== 0) problems.push('not running as root');
	for (const tool of tools)
		if (findExecutable(tool) === null) problems.push(`${tool} is missing (apt-get install -y ${PACKAGES[tool] ?? tool})`);
	if (problems.length === 0) return true;
	if (IN_CI) assert.fail(`this test needs ${problems.join('; ')}`);
	t.skip(problems.join('; '));
	return false;
}

export interface RawEntry {
	path: string;
	/** node-tar's type name ('File', 'Directory', 'SymbolicLink', 'Link', 'CharacterDevice', 'FIFO', 'SparseFile', ...). */
	type?: string;
	body?: string | Buffer;
	mode?: number;
	uid?: number;
	gid?: number;
	/** Seconds. */
	mtime?: number;
	linkpath?: string;
	devmaj?: number;
	devmin?: number;
	/** PAX records put in an extended header before the entry. */
	pax?: Record<string, string | Buffer>;
}

function paxBody(records: Record<string, string | Buffer>): Buffer {
	const parts: Buffer[] = [];
	for (const [key, value] of Object.entries(records)) {
		const rest = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
		let length = rest.length + 1;
		while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
		parts.push(Buffer.from(String(length)), rest);
	}
	return Buffer.concat(parts);
}

function block(fields: RawEntry & {size: number}): Buffer {
	const buffer = Buffer.alloc(512);
	new Header({
		path: fields.path,
		type: (fields.type ?? 'File') as 'File',
		mode: fields.mode ?? 0o644,
		uid: fields.uid ?? 0,
		gid: fields.gid ?? 0,
		size: fields.size,
		mtime: new Date((fields.mtime ?? 1_700_000_000) * 1000),
		linkpath: fields.linkpath ?? '',
		devmaj: fields.devmaj ?? 0,
		devmin: fields.devmin ?? 0,
	}).encode(buffer);
	return buffer;
}

function padded(data: Buffer): Buffer {
	return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

/** A tar archive of exactly these entries, in this order. */
export function rawTar(entries: RawEntry[]): Buffer {
	const parts: Buffer[] = [];
	for (const entry of entries) {
		if (entry.pax) {
			const body = paxBody(entry.pax);
			parts.push(block({path: 'PaxHeader', type: 'ExtendedHeader', size: body.length}), padded(body));
		}
		const body = Buffer.from(entry.body ?? '');
		parts.push(block({...entry, size: body.length}), padded(body));
	}
	parts.push(Buffer.alloc(1024));
	return Buffer.concat(parts);
}

/** unpackLayer of an in-memory blob. */
export function unpackBuffer(blob: Buffer, target: string, options?: {idShift?: number}) {
	return unpackLayer(Readable.from([blob]), target, options);
}

export function sha256(data: Buffer): string {
	return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function tempDir(t: TestContext, prefix = 'c32-layer-'): string {
	const dir = makeTempDir(prefix);
	t.after(() => {
		unmountBelow(dir);
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return dir;
}

/**
 * A place to unpack into with a sentinel beside it: `untouched()` checks that nothing
 * appeared or changed outside the target (beside it, in the sentinel directory).
 */
export function sandbox(t: TestContext): {target: string; outside: string; untouched(): void} {
	const base = tempDir(t);
	const target = path.join(base, 'target');
	const outside = path.join(base, 'outside');
	fs.mkdirSync(target, {mode: 0o700});
	fs.mkdirSync(outside);
	fs.writeFileSync(path.join(outside, 'sentinel'), 'original\n');
	return {
		target,
		outside,
		untouched() {
			assert.deepEqual(fs.readdirSync(base).sort(), ['outside', 'target']);
			assert.deepEqual(fs.readdirSync(outside), ['sentinel']);
			assert.equal(fs.readFileSync(path.join(outside, 'sentinel'), 'utf8'), 'original\n');
		},
	};
}

/**
 * One line per entry of a tree as a process in it sees it: type, mode, owner, mtime,
 * content hash or link target or device numbers, hard-link group, xattrs (overlayfs's own
 * left out). Never follows a symlink.
 */
export function treeView(root: string, options: {skipRoot?: boolean; times?: boolean} = {}): string[] {
	const lines: string[] = [];
	const inodes = new Map<string, string>();
	const xattrs = xattrDump(root);
	const visit = (rel: string) => {
		const full = rel === '' ? root : path.join(root, rel);
		const stat = fs.lstatSync(full);
		let what: string;
		if (stat.isDirectory()) what = 'dir';
		else if (stat.isSymbolicLink()) what = `link -> ${fs.readlinkSync(full)}`;
		else if (stat.isFile()) what = `file ${createHash('sha256').update(fs.readFileSync(full)).digest('hex').slice(0, 16)}`;
		else if (stat.isCharacterDevice()) what = `char ${stat.rdev}`;
		else if (stat.isBlockDevice()) what = `block ${stat.rdev}`;
		else if (stat.isFIFO()) what = 'fifo';
		else what = 'other';
		const key = `${stat.dev}:${stat.ino}`;
		const group = !stat.isDirectory() && stat.nlink > 1 ? ` hardlink=${inodes.get(key) ?? rel}` : '';
		if (!inodes.has(key)) inodes.set(key, rel);
		const time = options.times === false || stat.isSymbolicLink() ? '' : ` mtime=${Math.floor(stat.mtimeMs / 1000)}`;
		if (!(rel === '' && options.skipRoot)) {
			lines.push(
				`${rel || '.'} ${what} ${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid}${time}${group}${xattrs.get(rel) ?? ''}`,
			);
		}
		if (stat.isDirectory()) for (const name of fs.readdirSync(full).sort()) visit(rel === '' ? name : `${rel}/${name}`);
	};
	visit('');
	return lines;
}

function xattrDump(root: string): Map<string, string> {
	const out = execFileSync('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '.'], {
		cwd: root,
		encoding: 'latin1',
		env: {...process.env, LC_ALL: 'C'},
	});
	const result = new Map<string, string>();
	let file = '';
	for (const line of out.split('\n')) {
		if (line.startsWith('# file: ')) file = line.slice(8).replace(/^\.\/?/, '');
		else if (line !== '' && !line.startsWith('trusted.overlay.')) result.set(file, `${result.get(file) ?? ''} ${line}`);
	}
	return result;
}

/** Mounts an overlay (read-only without an upper); unmounted by tempDir's cleanup. */
export function mountOverlay(mountpoint: string, lowers: string[], upper?: {upper: string; work: string}): void {
	fs.mkdirSync(mountpoint, {recursive: true});
	const options = [`lowerdir=${lowers.join(':')}`, ...(upper ? [`upperdir=${upper.upper}`, `workdir=${upper.work}`] : [])];
	execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options.join(','), ...(upper ? [] : ['-r']), mountpoint]);
}

export function unmount(mountpoint: string): void {
	execFileSync('umount', [mountpoint]);
}

function unmountBelow(dir: string): void {
	const mounts = fs
		.readFileSync('/proc/self/mountinfo', 'utf8')
		.split('\n')
		.map((line) => line.split(' ')[4] ?? '')
		.filter((point) => point === dir || point.startsWith(`${dir}/`))
		.sort()
		.reverse();
	for (const point of mounts) execFileSync('umount', ['-l', point]);
}
