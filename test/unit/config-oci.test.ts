// OCI images in a container's config: telling a host path from a reference, docker's rules
// for the image config against the caller's flags, minimal's refusal, and the stored form.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type ImageFacts, imageReference, isHostPath, resolveConfig} from '../../engine/config.js';
import {type C32ErrorCode, isC32Error} from '../../engine/errors.js';
import type {OciImageConfig} from '../../engine/image/types.js';
import {imageLabel} from '../../engine/lifecycle/transitions.js';
import {groupId, lookupImageUser} from '../../engine/oci/image-user.js';
import {validateConfig} from '../../engine/schema.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';

const host = fakeHost();
function image(config: Partial<OciImageConfig> = {}): ImageFacts {
	return {id: `sha256:${'a'.repeat(64)}`, name: 'localhost/tool:latest', digest: `sha256:${'c'.repeat(64)}`, config: imageConfig(config)};
}
const TOOL = image({
	entrypoint: ['/bin/tool', '--verbose'],
	cmd: ['serve', '8080'],
	env: ['PATH=/opt/bin:/bin', 'MODE=image', 'odd.name=x'],
	workingDir: '/srv/tool',
	user: 'bot',
	stopSignal: 'SIGQUIT',
});
const resolve = (input: ContainerConfig, facts: ImageFacts | null = TOOL) =>
	validateConfig(
		input,
		() => 'default-name',
		host,
		() => facts,
	);

function refuses(action: () => unknown, code: C32ErrorCode, pattern: RegExp): void {
	assert.throws(action, (error: unknown) => {
		assert.ok(isC32Error(error), String(error));
		assert.equal(error.code, code, error.message);
		assert.match(error.message, pattern);
		assert.ok(!error.message.includes('\n'));
		return true;
	});
}

describe('host path or image reference', () => {
	test('a path that starts with / ./ ../ ~ or exists on the host is a host path; anything else a reference', () => {
		for (const p of ['/srv/bot.py', './bot.py', '../bot.py', '~/bot.py', '.', '..', '/nowhere']) assert.ok(isHostPath(p, host), p);
		const here = fakeHost({pathKind: (p) => (p === `${process.cwd()}/bot.py` ? 'file' : null)});
		assert.ok(isHostPath('bot.py', here), 'a relative name that exists here stays a host path');
		for (const ref of ['busybox', 'bot.py', '127.0.0.1:5000/team/bot:1', 'docker.io/library/alpine@sha256:abc', 'sha256:0123456789ab']) {
			assert.ok(!isHostPath(ref, host), ref);
		}
	});

	test('imageReference: the image or the base; none for host paths', () => {
		assert.equal(imageReference({image: 'busybox'}, host), 'busybox');
		assert.equal(imageReference({image: '/srv/bot.py'}, host), null);
		assert.equal(imageReference({image: '/srv/bot.py', base: 'busybox'}, host), 'busybox');
		assert.equal(imageReference({entrypoint: 'true'}, host), null);
		refuses(() => imageReference({image: 'busybox', base: 'alpine'}, host), 'INVALID_CONFIG', /base puts a host-path image/);
		refuses(() => imageReference({entrypoint: 'sh', base: 'alpine'}, host), 'INVALID_CONFIG', /host-path image/);
	});

	test('minimal isolation refuses an OCI image and a base, saying why, before any lookup', () => {
		let looked = false;
		const lookup = () => {
			looked = true;
			return TOOL;
		};
		for (const input of [{image: 'tool'}, {image: '/srv/bot.py', base: 'tool'}]) {
			refuses(
				() => validateConfig({...input, isolationLevel: 'minimal'}, () => 'x', host, lookup),
				'INVALID_CONFIG',
				/minimal isolation runs a plain host process .* use --isolation standard/,
			);
		}
		assert.equal(looked, false);
	});

	test('an image the store does not have is IMAGE_NOT_FOUND saying to pull it', () => {
		refuses(() => resolve({image: 'nosuch'}, null), 'IMAGE_NOT_FOUND', /pull it first/);
	});

	test('host paths resolve as before, with no OCI image', () => {
		const c = resolve({image: '/srv/bot.py'});
		assert.equal(c.image, '/srv/bot.py');
		assert.equal(c.ociImage, null);
		assert.equal(c.entrypoint, 'python3');
		assert.equal(c.workingDir, '/app');
	});
});

