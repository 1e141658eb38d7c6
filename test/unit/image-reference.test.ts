// Image references: docker's grammar, and the names c32 stores and looks them up under.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {C32Error} from '../../engine/errors.js';
import {idPrefix, localName, lookupNames, parseReference, pullName, repositoryOf, stripTransport} from '../../engine/image/reference.js';

const HEX = 'a'.repeat(64);

test('parses host, port, path, tag and digest', () => {
	assert.deepEqual(parseReference('busybox'), {domain: null, path: 'busybox', tag: null, digest: null});
	assert.deepEqual(parseReference('127.0.0.1:5000/team/bot:1'), {domain: '127.0.0.1:5000', path: 'team/bot', tag: '1', digest: null});
	assert.deepEqual(parseReference('localhost/x_y.z-w:v1.2-rc_3'), {domain: 'localhost', path: 'x_y.z-w', tag: 'v1.2-rc_3', digest: null});
	assert.deepEqual(parseReference(`team/bot@sha256:${HEX}`), {domain: null, path: 'team/bot', tag: null, digest: `sha256:${HEX}`});
	assert.deepEqual(parseReference(`quay.io/a/b:t@sha256:${HEX}`), {domain: 'quay.io', path: 'a/b', tag: 't', digest: `sha256:${HEX}`});
	// A first component without a dot, a colon or "localhost" is a path, not a host.
	assert.equal(parseReference('team/bot').domain, null);
});

test('a malformed reference is INVALID_CONFIG saying what a good one looks like', () => {
	for (const bad of [
		'',
		'Busybox',
		'a//b',
		'bot:',
		'bot:-x',
		`bot:${'x'.repeat(129)}`,
		'bot@sha256:abc',
		`bot@md5:${HEX}`,
		'-bot',
		'bot-',
		'a b',
		'host:port:x/y',
		`${'a'.repeat(256)}`,
		'/abs',
		'a/../b',
	]) {
		assert.throws(
			() => parseReference(bad),
			(error: unknown) =>
				error instanceof C32Error &&
				error.code === 'INVALID_CONFIG' &&
				/e\.g\. busybox/.test(error.message) &&
				!error.message.includes('\n'),
			bad,
		);
	}
});

test('names made here live under localhost/ with :latest by default', () => {
	assert.equal(localName('tool'), 'localhost/tool:latest');
	assert.equal(localName('team/tool:2'), 'localhost/team/tool:2');
	assert.equal(localName('127.0.0.1:5000/team/bot:1'), '127.0.0.1:5000/team/bot:1');
	assert.equal(localName('docker.io/busybox'), 'docker.io/library/busybox:latest');
	assert.throws(() => localName(`tool@sha256:${HEX}`), /cannot carry a digest/);
});

test('pulls of bare names go to docker.io/library; docker:// is accepted', () => {
	assert.equal(pullName('busybox'), 'docker.io/library/busybox:latest');
	assert.equal(pullName('docker://busybox:1.36'), 'docker.io/library/busybox:1.36');
	assert.equal(pullName('team/bot'), 'docker.io/team/bot:latest');
	assert.equal(pullName('docker://127.0.0.1:5000/team/bot:1'), '127.0.0.1:5000/team/bot:1');
	assert.equal(pullName(`bot@sha256:${HEX}`), `docker.io/library/bot@sha256:${HEX}`);
	assert.equal(stripTransport('docker://x'), 'x');
});

test('lookups try localhost/ first, then docker.io/library/', () => {
	assert.deepEqual(lookupNames(parseReference('busybox')), ['localhost/busybox:latest', 'docker.io/library/busybox:latest']);
	assert.deepEqual(lookupNames(parseReference('team/bot:1')), ['localhost/team/bot:1', 'docker.io/team/bot:1']);
	assert.deepEqual(lookupNames(parseReference('127.0.0.1:5000/team/bot:1')), ['127.0.0.1:5000/team/bot:1']);
	assert.deepEqual(lookupNames(parseReference('docker.io/busybox')), ['docker.io/library/busybox:latest']);
});

test('repositories and id prefixes', () => {
	assert.equal(repositoryOf('127.0.0.1:5000/team/bot:1'), '127.0.0.1:5000/team/bot');
	assert.equal(repositoryOf('localhost:5000/bot'), 'localhost:5000/bot');
	assert.equal(repositoryOf(`a/b@sha256:${HEX}`), 'a/b');
	assert.equal(idPrefix('0123456789ab'), '0123456789ab');
	assert.equal(idPrefix(`sha256:${HEX}`), HEX);
	assert.equal(idPrefix('0123456789a'), null, 'fewer than 12 hex digits is no id');
	assert.equal(idPrefix('busybox'), null);
});
