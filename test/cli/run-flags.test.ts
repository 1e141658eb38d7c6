// runWords (generate systemd --new) is the inverse of run's option parser: a stored config
// becomes c32 run's words, and those words resolve to the same stored config again.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {toContainerConfig} from '../../engine/config.js';
import {RESOLVED_FIELDS, validateConfig} from '../../engine/schema.js';
import type {ContainerConfig, ResolvedConfig} from '../../engine/types.js';
import {spec as runSpec} from '../../source/commands/run.js';
import {parseContainerCommand} from '../../source/lib/container-options.js';
import {runWords} from '../../source/lib/run-flags.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';
import {fakeContext} from './fake-context.js';

const host = fakeHost();
const busybox = {
	id: `sha256:${'b'.repeat(64)}`,
	name: 'localhost/busybox:latest',
	digest: `sha256:${'d'.repeat(64)}`,
	config: imageConfig({cmd: ['sh'], env: ['PATH=/bin'], workingDir: '/work', user: 'bot', stopSignal: 'SIGINT'}),
};
const images = (ref: string) => (ref === 'busybox' || ref === busybox.id ? busybox : null);
const validate = (input: unknown) => validateConfig(input, () => 'default-name', host, images);
const BASE: ContainerConfig = {entrypoint: 'true'};

/** A value other than the default for every stored field; typed over its keys, so a new field needs one. */
const SAMPLES: {[K in keyof ResolvedConfig]-?: ContainerConfig} = {
	name: {name: 'web.1'},
	image: {image: '/srv/bot.py'},
	ociImage: {image: 'busybox', args: ['-c', 'echo hi']},
	entrypoint: {entrypoint: '/usr/bin/env'},
	args: {args: ['5', 'a b', '', '--not-an-option', '-d', '--', '%t $HOME "q"']},
	environment: {environment: {A: 'b c', EMPTY: '', EQ: 'x=y', DOLLAR: '$$%n'}},
	volumes: {
		volumes: [
			{source: '/srv/volume', destination: '/data', readOnly: true},
			{source: '/srv/other', destination: '/cache'},
		],
	},
	resourceLimits: {
		resourceLimits: {
			cpuLimitPercent: 50.5,
			memoryLimitMb: 64.5,
			diskIoLimitMbps: 5,
			maxProcesses: 10,
			maxOpenFiles: 100,
			networkBandwidthLimitMbps: 8,
		},
	},
	isolationLevel: {isolationLevel: 'strict'},
	labels: {labels: {'team/app': 'x=y z', empty: ''}},
	restartPolicy: {restartPolicy: 'on-failure:3'},
	workingDir: {workingDir: '/srv/work'},
	user: {user: 'worker:7'},
	hostname: {hostname: 'box'},
	stopSignal: {stopSignal: 'rtmin+3'},
	stopTimeout: {stopTimeout: 2.5},
	network: {network: 'none'},
	ports: {ports: ['8080:80', '127.0.0.1:9000-9001:9000-9001/udp', '53', '127.0.0.1::81']},
	networkAliases: {networkAliases: ['db', 'primary']},
	additionalNetworks: {network: 'front', additionalNetworks: [{name: 'side'}, {name: 'back'}]},
	logSizeMax: {logSizeMax: 8192},
	autoRemove: {autoRemove: true},
	capabilities: {capAdd: ['NET_RAW'], capDrop: ['CHOWN']},
	stdinOpen: {stdinOpen: true},
	tty: {tty: true},
	healthcheck: {
		healthcheck: {command: 'test -e /tmp/ok && echo "$A"', interval: 2, timeout: 1.5, retries: 4, startPeriod: 3, onFailure: 'kill'},
	},
	init: {init: true},
	hooks: {hooks: [{event: 'die', command: ['/usr/bin/logger', "it's gone", '']}]},
	restartMaxDelayMs: {restartMaxDelayMs: 5000},
	memoryThresholdMb: {memoryThresholdMb: 500.25},
	cpuThresholdPercent: {cpuThresholdPercent: 90},
	monitorPidFile: {monitorPidFile: '/run/c32-web.service.pid'},
};

async function rerun(resolved: ResolvedConfig): Promise<ResolvedConfig> {
	const {ctx} = fakeContext();
	const {config} = await parseContainerCommand(runSpec, runWords(toContainerConfig(resolved)), ctx);
	return validate(config);
}

describe('runWords: c32 run options that recreate a container', () => {
	test('the samples cover every stored field', () => {
		assert.deepEqual(Object.keys(SAMPLES).sort(), [...RESOLVED_FIELDS].sort());
	});

	for (const field of RESOLVED_FIELDS) {
		test(`${field} survives config -> run words -> config`, async () => {
			const original = validate({...BASE, ...SAMPLES[field]});
			assert.notDeepEqual(original[field], validate(BASE)[field], `the sample for ${field} changes it from the default`);
			assert.deepEqual(await rerun(original), original);
		});
	}

	test('every option is one word --flag=value, and the command follows "--"', () => {
		const words = runWords(toContainerConfig(validate({entrypoint: 'sh', args: ['-c', '--name=x'], environment: {A: '-e'}})));
		const end = words.indexOf('--');
		assert.ok(end > 0);
		assert.deepEqual(words.slice(end + 1), ['-c', '--name=x']);
		for (const word of words.slice(0, end)) assert.match(word, /^--[a-z-]+(=|$)/s);
	});

	test('what c32 run cannot give is refused with one line', () => {
		assert.throws(() => runWords({entrypoint: 'x', volumes: [{source: '/a:b', destination: '/c'}]}), /has a ":" in a path/);
		assert.throws(
			() => runWords({entrypoint: 'x', network: 'a', networkAliases: ['one'], additionalNetworks: [{name: 'b', aliases: ['two']}]}),
			/aliases differ between its networks \(b\)/,
		);
	});
});
