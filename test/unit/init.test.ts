// --init without containers: the default (script images), minimal's refusal, the spec's
// mount and args, finding a static init (and the one-line error when there is none), the
// ELF check, and finding the command in a container's root as runc would.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, type TestContext, test} from 'node:test';
import {type HostFacts, resolveConfig} from '../../engine/config.js';
import {isStaticElf} from '../../engine/elf.js';
import {isC32Error} from '../../engine/errors.js';
import {findInit, INIT_PROGRAMS, initVersion, requireInit} from '../../engine/host.js';
import {type BundleHost, checkBundle} from '../../engine/oci/bundle.js';
import {lookupCommand} from '../../engine/oci/command-lookup.js';
import {buildSpec, INIT_PATH, type SpecInput} from '../../engine/oci/spec.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const host: HostFacts = fakeHost({defaults: {pidsLimit: null, openFiles: null}});
const resolve = (config: ContainerConfig) => resolveConfig(config, 'init-test', host);

function tempDir(t: TestContext): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-init-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

describe('the init default', () => {
	test('on for a script image, off for a command given explicitly', () => {
		assert.equal(resolve({image: '/srv/bot.py'}).init, true, 'a .py image');
		assert.equal(resolve({image: '/srv/tool'}).init, true, 'an executable image');
		assert.equal(resolve({image: '/srv/bot.py', args: ['--verbose']}).init, true, 'arguments keep the derived command');
		assert.equal(resolve({image: '/srv/bot.py', entrypoint: 'python3'}).init, false, 'an entrypoint is a given command');
		assert.equal(resolve({image: '/srv/project', entrypoint: 'sh'}).init, false);
		assert.equal(resolve({entrypoint: 'sh', args: ['-c', 'while :; do sleep 1; done']}).init, false);
		assert.equal(resolve({args: ['sleep', '5']}).init, false);
		assert.equal(resolve({image: '/srv/bot.py', isolationLevel: 'strict'}).init, true);
	});

	test('init: true and init: false win over the default', () => {
		assert.equal(resolve({entrypoint: 'sh', init: true}).init, true);
		assert.equal(resolve({image: '/srv/bot.py', init: false}).init, false);
	});

	test('minimal isolation: off by default, even for a script image; init: true is refused with one line', () => {
		assert.equal(resolve({image: '/srv/bot.py', isolationLevel: 'minimal'}).init, false);
		assert.equal(resolve({entrypoint: 'true', isolationLevel: 'minimal', init: false}).init, false);
		assert.throws(
			() => resolve({entrypoint: 'true', isolationLevel: 'minimal', init: true}),
			(e: unknown) =>
				isC32Error(e) &&
				e.code === 'INVALID_CONFIG' &&
				/^minimal isolation runs no init: .*drop --init or use standard isolation$/.test(e.message),
		);
	});
});

describe('the spec of a container with an init', () => {
	const input = (config: ContainerConfig, initBinary: string | null): SpecInput => ({
		id: 'f'.repeat(64),
		config: resolve(config),
		rootfs: '/mnt/rootfs',
		app: {kind: 'bind', source: '/store/app', readOnly: false},
		hostDirs: [{path: '/usr'}],
		etcFiles: [],
		recursiveReadOnly: true,
		cgroupsPath: '/c32/x',
		blockDevice: null,
		swapLimitSupported: true,
		userNamespace: null,
		netnsPath: '/run/c32-test/netns/x',
		initBinary,
		arch: 'x64',
	});

	test('the init runs the command: its flags forward signals to the process group', () => {
		const spec = buildSpec(input({entrypoint: 'sh', args: ['-c', 'exit 3'], init: true}, '/usr/bin/catatonit'));
		assert.deepEqual(spec.process.args, [INIT_PATH, '-g', '--', 'sh', '-c', 'exit 3']);
		assert.equal(INIT_PATH, '/run/c32-init');
	});

	test('the binary is bound read-only, executable, after every volume so none covers it', () => {
		const spec = buildSpec(
			input({entrypoint: 'sh', init: true, volumes: [{source: '/srv/volume', destination: '/run'}]}, '/usr/bin/catatonit'),
		);
		const last = spec.mounts.at(-1)!;
		assert.deepEqual(last, {
			destination: INIT_PATH,
			type: 'bind',
			source: '/usr/bin/catatonit',
			options: ['bind', 'ro', 'rro', 'nosuid', 'nodev'],
		});
		assert.ok(!last.options.includes('noexec'));
	});

	test('without init: no mount and the command as PID 1; with init but no binary: INIT_MISSING', () => {
		const plain = buildSpec(input({entrypoint: 'sh'}, '/usr/bin/catatonit'));
		assert.deepEqual(plain.process.args, ['sh']);
		assert.ok(!plain.mounts.some((m) => m.destination === INIT_PATH));
		assert.throws(
			() => buildSpec(input({entrypoint: 'sh', init: true}, null)),
			(e: unknown) => isC32Error(e) && e.code === 'INIT_MISSING',
		);
	});
});

