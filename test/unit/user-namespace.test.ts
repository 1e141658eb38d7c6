// The user-namespace decisions: strict always has one, ids map as documented, and a start
// that would need to drop it is refused with the fix in the message.
import assert from 'node:assert/strict';
import type fs from 'node:fs';
import {describe, test} from 'node:test';
import {type HostFacts, resolveConfig} from '../../engine/config.js';
import {isC32Error} from '../../engine/errors.js';
import {
	checkUserNamespace,
	containerRootOnHost,
	containerUserOnHost,
	hostIdOf,
	mayWrite,
	USERNS_HOST_BASE,
	userNamespaceOf,
} from '../../engine/oci/user-namespace.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const host: HostFacts = fakeHost({
	maxOpenFilesHard: 4096,
	pathKind: (p) => (p.startsWith('/srv/') ? 'directory' : null),
	isExecutable: () => false,
	lookupUser: () => null,
});

const config = (input: ContainerConfig) => resolveConfig({entrypoint: 'true', ...input}, 'userns-test', host);

type FakeStat = Pick<fs.Stats, 'uid' | 'gid' | 'mode' | 'isDirectory'>;
const dir = (uid: number, gid: number, mode: number): FakeStat => ({uid, gid, mode: 0o040000 | mode, isDirectory: () => true});

function code(fn: () => void): string | null {
	try {
		fn();
		return null;
	} catch (error) {
		assert.ok(isC32Error(error), String(error));
		assert.ok(!error.message.includes('\n'));
		return `${error.code}: ${error.message}`;
	}
}

describe('user namespace mapping', () => {
	test('strict maps container 0-65535 to host 100000-165535; the other levels share the host namespace', () => {
		const mapping = [{containerID: 0, hostID: USERNS_HOST_BASE, size: 65_536}];
		assert.deepEqual(userNamespaceOf({isolationLevel: 'strict'}), {uidMappings: mapping, gidMappings: mapping});
		assert.equal(userNamespaceOf({isolationLevel: 'standard'}), null);
		assert.equal(userNamespaceOf({isolationLevel: 'minimal'}), null);
		assert.equal(hostIdOf(1000, mapping), 101_000);
		assert.equal(hostIdOf(65_536, mapping), null);
		assert.equal(hostIdOf(1000, null), 1000);
	});

	test('the container root and user as the host sees them own its files', () => {
		assert.deepEqual(containerRootOnHost(config({isolationLevel: 'strict'})), {uid: 100_000, gid: 100_000});
		assert.deepEqual(containerRootOnHost(config({})), {uid: 0, gid: 0});
		assert.deepEqual(containerUserOnHost(config({isolationLevel: 'strict', user: '1000:50'})), {uid: 101_000, gid: 100_050});
		assert.deepEqual(containerUserOnHost(config({user: '1000:50'})), {uid: 1000, gid: 50});
	});
});

describe('mayWrite', () => {
	test('owner bits for the owner, group bits for the group, other bits for the rest, as the kernel decides', () => {
		assert.equal(mayWrite(dir(100_000, 0, 0o700), 100_000, 100_000), true);
		assert.equal(mayWrite(dir(100_000, 0, 0o500), 100_000, 100_000), false);
		assert.equal(mayWrite(dir(0, 100_000, 0o770), 100_000, 100_000), true);
		assert.equal(mayWrite(dir(0, 0, 0o777), 100_000, 100_000), true);
		assert.equal(mayWrite(dir(0, 0, 0o755), 100_000, 100_000), false);
		// The owner's own bits win even when others may write.
		assert.equal(mayWrite(dir(100_000, 0, 0o577), 100_000, 100_000), false);
		// A directory needs search as well as write; a file only write.
		assert.equal(mayWrite(dir(0, 0, 0o772), 100_000, 100_000), false);
		assert.equal(mayWrite({uid: 0, gid: 0, mode: 0o100_666, isDirectory: () => false}, 100_000, 100_000), true);
	});
});

describe('checkUserNamespace', () => {
	const allowed = (stat: FakeStat) => ({userNamespacesAllowed: true, stat: () => stat});

	test('standard and minimal are never checked', () => {
		assert.equal(
			code(() =>
				checkUserNamespace(config({volumes: [{source: '/srv/v', destination: '/v'}]}), {
					userNamespacesAllowed: false,
					stat: () => dir(0, 0, 0o700),
				}),
			),
			null,
		);
	});

	test('a host without user namespaces refuses strict, naming the sysctl and the other level', () => {
		const message = code(() =>
			checkUserNamespace(config({isolationLevel: 'strict'}), {userNamespacesAllowed: false, stat: () => dir(0, 0, 0o755)}),
		);
		assert.match(message ?? '', /^UNSUPPORTED: .*user\.max_user_namespaces.*--isolation standard/);
	});

	test('a read-write volume the mapped user cannot write is refused with the chown that fixes it', () => {
		const strict = config({isolationLevel: 'strict', volumes: [{source: '/srv/out', destination: '/out'}]});
		const message = code(() => checkUserNamespace(strict, allowed(dir(0, 0, 0o755))));
		assert.match(
			message ?? '',
			/^PERMISSION_DENIED: .*host uid 100000.*\/srv\/out \(owner 0:0, mode 0755\).*chown 100000:100000 \/srv\/out.*:ro.*--isolation standard/,
		);
		assert.equal(
			code(() => checkUserNamespace(strict, allowed(dir(100_000, 100_000, 0o755)))),
			null,
		);
		assert.equal(
			code(() => checkUserNamespace(strict, allowed(dir(0, 0, 0o1777)))),
			null,
		);
	});

	test('the user the container runs as is the one checked; read-only volumes need no write access', () => {
		const asUser = config({isolationLevel: 'strict', user: '1000:1000', volumes: [{source: '/srv/out', destination: '/out'}]});
		assert.match(code(() => checkUserNamespace(asUser, allowed(dir(100_000, 100_000, 0o755)))) ?? '', /chown 101000:101000/);
		assert.equal(
			code(() => checkUserNamespace(asUser, allowed(dir(101_000, 101_000, 0o700)))),
			null,
		);
		const readOnly = config({isolationLevel: 'strict', volumes: [{source: '/srv/ro', destination: '/ro', readOnly: true}]});
		assert.equal(
			code(() => checkUserNamespace(readOnly, allowed(dir(0, 0, 0o755)))),
			null,
		);
	});

	test('a user outside the mapping is INVALID_CONFIG', () => {
		assert.match(
			code(() => checkUserNamespace(config({isolationLevel: 'strict', user: '70000'}), allowed(dir(0, 0, 0o755)))) ?? '',
			/^INVALID_CONFIG: .*0-65535/,
		);
	});
});
