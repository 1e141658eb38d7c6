// The pure parts of bundle assembly: the container's /etc files, kernel facts, the
// skeleton of mount points, and the refusal of read-only mounts a kernel cannot keep.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, test} from 'node:test';
import type {MountInfoEntry} from '../../engine/cgroups/mountinfo.js';
import {type HostFacts, resolveConfig} from '../../engine/config.js';
import {checkLayerPath, kernelHasMountSetattr, mountsBelow} from '../../engine/fs/mount.js';
import {type BundleHost, checkBundle} from '../../engine/oci/bundle.js';
import {etcFiles, hostsFile, rewriteInPlace, writeEtcFiles} from '../../engine/oci/etc-files.js';
import {buildSkeleton} from '../../engine/oci/rootfs.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

function tempDir(t: {after(fn: () => void): void}): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-bundle-unit-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

const facts = (kinds: Record<string, 'file' | 'directory'>): HostFacts =>
	fakeHost({maxOpenFilesHard: 4096, pathKind: (p) => kinds[p] ?? null, isExecutable: () => false, lookupUser: () => null});

describe('etc files', () => {
	test('hostname, hosts with localhost and the own name, resolv.conf as the host has it', () => {
		const files = etcFiles({hostname: 'bot-1', hostResolvConf: 'nameserver 10.0.0.1\nsearch lan\n', ownNetwork: false});
		assert.equal(files.hostname, 'bot-1\n');
		assert.match(files.hosts, /^127\.0\.0\.1\tlocalhost$/m);
		assert.match(files.hosts, /^::1\tlocalhost ip6-localhost ip6-loopback$/m);
		assert.match(files.hosts, /^127\.0\.1\.1\tbot-1$/m);
		assert.equal(files['resolv.conf'], 'nameserver 10.0.0.1\nsearch lan\n');
		assert.match(
			etcFiles({hostname: 'api.example.org', hostResolvConf: '', ownNetwork: false}).hosts,
			/^127\.0\.1\.1\tapi\.example\.org api$/m,
		);
	});

	test('a network of its own: the host loopback resolvers are left out (none left: no nameserver at all)', () => {
		const host = 'nameserver 127.0.0.53\nnameserver 10.255.255.53\nnameserver ::1\noptions edns0\nsearch lan\n';
		assert.equal(
			etcFiles({hostname: 'x', hostResolvConf: host, ownNetwork: true})['resolv.conf'],
			'nameserver 10.255.255.53\noptions edns0\nsearch lan\n',
		);
		assert.equal(etcFiles({hostname: 'x', hostResolvConf: host, ownNetwork: false})['resolv.conf'], host);
		const onlyLocal = etcFiles({
			hostname: 'x',
			hostResolvConf: 'nameserver 127.0.0.53\nnameserver 127.1.2.3\nsearch lan\n',
			ownNetwork: true,
		});
		assert.doesNotMatch(onlyLocal['resolv.conf'], /nameserver/);
		assert.match(onlyLocal['resolv.conf'], /^search lan$/m);
	});

	test('hosts on a network: the own address and names, then every peer by name and alias', () => {
		const hosts = hostsFile({ip: '10.90.0.7', names: ['web', 'web', 'www']}, [
			{ip: '10.90.0.12', names: ['db', 'postgres']},
			{ip: '10.90.0.3', names: ['cache']},
			{ip: '10.90.0.4', names: []},
		]);
		assert.equal(
			hosts,
			'127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.90.0.7\tweb www\n10.90.0.3\tcache\n10.90.0.12\tdb postgres\n',
		);
	});

	test('rewriteInPlace keeps the inode (a bind mount sees it), never follows a link, skips a missing file', (t) => {
		const dir = tempDir(t);
		const file = path.join(dir, 'hosts');
		fs.writeFileSync(file, 'a much longer old content than the new one\n');
		const inode = fs.statSync(file).ino;
		assert.equal(rewriteInPlace(file, 'new\n'), true);
		assert.equal(fs.readFileSync(file, 'utf8'), 'new\n');
		assert.equal(fs.statSync(file).ino, inode);
		const victim = path.join(dir, 'victim');
		fs.writeFileSync(victim, 'keep\n');
		fs.symlinkSync(victim, path.join(dir, 'link'));
		assert.throws(() => rewriteInPlace(path.join(dir, 'link'), 'x'), /ELOOP/);
		assert.equal(fs.readFileSync(victim, 'utf8'), 'keep\n');
		assert.equal(rewriteInPlace(path.join(dir, 'gone'), 'x'), false);
		assert.equal(fs.existsSync(path.join(dir, 'gone')), false);
	});

	test('writeEtcFiles replaces what the container left there instead of writing through it', (t) => {
		const dir = tempDir(t);
		const victim = path.join(dir, 'victim');
		fs.writeFileSync(victim, 'keep\n');
		fs.mkdirSync(path.join(dir, 'etc'));
		fs.symlinkSync(victim, path.join(dir, 'etc', 'hosts'));
		writeEtcFiles(path.join(dir, 'etc'), etcFiles({hostname: 'x', hostResolvConf: '', ownNetwork: false}));
		assert.equal(fs.readFileSync(victim, 'utf8'), 'keep\n');
		assert.deepEqual(fs.readdirSync(path.join(dir, 'etc')).sort(), ['hostname', 'hosts', 'resolv.conf']);
	});
});

