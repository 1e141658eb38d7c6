// The pieces of an OCI root that need no root privileges: the merged view of layers as
// overlayfs shows it, the skeleton of the mount points an image lacks, the short layer
// names that keep mount options small, and the spec of an OCI root.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, test} from 'node:test';
import {resolveConfig} from '../../engine/config.js';
import {isC32Error} from '../../engine/errors.js';
import {MOUNT_OPTIONS_MAX, mountOverlay} from '../../engine/fs/mount.js';
import {buildImageSkeleton, layeredView, linkLayers} from '../../engine/oci/image-root.js';
import {buildSpec, MASKED_HOST_SECRETS} from '../../engine/oci/spec.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';

let dir: string;
beforeEach(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-image-root-'));
});
afterEach(() => fs.rmSync(dir, {recursive: true, force: true}));

function layer(name: string, build: (root: string) => void): string {
	const root = path.join(dir, name);
	fs.mkdirSync(root);
	build(root);
	return root;
}
const write = (file: string, content = 'x') => {
	fs.mkdirSync(path.dirname(file), {recursive: true});
	fs.writeFileSync(file, content);
};
const canMknod = process.getuid?.() === 0;
function whiteout(file: string): void {
	fs.mkdirSync(path.dirname(file), {recursive: true});
	execFileSync('mknod', [file, 'c', '0', '0']);
}

describe('layeredView: names as overlayfs merges them', () => {
	test('the topmost layer decides; a file above hides a directory below', () => {
		const bottom = layer('bottom', (r) => {
			write(`${r}/etc/a`, 'bottom');
			write(`${r}/data/inner`, 'x');
		});
		const top = layer('top', (r) => {
			write(`${r}/etc/a`, 'top!');
			write(`${r}/data`, 'now a file');
		});
		const view = layeredView([top, bottom]);
		assert.equal(view.lstat('/etc/a')?.size, 4);
		assert.ok(view.lstat('/data')?.isFile());
		assert.equal(view.lstat('/data/inner'), null, 'a non-directory above hides what was below it');
		assert.equal(view.lstat('/nope'), null);
		assert.ok(view.lstat('/')?.isDirectory());
	});

	test('a whiteout hides the name and everything below it', {skip: !canMknod && 'mknod needs root'}, () => {
		const bottom = layer('bottom', (r) => {
			write(`${r}/etc/doomed`);
			write(`${r}/old/deep/file`);
		});
		const top = layer('top', (r) => {
			whiteout(`${r}/etc/doomed`);
			whiteout(`${r}/old`);
		});
		const view = layeredView([top, bottom]);
		assert.equal(view.lstat('/etc/doomed'), null);
		assert.equal(view.lstat('/old/deep/file'), null);
		assert.ok(view.lstat('/etc')?.isDirectory());
	});

	test("a lower layer's symlink under a directory of an upper one is never followed on the host", () => {
		const outside = path.join(dir, 'outside');
		write(`${outside}/secret`);
		const bottom = layer('bottom', (r) => fs.symlinkSync(outside, `${r}/etc`));
		const top = layer('top', (r) => fs.mkdirSync(`${r}/etc`));
		const view = layeredView([top, bottom]);
		assert.equal(view.lstat('/etc/secret'), null, "the upper directory hides the lower symlink; the host's file must not show");
		assert.equal(view.readLink('/etc'), null);
		const alone = layeredView([bottom]);
		assert.equal(alone.readLink('/etc'), outside);
		assert.equal(alone.lstat('/etc/secret'), null, 'a path through a symlink is not looked up on the host');
	});
});

