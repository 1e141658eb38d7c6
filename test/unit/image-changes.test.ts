// docker's --change instructions on an image's runtime config.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {applyChanges} from '../../engine/image/changes.js';
import {emptyRuntimeConfig, runtimeConfig, toRawRuntimeConfig} from '../../engine/image/oci-json.js';

test('CMD and ENTRYPOINT in exec and shell form', () => {
	const config = applyChanges(emptyRuntimeConfig(), ['CMD ["/bin/echo", "hi there"]', 'ENTRYPOINT /bin/sh -x']);
	assert.deepEqual(config.cmd, ['/bin/echo', 'hi there']);
	assert.deepEqual(config.entrypoint, ['/bin/sh', '-c', '/bin/sh -x']);
	assert.deepEqual(applyChanges(emptyRuntimeConfig(), ['CMD=echo $HOME']).cmd, ['/bin/sh', '-c', 'echo $HOME']);
});

test('ENV and LABEL: pairs, quotes, the legacy form, later values win', () => {
	const config = applyChanges({...emptyRuntimeConfig(), env: ['PATH=/bin', 'A=0']}, [
		'ENV A=1 B="x y"',
		'ENV C spaced value',
		'LABEL team=bots k=v',
		'ENV=D=4',
	]);
	assert.deepEqual(config.env, ['PATH=/bin', 'A=1', 'B=x y', 'C=spaced value', 'D=4']);
	assert.deepEqual(config.labels, {team: 'bots', k: 'v'});
});

test('WORKDIR, USER, EXPOSE, STOPSIGNAL', () => {
	const config = applyChanges(emptyRuntimeConfig(), ['WORKDIR /srv', 'USER nobody:nogroup', 'EXPOSE 8080 53/udp 8080', 'STOPSIGNAL int']);
	assert.equal(config.workingDir, '/srv');
	assert.equal(config.user, 'nobody:nogroup');
	assert.deepEqual(config.exposedPorts, ['8080/tcp', '53/udp']);
	assert.equal(config.stopSignal, 'SIGINT');
});

test('bad changes are INVALID_CONFIG naming the change', () => {
	for (const bad of [
		'RUN apt-get update',
		'CMD',
		'CMD ["unclosed"',
		'CMD []',
		'CMD [1]',
		'WORKDIR relative',
		'EXPOSE http',
		'EXPOSE 70000',
		'STOPSIGNAL SIGNOPE',
		'USER a b',
		'',
	]) {
		assert.throws(
			() => applyChanges(emptyRuntimeConfig(), [bad]),
			(error: Error & {code?: string}) => error.code === 'INVALID_CONFIG' && error.message.includes('--change'),
			bad,
		);
	}
});

test("the runtime config round-trips through docker's JSON, keeping keys c32 does not know", () => {
	const config = applyChanges(emptyRuntimeConfig(), [
		'CMD ["a"]',
		'ENV K=v',
		'EXPOSE 80',
		'LABEL x=y',
		'USER 1000',
		'WORKDIR /w',
		'STOPSIGNAL SIGQUIT',
	]);
	const raw = toRawRuntimeConfig(config, {Volumes: {'/data': {}}, Cmd: ['old']});
	assert.deepEqual(raw, {
		Volumes: {'/data': {}},
		Cmd: ['a'],
		Env: ['K=v'],
		ExposedPorts: {'80/tcp': {}},
		Labels: {x: 'y'},
		User: '1000',
		WorkingDir: '/w',
		StopSignal: 'SIGQUIT',
	});
	assert.deepEqual(runtimeConfig({rootfs: {type: 'layers', diff_ids: []}, config: raw}), config);
});