describe('finding the init', () => {
	const executable = (dir: string, name: string) => {
		const file = path.join(dir, name);
		fs.writeFileSync(file, '#!/bin/sh\n', {mode: 0o755});
		return file;
	};
	const inDir = (dir: string) => (name: string) => (fs.existsSync(path.join(dir, name)) ? path.join(dir, name) : null);

	test('catatonit first, then tini-static, then tini; static builds only', (t) => {
		const dir = tempDir(t);
		const tini = executable(dir, 'tini');
		const tiniStatic = executable(dir, 'tini-static');
		const isStatic = (file: string) => file !== tini;
		assert.deepEqual(findInit(inDir(dir), isStatic), {init: {name: 'tini-static', path: tiniStatic}, rejected: []});
		const catatonit = executable(dir, 'catatonit');
		assert.deepEqual(findInit(inDir(dir), isStatic).init, {name: 'catatonit', path: catatonit});
		assert.deepEqual(INIT_PROGRAMS, ['catatonit', 'tini-static', 'tini']);
	});

	test('none installed (the lookup pointed at an empty directory): one INIT_MISSING line that says what to install', (t) => {
		const lookup = findInit(inDir(tempDir(t)), () => true);
		assert.deepEqual(lookup, {init: null, rejected: []});
		assert.throws(
			() => requireInit(lookup),
			(e: unknown) =>
				isC32Error(e) &&
				e.code === 'INIT_MISSING' &&
				!e.message.includes('\n') &&
				e.message.includes('`apt-get install -y catatonit`') &&
				e.message.endsWith('or create it with --no-init'),
		);
	});

	test('only a dynamically linked one: refused, and the message says why', (t) => {
		const dir = tempDir(t);
		const tini = executable(dir, 'tini');
		const lookup = findInit(inDir(dir), () => false);
		assert.equal(lookup.init, null);
		assert.deepEqual(lookup.rejected, [{path: tini, reason: 'dynamically linked: a container root may lack its libraries'}]);
		assert.throws(() => requireInit(lookup), new RegExp(`\\(${tini} is dynamically linked`));
	});

	test('create and start check it before anything is made: checkBundle throws INIT_MISSING', () => {
		const bundleHost: BundleHost = {
			storageDir: '/var/lib/c32',
			blockDevice: null,
			swapLimitSupported: true,
			userNamespacesAllowed: true,
			recursiveReadOnly: true,
			kernelRelease: '6.1.0',
			init: {init: null, rejected: []},
		};
		assert.throws(
			() => checkBundle(resolve({entrypoint: 'sh', init: true}), bundleHost, []),
			(e: unknown) => isC32Error(e) && e.code === 'INIT_MISSING',
		);
		checkBundle(resolve({entrypoint: 'sh'}), bundleHost, []);
	});

	test('its version: tini answers "tini version 0.19.0", catatonit as tini with a suffix', () => {
		assert.equal(initVersion('tini version 0.19.0\n'), '0.19.0');
		assert.equal(initVersion('tini version 0.1.7_catatonit\n'), '0.1.7');
		assert.equal(initVersion('what?'), null);
	});
});