describe('buildImageSkeleton: the mount points the image lacks', () => {
	test('missing targets are made; present ones are not; symlinks are resolved within the image', () => {
		const image = layer('image', (r) => {
			fs.mkdirSync(`${r}/proc`);
			write(`${r}/etc/hosts`);
			fs.mkdirSync(`${r}/run`);
			fs.symlinkSync('/run/resolv.conf', `${r}/etc/resolv.conf`);
			fs.symlinkSync('../../run', `${r}/etc/runlink`);
		});
		const skeleton = path.join(dir, 'skeleton');
		const resolved = buildImageSkeleton(
			skeleton,
			layeredView([image]),
			{dirs: ['/proc', '/sys', '/data/cache'], files: ['/etc/hosts', '/etc/resolv.conf', '/etc/runlink/x']},
			{uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0},
		);
		assert.deepEqual(resolved.files, ['/etc/hosts', '/run/resolv.conf', '/run/x']);
		assert.ok(!fs.existsSync(`${skeleton}/proc`), 'the image has /proc');
		assert.ok(fs.statSync(`${skeleton}/sys`).isDirectory());
		assert.ok(fs.statSync(`${skeleton}/data/cache`).isDirectory());
		assert.ok(!fs.existsSync(`${skeleton}/etc/hosts`), 'the image has /etc/hosts');
		assert.ok(fs.statSync(`${skeleton}/run/resolv.conf`).isFile(), 'made where the symlink leads, inside the root');
		assert.ok(!fs.lstatSync(`${skeleton}/etc/resolv.conf`, {throwIfNoEntry: false}), 'the image symlink itself stays visible');
	});

	test("a parent the image has keeps the image's mode (and owner)", () => {
		const image = layer('image', (r) => {
			fs.mkdirSync(`${r}/home/bot`, {recursive: true});
			fs.chmodSync(`${r}/home/bot`, 0o700);
			fs.chmodSync(`${r}/home`, 0o751);
		});
		const skeleton = path.join(dir, 'skeleton');
		buildImageSkeleton(skeleton, layeredView([image]), {dirs: ['/home/bot/data'], files: []}, {uid: 0, gid: 0});
		assert.equal(fs.statSync(`${skeleton}/home/bot`).mode & 0o7777, 0o700);
		assert.equal(fs.statSync(`${skeleton}/home`).mode & 0o7777, 0o751);
		assert.equal(fs.statSync(`${skeleton}/home/bot/data`).mode & 0o7777, 0o755);
	});

	test('a loop of image symlinks on the way to a mount point is one INVALID_CONFIG line', () => {
		const image = layer('image', (r) => {
			fs.symlinkSync('b', `${r}/a`);
			fs.symlinkSync('a', `${r}/b`);
		});
		assert.throws(
			() => buildImageSkeleton(path.join(dir, 's'), layeredView([image]), {dirs: ['/a/x'], files: []}, {uid: 0, gid: 0}),
			(error: unknown) => isC32Error(error) && error.code === 'INVALID_CONFIG' && /loop/.test(error.message),
		);
	});
});

describe('mount options stay within a page', () => {
	test('layers are named by short relative links, top first', () => {
		const layers = Array.from({length: 120}, (_, i) => path.join(dir, 'oci', 'layers', `${String(i).padStart(64, 'a')}-100000`));
		const names = linkLayers(path.join(dir, 'lower'), layers);
		assert.deepEqual(names.slice(0, 3), ['lower/0', 'lower/1', 'lower/2']);
		assert.equal(fs.readlinkSync(path.join(dir, 'lower', '0')), layers[0]);
		const options = `lowerdir=skeleton:${names.join(':')},upperdir=upper,workdir=work,nosuid,nodev`;
		assert.ok(options.length < MOUNT_OPTIONS_MAX, `120 layers take ${options.length} bytes`);
		assert.ok(`lowerdir=${layers.join(':')}`.length > MOUNT_OPTIONS_MAX, 'the full paths would not have fit');
	});

	test('options that would not fit are refused before mount runs, saying what to do', async () => {
		const lower = Array.from({length: 600}, (_, i) => `lower/${i}-${'x'.repeat(10)}`);
		await assert.rejects(
			mountOverlay(path.join(dir, 'target'), {lower, writable: null, cwd: dir}, []),
			(error: unknown) => isC32Error(error) && error.code === 'UNSUPPORTED' && /squash the image/.test(error.message),
		);
	});
});

describe('the spec of an OCI root', () => {
	const host = fakeHost();
	const image = {
		id: `sha256:${'e'.repeat(64)}`,
		name: 'localhost/x:latest',
		digest: `sha256:${'f'.repeat(64)}`,
		config: imageConfig({cmd: ['sh']}),
	};
	const input = (isolationLevel: 'standard' | 'strict') => ({
		id: 'f'.repeat(64),
		config: resolveConfig({image: 'x', isolationLevel}, 'oci', host, image),
		rootfs: '/run/c32/x/rootfs',
		app: null,
		imageRoot: true,
		hostDirs: [],
		etcFiles: [{source: '/store/etc/hosts', destination: '/etc/hosts'}],
		recursiveReadOnly: true,
		cgroupsPath: '/c32/x',
		blockDevice: null,
		swapLimitSupported: true,
		userNamespace: null,
		netnsPath: '/run/c32-test/netns/x',
		arch: 'x64',
	});

	test("no host trees, no /app, the image's own /etc unmasked; strict is read-only", () => {
		const spec = buildSpec(input('standard'));
		for (const dir of ['/usr', '/bin', '/lib', '/etc', '/app']) assert.ok(!spec.mounts.some((m) => m.destination === dir), dir);
		assert.ok(spec.mounts.some((m) => m.destination === '/etc/hosts' && m.type === 'bind'));
		assert.ok(spec.mounts.some((m) => m.destination === '/tmp' && m.type === 'tmpfs'));
		for (const secret of MASKED_HOST_SECRETS) assert.ok(!spec.linux.maskedPaths.includes(secret), secret);
		assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
		assert.equal(spec.root.readonly, false);
		assert.equal(buildSpec(input('strict')).root.readonly, true);
	});
});