describe("the image's config and the caller's flags (docker's rules)", () => {
	test('no flags: Entrypoint then Cmd, Env, WorkingDir, a User looked up at start, StopSignal; no init', () => {
		const c = resolve({image: 'tool'});
		assert.equal(c.image, null);
		assert.deepEqual(c.ociImage, {id: TOOL.id, name: TOOL.name, digest: TOOL.digest});
		assert.equal(c.entrypoint, '/bin/tool');
		assert.deepEqual(c.args, ['--verbose', 'serve', '8080']);
		assert.deepEqual(c.environment, {PATH: '/opt/bin:/bin', MODE: 'image'}, 'a name the schema cannot take again is left out');
		assert.equal(c.workingDir, '/srv/tool');
		assert.deepEqual(c.user, {uid: 0, gid: 0, lookup: 'bot'});
		assert.equal(c.stopSignal, 'SIGQUIT');
		assert.equal(c.init, false);
	});

	test('args replace Cmd and keep Entrypoint; an entrypoint replaces both', () => {
		const args = resolve({image: 'tool', args: ['check']});
		assert.deepEqual([args.entrypoint, ...args.args], ['/bin/tool', '--verbose', 'check']);
		const entry = resolve({image: 'tool', entrypoint: 'sh', args: ['-c', 'echo hi']});
		assert.deepEqual([entry.entrypoint, ...entry.args], ['sh', '-c', 'echo hi']);
		const bare = resolve({image: 'tool', entrypoint: 'env'});
		assert.deepEqual([bare.entrypoint, ...bare.args], ['env']);
		const cmdOnly = resolve({image: 'tool', args: ['x']}, image({cmd: ['sh']}));
		assert.deepEqual([cmdOnly.entrypoint, ...cmdOnly.args], ['x']);
	});

	test('-e over Env, -w, -u, --stop-signal and --init over the image', () => {
		const c = resolve({
			image: 'tool',
			environment: {MODE: 'flag', EXTRA: '1'},
			workingDir: '/data',
			user: '1000:50',
			stopSignal: 'SIGUSR1',
			init: true,
		});
		assert.deepEqual(c.environment, {PATH: '/opt/bin:/bin', MODE: 'flag', EXTRA: '1'});
		assert.equal(c.workingDir, '/data');
		assert.deepEqual(c.user, {uid: 0, gid: 0, lookup: '1000:50'});
		assert.equal(c.stopSignal, 'SIGUSR1');
		assert.equal(c.init, true);
	});

	test('an image without WorkingDir, User or StopSignal: /, root, SIGTERM; a relative WorkingDir starts at /', () => {
		const c = resolve({image: 'tool'}, image({cmd: ['sh']}));
		assert.equal(c.workingDir, '/');
		assert.deepEqual(c.user, {uid: 0, gid: 0});
		assert.equal(c.stopSignal, 'SIGTERM');
		assert.equal(resolve({image: 'tool'}, image({cmd: ['sh'], workingDir: 'app'})).workingDir, '/app');
	});

	test('an image with neither Entrypoint nor Cmd needs a command', () => {
		refuses(() => resolve({image: 'tool'}, image()), 'INVALID_CONFIG', /has no Entrypoint or Cmd: give a command/);
	});

	test('a malformed user is refused at create', () => {
		refuses(() => resolve({image: 'tool', user: 'a:b:c'}), 'INVALID_CONFIG', /invalid user/);
	});

	test('volumes may go where a host root has its read-only trees: an OCI root has none', () => {
		const c = resolve({image: 'tool', volumes: [{source: '/srv/volume', destination: '/etc/app'}]});
		assert.equal(c.volumes[0]?.destination, '/etc/app');
		refuses(
			() => resolve({entrypoint: 'true', volumes: [{source: '/srv/volume', destination: '/etc/app'}]}),
			'INVALID_CONFIG',
			/host's read-only etc tree/,
		);
	});
});

describe('--base: a host-path image on an OCI root', () => {
	test("the script's command, /app, the image's Env; the image's Cmd, User and WorkingDir do not apply", () => {
		const c = resolve({image: '/srv/bot.py', base: 'tool'});
		assert.equal(c.image, '/srv/bot.py');
		assert.equal(c.ociImage?.id, TOOL.id);
		assert.deepEqual([c.entrypoint, ...c.args], ['python3', './bot.py']);
		assert.equal(c.workingDir, '/app');
		assert.equal(c.environment['PATH'], '/opt/bin:/bin');
		assert.deepEqual(c.user, {uid: 0, gid: 0});
		assert.equal(c.stopSignal, 'SIGTERM');
		assert.equal(c.init, true, 'a script image runs under an init, as on a host root');
	});

	test("a user name is looked up in the image's /etc/passwd, not the host's", () => {
		assert.deepEqual(resolve({image: '/srv/bot.py', base: 'tool', user: 'worker'}).user, {uid: 0, gid: 0, lookup: 'worker'});
		assert.deepEqual(resolveConfig({image: '/srv/bot.py', user: 'worker'}, 'x', host).user, {uid: 1001, gid: 1002, name: 'worker'});
	});
});

describe('users on an OCI root, looked up at start', () => {
	const files = {
		passwd: 'root:x:0:0:root:/root:/bin/sh\nbot:x:1234:2345:bot:/home/bot:/bin/sh\n',
		group: 'root:x:0:\nbots:x:2345:\nstaff:x:50:bot\n',
	};
	test('names and ids of users and groups', () => {
		assert.deepEqual(lookupImageUser('bot', files, 'c'), {uid: 1234, gid: 2345, home: '/home/bot'});
		assert.deepEqual(lookupImageUser('bot:staff', files, 'c'), {uid: 1234, gid: 50, home: '/home/bot'});
		assert.deepEqual(lookupImageUser('1234', files, 'c'), {uid: 1234, gid: 2345, home: '/home/bot'});
		assert.deepEqual(lookupImageUser('99:7', files, 'c'), {uid: 99, gid: 7, home: null});
		assert.equal(groupId(files.group, 'bots'), 2345);
		assert.equal(groupId(files.group, 'nope'), null);
	});
	test('unknown names say where they were looked for', () => {
		refuses(
			() => lookupImageUser('nobody', files, 'container c'),
			'INVALID_CONFIG',
			/unknown user "nobody" in the \/etc\/passwd of container c/,
		);
		refuses(() => lookupImageUser('bot:nogroup', files, 'container c'), 'INVALID_CONFIG', /unknown group "nogroup" in the \/etc\/group/);
	});
});

test('metadata shows an OCI image by name, else by short id', () => {
	assert.equal(imageLabel({id: TOOL.id, name: 'localhost/tool:latest', digest: TOOL.digest}), 'localhost/tool:latest');
	assert.equal(imageLabel({id: TOOL.id, name: null, digest: TOOL.digest}), 'aaaaaaaaaaaa');
	assert.equal(imageLabel(null), null);
});