describe('isStaticElf', () => {
	/** A little-endian ELF header with the given program header types. */
	function elf(types: number[], wide = true): Buffer {
		const headerSize = wide ? 64 : 52;
		const entry = wide ? 56 : 32;
		const image = Buffer.alloc(headerSize + entry * types.length);
		image.writeUInt32BE(0x7f454c46, 0);
		image[4] = wide ? 2 : 1;
		image[5] = 1;
		if (wide) {
			image.writeBigUInt64LE(BigInt(headerSize), 0x20);
			image.writeUInt16LE(entry, 0x36);
			image.writeUInt16LE(types.length, 0x38);
		} else {
			image.writeUInt32LE(headerSize, 0x1c);
			image.writeUInt16LE(entry, 0x2a);
			image.writeUInt16LE(types.length, 0x2c);
		}
		for (const [i, type] of types.entries()) image.writeUInt32LE(type, headerSize + i * entry);
		return image;
	}

	test('no PT_INTERP: static; one: dynamic (64 and 32 bit)', () => {
		assert.equal(isStaticElf(elf([1, 1, 4])), true);
		assert.equal(isStaticElf(elf([6, 3, 1])), false);
		assert.equal(isStaticElf(elf([1], false)), true);
		assert.equal(isStaticElf(elf([3, 1], false)), false);
	});

	test('not an ELF file, cut short, or without program headers: not usable', () => {
		assert.equal(isStaticElf(Buffer.from('#!/bin/sh\nexec tini "$@"\n'.padEnd(80))), false);
		assert.equal(isStaticElf(elf([1, 1]).subarray(0, 80)), false);
		assert.equal(isStaticElf(elf([])), false);
	});
});

describe('lookupCommand: the command in the container root, as runc finds it', () => {
	function root(t: TestContext): string {
		const dir = tempDir(t);
		for (const sub of ['bin', 'usr/bin', 'app', 'data']) fs.mkdirSync(path.join(dir, sub), {recursive: true});
		fs.writeFileSync(path.join(dir, 'bin/tool'), '', {mode: 0o755});
		fs.writeFileSync(path.join(dir, 'app/run.sh'), '', {mode: 0o755});
		fs.writeFileSync(path.join(dir, 'app/notes.txt'), '', {mode: 0o644});
		// Absolute links resolve inside the root, never on the host.
		fs.symlinkSync('/bin/tool', path.join(dir, 'usr/bin/linked'));
		fs.symlinkSync('/usr/bin/env', path.join(dir, 'usr/bin/hostonly'));
		return dir;
	}

	test('a name: searched in PATH; found, or "executable file not found in $PATH"', (t) => {
		const dir = root(t);
		assert.equal(lookupCommand(dir, 'tool', '/usr/bin:/bin', '/app'), null);
		assert.equal(lookupCommand(dir, 'linked', '/usr/bin', '/app'), null);
		assert.equal(lookupCommand(dir, 'hostonly', '/usr/bin:/bin', '/app'), 'hostonly: executable file not found in $PATH');
		assert.equal(lookupCommand(dir, 'notes.txt', '/app', '/'), 'notes.txt: executable file not found in $PATH');
		assert.equal(lookupCommand(dir, 'run.sh', '', '/app'), null, 'an empty PATH entry is the working directory');
	});

	test('a path: from the working directory; "no such file or directory" or "permission denied"', (t) => {
		const dir = root(t);
		assert.equal(lookupCommand(dir, './run.sh', '/bin', '/app'), null);
		assert.equal(lookupCommand(dir, '/app/run.sh', '/bin', '/'), null);
		assert.equal(lookupCommand(dir, './gone', '/bin', '/app'), './gone: no such file or directory');
		assert.equal(lookupCommand(dir, './notes.txt', '/bin', '/app'), './notes.txt: permission denied');
		assert.equal(lookupCommand(dir, '/data', '/bin', '/'), '/data: permission denied');
		assert.equal(lookupCommand(dir, '../../../bin/tool', '/bin', '/app'), null, '.. stops at the root');
	});
});
