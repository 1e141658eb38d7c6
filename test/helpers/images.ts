// Image store doubles for tests: an in-memory resolver of image facts and layer directories,
// and real layer directories built from busybox-static (until a test uses the real store).
// Not a test file.
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type {ImageFacts} from '../../engine/config.js';
import {C32Error} from '../../engine/errors.js';
import type {OciImageConfig} from '../../engine/image/types.js';
import type {ImageResolver} from '../../engine/services.js';

export const BUSYBOX = '/bin/busybox';

export function imageConfig(config: Partial<OciImageConfig> = {}): OciImageConfig {
	return {entrypoint: null, cmd: null, env: [], workingDir: null, user: null, stopSignal: null, labels: {}, exposedPorts: [], ...config};
}

interface StoredImage {
	facts: ImageFacts;
	/** Bottom first, unshifted. */
	layers: string[];
}

/** Images by name and id, each with its layer directories; a shifted copy (user namespaces) is made on first use, as the store does. */
export class MemoryImages implements ImageResolver {
	private readonly images = new Map<string, StoredImage>();
	readonly layerRequests: {id: string; idShift: number}[] = [];

	/** Adds an image under `name` (and its id); returns its facts. */
	add(name: string, config: Partial<OciImageConfig>, layers: string[] = []): ImageFacts {
		const id = `sha256:${createHash('sha256')
			.update(`${name}\0${JSON.stringify(config)}\0${layers.join(':')}`)
			.digest('hex')}`;
		const facts: ImageFacts = {id, name: `localhost/${name}:latest`, digest: `sha256:${'0'.repeat(63)}1`, config: imageConfig(config)};
		const stored = {facts, layers};
		this.images.set(name, stored);
		this.images.set(id, stored);
		return facts;
	}

	async resolve(ref: string): Promise<ImageFacts> {
		const found = this.images.get(ref);
		if (!found)
			throw new C32Error('IMAGE_NOT_FOUND', `image ${JSON.stringify(ref)} is not in the image store: pull it first (c32 pull REF)`);
		return found.facts;
	}

	async layerDirs(id: string, idShift: number): Promise<string[]> {
		this.layerRequests.push({id, idShift});
		const found = this.images.get(id);
		if (!found) throw new C32Error('IMAGE_NOT_FOUND', `no image ${id}`);
		if (idShift === 0) return found.layers;
		return found.layers.map((dir) => {
			const shifted = `${dir}-${idShift}`;
			if (!fs.existsSync(shifted)) {
				execFileSync('cp', ['-a', dir, `${shifted}.tmp`]);
				shiftOwners(`${shifted}.tmp`, idShift);
				fs.renameSync(`${shifted}.tmp`, shifted);
			}
			return shifted;
		});
	}
}

function shiftOwners(dir: string, shift: number): void {
	const walk = (p: string) => {
		const stat = fs.lstatSync(p);
		const mode = stat.mode & 0o7777;
		fs.lchownSync(p, stat.uid + shift, stat.gid + shift);
		// chown clears setuid bits; the layer keeps them.
		if (!stat.isSymbolicLink()) fs.chmodSync(p, mode);
		if (stat.isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
	};
	walk(dir);
}

/**
 * A busybox root as an unpacked layer in `dir`: /bin/busybox with its applets as symlinks,
 * /etc/passwd and /etc/group with a user "bot" (1234:2345) whose home is /home/bot, and
 * the files in `extra` (path -> content).
 */
export function busyboxLayer(dir: string, extra: Record<string, string> = {}): string {
	fs.mkdirSync(path.join(dir, 'bin'), {recursive: true});
	fs.copyFileSync(BUSYBOX, path.join(dir, 'bin', 'busybox'));
	fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
	const applets = execFileSync(BUSYBOX, ['--list'], {encoding: 'utf8'}).split('\n').filter(Boolean);
	for (const applet of applets) {
		if (applet !== 'busybox') fs.symlinkSync('busybox', path.join(dir, 'bin', applet));
	}
	fs.mkdirSync(path.join(dir, 'etc'));
	fs.writeFileSync(path.join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nbot:x:1234:2345:bot:/home/bot:/bin/sh\n');
	fs.writeFileSync(path.join(dir, 'etc', 'group'), 'root:x:0:\nbots:x:2345:\nstaff:x:50:\n');
	fs.mkdirSync(path.join(dir, 'home', 'bot'), {recursive: true, mode: 0o700});
	fs.chownSync(path.join(dir, 'home', 'bot'), 1234, 2345);
	fs.chmodSync(path.join(dir, 'home', 'bot'), 0o700);
	fs.mkdirSync(path.join(dir, 'root'), {mode: 0o700});
	writeFiles(dir, extra);
	return dir;
}

/** A layer on top of another: `files` added, `deleted` whited out (0:0 character devices, as overlayfs marks them). */
export function changeLayer(dir: string, files: Record<string, string>, deleted: string[] = []): string {
	fs.mkdirSync(dir, {recursive: true});
	writeFiles(dir, files);
	for (const name of deleted) {
		fs.mkdirSync(path.dirname(path.join(dir, name)), {recursive: true});
		execFileSync('mknod', [path.join(dir, name), 'c', '0', '0']);
	}
	return dir;
}

function writeFiles(dir: string, files: Record<string, string>): void {
	for (const [name, content] of Object.entries(files)) {
		const file = path.join(dir, name);
		fs.mkdirSync(path.dirname(file), {recursive: true});
		fs.writeFileSync(file, content, {mode: name.endsWith('.sh') ? 0o755 : 0o644});
	}
}