describe('mount facts', () => {
	test('mount_setattr (rro) from Linux 5.12', () => {
		for (const [release, expected] of [
			['5.10.0-28-amd64', false],
			['5.11.22', false],
			['5.12.0', true],
			['6.1.0-18-amd64', true],
			['6.18.44-fc-v669', true],
			['4.19.0', false],
		] as const) {
			assert.equal(kernelHasMountSetattr(release), expected, release);
		}
	});

	test('mountsBelow finds mounts strictly under a directory', () => {
		const entry = (mountPoint: string): MountInfoEntry => ({
			device: '0:1',
			root: '/',
			mountPoint,
			fsType: 'tmpfs',
			source: 'tmpfs',
			superOptions: [],
		});
		const mounts = ['/', '/srv', '/srv/data/tmp', '/srv/database', '/proc'].map(entry);
		assert.deepEqual(mountsBelow('/srv/data', mounts), ['/srv/data/tmp']);
		assert.deepEqual(mountsBelow('/srv', mounts), ['/srv/data/tmp', '/srv/database']);
		assert.deepEqual(mountsBelow('/var', mounts), []);
	});

	test('overlayfs cannot take paths with , : or \\', () => {
		checkLayerPath('/var/lib/c32/containers/x/rootfs/upper');
		for (const bad of ['/a,b', '/a:b', '/a\\b']) assert.throws(() => checkLayerPath(bad), /overlayfs/);
	});
});

describe('checkBundle without recursive read-only mounts (kernels before 5.12)', () => {
	const old: BundleHost = {
		storageDir: '/var/lib/c32',
		blockDevice: null,
		swapLimitSupported: true,
		userNamespacesAllowed: true,
		recursiveReadOnly: false,
		kernelRelease: '5.10.0',
		init: {init: null, rejected: []},
	};

	test('a :ro volume with something mounted below it is refused; one without is fine', (t) => {
		const plain = tempDir(t);
		const withMounts = resolveConfig(
			{entrypoint: 'true', volumes: [{source: '/', destination: '/host', readOnly: true}]},
			'b',
			facts({'/': 'directory'}),
		);
		assert.throws(
			() => checkBundle(withMounts, old, []),
			(error: Error & {code?: string}) =>
				error.code === 'UNSUPPORTED' && /5\.10\.0.*\/host.*mounted below \/.*drop :ro.*upgrade/.test(error.message),
		);
		checkBundle(withMounts, {...old, recursiveReadOnly: true}, []);
		const fine = resolveConfig(
			{entrypoint: 'true', volumes: [{source: plain, destination: '/data', readOnly: true}]},
			'b',
			facts({[plain]: 'directory'}),
		);
		checkBundle(fine, old, []);
	});

	test("the host's system directories too, except its /etc files, which the container's own cover", () => {
		const entry = (mountPoint: string): MountInfoEntry => ({
			device: '0:1',
			root: '/',
			mountPoint,
			fsType: 'ext4',
			source: 'x',
			superOptions: [],
		});
		const config = resolveConfig({entrypoint: 'true'}, 'b', facts({}));
		const etc = [{path: '/etc'}];
		checkBundle(config, old, etc, ['/', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'].map(entry));
		assert.throws(
			() => checkBundle(config, old, etc, ['/', '/etc/hosts', '/etc/ssl/certs'].map(entry)),
			/\/etc\/ssl\/certs is mounted below \/etc: unmount it, or upgrade/,
		);
	});
});

describe('buildSkeleton', () => {
	test('mount points, merged-/usr links, volume targets and the workdir, owned by the container root; rebuilt from scratch', (t) => {
		const dir = tempDir(t);
		const volume = path.join(dir, 'vol');
		const file = path.join(dir, 'settings.json');
		fs.mkdirSync(volume);
		fs.writeFileSync(file, '{}');
		const input: ContainerConfig = {
			entrypoint: 'true',
			workingDir: '/srv/work',
			volumes: [
				{source: volume, destination: '/data'},
				{source: file, destination: '/conf/settings.json'},
			],
		};
		const config = resolveConfig(input, 's', facts({[volume]: 'directory', [file]: 'file'}));
		const skeleton = path.join(dir, 'skeleton');
		fs.mkdirSync(skeleton);
		fs.writeFileSync(path.join(skeleton, 'stale'), 'from an earlier start');
		const owner = {uid: process.getuid!(), gid: process.getgid!()};
		buildSkeleton(skeleton, {
			config,
			hostDirs: [{path: '/usr'}, {path: '/bin', symlinkTarget: 'usr/bin'}],
			fileTargets: ['/run/resolv.conf'],
			owner,
		});
		assert.ok(!fs.existsSync(path.join(skeleton, 'stale')), 'the skeleton was not rebuilt');
		for (const d of ['usr', 'proc', 'dev', 'sys', 'tmp', 'app', 'var/tmp', 'run', 'root', 'data', 'conf', 'srv/work']) {
			assert.ok(fs.lstatSync(path.join(skeleton, d)).isDirectory(), d);
		}
		assert.equal(fs.readlinkSync(path.join(skeleton, 'bin')), 'usr/bin');
		assert.ok(fs.lstatSync(path.join(skeleton, 'conf', 'settings.json')).isFile());
		assert.ok(fs.lstatSync(path.join(skeleton, 'run', 'resolv.conf')).isFile());
		assert.equal(fs.statSync(path.join(skeleton, 'root')).mode & 0o7777, 0o700);
		assert.equal(fs.statSync(path.join(skeleton, 'var', 'tmp')).mode & 0o7777, 0o1777);
		assert.equal(fs.statSync(skeleton).mode & 0o7777, 0o755);
	});
});
