// Image snapshots: a host file or directory copied once into images/<sha256>/, keyed by
// its content, so identical images are stored once and later edits on the host do not
// reach a container that already exists.
import {createHash, randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The content hash of a file (as /app/<basename>) or of a directory tree (as /app). */
export function hashImage(source: string): string {
	const hash = createHash('sha256');
	const stat = fs.statSync(source);
	if (stat.isFile()) {
		hash.update(`file\0${path.basename(source)}\0`);
		addFile(hash, source, stat);
	} else {
		hash.update('dir\0');
		addTree(hash, source, '');
	}
	return hash.digest('hex');
}

function addFile(hash: ReturnType<typeof createHash>, file: string, stat: fs.Stats): void {
	hash.update(`${stat.mode & 0o111 ? 'x' : '-'}\0${stat.size}\0`);
	hash.update(fs.readFileSync(file));
}

function addTree(hash: ReturnType<typeof createHash>, dir: string, relative: string): void {
	const entries = fs.readdirSync(path.join(dir, relative), {withFileTypes: true});
	entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
	for (const entry of entries) {
		const rel = path.join(relative, entry.name);
		const full = path.join(dir, rel);
		if (entry.isSymbolicLink()) {
			hash.update(`l\0${rel}\0${fs.readlinkSync(full)}\0`);
		} else if (entry.isDirectory()) {
			hash.update(`d\0${rel}\0`);
			addTree(hash, dir, rel);
		} else if (entry.isFile()) {
			hash.update(`f\0${rel}\0`);
			addFile(hash, full, fs.statSync(full));
		}
		// Sockets, fifos and devices are not part of an image.
	}
}

/** Snapshots `source` under `imagesDir` and returns the snapshot directory (the future /app). */
export function snapshotImage(imagesDir: string, source: string): string {
	const digest = hashImage(source);
	const target = path.join(imagesDir, digest);
	if (fs.existsSync(target)) return target;
	fs.mkdirSync(imagesDir, {recursive: true, mode: 0o711});
	const staging = path.join(imagesDir, `.staging-${randomBytes(6).toString('hex')}`);
	try {
		const stat = fs.statSync(source);
		fs.mkdirSync(staging, {mode: 0o755});
		if (stat.isFile()) {
			fs.copyFileSync(source, path.join(staging, path.basename(source)));
		} else {
			fs.cpSync(source, staging, {recursive: true, verbatimSymlinks: true, filter: (p) => isCopyable(p)});
		}
		makeWorldReadable(staging);
		try {
			fs.renameSync(staging, target);
		} catch (error) {
			// Another process snapshotted the same content first: theirs is identical.
			if (!fs.existsSync(target)) throw error;
			fs.rmSync(staging, {recursive: true, force: true});
		}
	} catch (error) {
		fs.rmSync(staging, {recursive: true, force: true});
		throw error;
	}
	return target;
}

function isCopyable(p: string): boolean {
	const stat = fs.lstatSync(p);
	return stat.isFile() || stat.isDirectory() || stat.isSymbolicLink();
}

/** Containers in a user namespace run as an unprivileged host uid: they must be able to read /app. */
function makeWorldReadable(dir: string): void {
	for (const entry of fs.readdirSync(dir, {withFileTypes: true, recursive: true})) {
		if (entry.isSymbolicLink()) continue;
		const full = path.join(entry.parentPath, entry.name);
		const mode = fs.statSync(full).mode & 0o7777;
		const wanted = entry.isDirectory() || mode & 0o111 ? mode | 0o555 : mode | 0o444;
		if (wanted !== mode) fs.chmodSync(full, wanted & ~0o022);
	}
	fs.chmodSync(dir, 0o755);
}
