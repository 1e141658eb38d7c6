// The one config schema: create and import refuse the same bad input with one line that
// names the field, and export -> import gives back every field of the stored config.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {toContainerConfig} from '../../engine/config.js';
import {isC32Error} from '../../engine/errors.js';
import {parseExportedConfig, RESOLVED_FIELDS, validateConfig} from '../../engine/schema.js';
import type {ContainerConfig, ExportedState, ResolvedConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';
import {imageConfig} from '../helpers/images.js';

const host = fakeHost();
const busybox = {
	id: `sha256:${'b'.repeat(64)}`,
	name: 'localhost/busybox:latest',
	digest: `sha256:${'d'.repeat(64)}`,
	config: imageConfig({cmd: ['sh'], env: ['PATH=/bin', 'FROM_IMAGE=1'], workingDir: '/work', user: 'bot', stopSignal: 'SIGINT'}),
};
/** The image store as create consults it: by name or by id. */
const images = (ref: string) => (ref === 'busybox' || ref === busybox.id ? busybox : null);
const validate = (input: unknown, h = host) => validateConfig(input, () => 'default-name', h, images);
const BASE: ContainerConfig = {entrypoint: 'true'};

/** What an export file holds for `config`, and what importing it resolves to. */
function roundTrip(config: ResolvedConfig): ResolvedConfig {
	const file = JSON.parse(JSON.stringify({formatVersion: 1, exportedAt: 'now', metadata: {}, config})) as ExportedState;
	return validate(toContainerConfig(parseExportedConfig(file, 1)));
}

/**
 * For every field of the stored config, an input that gives it a value other than its
 * default. Typed over ResolvedConfig's keys, so a new field does not compile without one.
 */
const SAMPLES: {[K in keyof ResolvedConfig]-?: ContainerConfig} = {
	name: {name: 'renamed'},
	image: {image: '/srv/bot.py'},
	ociImage: {image: 'busybox'},
	entrypoint: {entrypoint: 'sleep'},
	args: {args: ['5', 'a b', '']},
	environment: {environment: {A: 'b', EMPTY: ''}},
	volumes: {
		volumes: [
			{source: '/srv/volume', destination: '/data/', readOnly: true},
			{source: '/srv/other', destination: '/cache'},
		],
	},
	resourceLimits: {
		resourceLimits: {
			cpuLimitPercent: 50,
			memoryLimitMb: 64,
			diskIoLimitMbps: 5,
			maxProcesses: 10,
			maxOpenFiles: 100,
			networkBandwidthLimitMbps: 8,
		},
	},
	isolationLevel: {isolationLevel: 'strict'},
	labels: {labels: {'team/app': 'x', empty: ''}},
	restartPolicy: {restartPolicy: 'on-failure:3'},
	workingDir: {workingDir: '/srv/../work'},
	user: {user: 'worker:7'},
	hostname: {hostname: 'box'},
	stopSignal: {stopSignal: 'rtmin+3'},
	stopTimeout: {stopTimeout: 2.5},
	network: {network: 'none'},
	ports: {ports: ['8080:80', '127.0.0.1:9000-9001:9000-9001/udp', '53']},
	networkAliases: {networkAliases: ['db', 'primary']},
	additionalNetworks: {additionalNetworks: [{name: 'side', aliases: ['api']}, {name: 'back'}]},
	logSizeMax: {logSizeMax: 8192},
	autoRemove: {autoRemove: true},
	capabilities: {capAdd: ['NET_RAW'], capDrop: ['CHOWN']},
	stdinOpen: {stdinOpen: true},
	tty: {tty: true},
	healthcheck: {healthcheck: {command: 'test -e /tmp/ok', interval: 2, timeout: 1.5, retries: 4, startPeriod: 3, onFailure: 'kill'}},
	init: {init: true},
	hooks: {hooks: [{event: 'die', command: ['/usr/bin/logger', 'died']}]},
	restartMaxDelayMs: {restartMaxDelayMs: 5000},
	memoryThresholdMb: {memoryThresholdMb: 500},
	cpuThresholdPercent: {cpuThresholdPercent: 90},
	monitorPidFile: {monitorPidFile: '/run/c32-web.service.pid'},
};

describe('export -> import round trip', () => {
	test('the samples cover every field the schema stores', () => {
		assert.deepEqual(
			Object.keys(SAMPLES).sort(),
			[...RESOLVED_FIELDS].sort(),
			'a stored field without a round-trip sample: add one to SAMPLES',
		);
	});

	for (const field of RESOLVED_FIELDS) {
		test(`${field} survives export and import`, () => {
			const sample = SAMPLES[field];
			const original = validate({...BASE, ...sample});
			assert.notDeepEqual(original[field], validate(BASE)[field], `the sample for ${field} does not change it from the default`);
			assert.deepEqual(roundTrip(original), original);
		});
	}

	test('everything at once, and each isolation level with its capability set', () => {
		const everything: ContainerConfig = {...BASE};
		for (const [field, sample] of Object.entries(SAMPLES)) if (field !== 'autoRemove') Object.assign(everything, sample);
		everything.isolationLevel = 'standard';
		everything.network = 'backend';
		const original = validate(everything);
		assert.deepEqual(roundTrip(original), original);
		for (const isolationLevel of ['minimal', 'standard', 'strict'] as const) {
			const plain = validate({...BASE, isolationLevel});
			assert.deepEqual(roundTrip(plain), plain, isolationLevel);
		}
		const strictWithCaps = validate({...BASE, isolationLevel: 'strict', capAdd: ['NET_BIND_SERVICE']});
		assert.deepEqual(roundTrip(strictWithCaps), strictWithCaps);
		const noCaps = validate({...BASE, capDrop: ['ALL']});
		assert.deepEqual(noCaps.capabilities, []);
		assert.deepEqual(roundTrip(noCaps), noCaps);
	});

	test('an OCI image, a base under a host-path image and a user looked up at start survive export and import', () => {
		for (const input of [
			{image: 'busybox'},
			{image: 'busybox', args: ['echo', 'hi'], environment: {FROM_IMAGE: '2'}, user: 'bot:staff', workingDir: '/x'},
			{image: 'busybox', isolationLevel: 'strict' as const, user: '7'},
			{image: '/srv/bot.py', base: 'busybox'},
			{image: '/srv/project', base: 'busybox', entrypoint: 'sh', user: 'bot'},
		]) {
			const original = validate(input);
			assert.deepEqual(roundTrip(original), original, JSON.stringify(input));
		}
	});

	test('an export from before OCI images imports with a host-derived root', () => {
		const {ociImage, ...old} = validate(BASE);
		assert.equal(ociImage, null);
		assert.equal(roundTrip(old as ResolvedConfig).ociImage, null);
	});

	test('an export from before networks imports with its network as stored, no ports and no aliases', () => {
		const {ports, networkAliases, ...old} = validate({...BASE, network: 'host'});
		assert.deepEqual([ports, networkAliases], [[], []]);
		const imported = roundTrip(old as ResolvedConfig);
		assert.equal(imported.network, 'host');
		assert.deepEqual([imported.ports, imported.networkAliases], [[], []]);
	});

	test('ports: docker strings and objects resolve to the same mappings; bad ones name the field', () => {
		const fromStrings = validate({...BASE, ports: ['127.0.0.1:8080:80', '5353/udp']}).ports;
		const fromObjects = validate({
			...BASE,
			ports: [{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'}, {containerPort: 5353, protocol: 'udp'} as never],
		}).ports;
		assert.deepEqual(fromStrings, [
			{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp'},
			{hostIp: '', hostPort: 0, containerPort: 5353, protocol: 'udp'},
		]);
		assert.deepEqual(fromObjects, fromStrings);
		assert.throws(
			() => validate({...BASE, ports: '80'}),
			(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && /^config\.ports: expected a list of port specs/.test(e.message),
		);
		const stored = JSON.parse(JSON.stringify(validate(BASE))) as Record<string, unknown>;
		assert.throws(
			() => parseExportedConfig({formatVersion: 1, config: {...stored, ports: [{containerPort: 80}]}}, 1),
			/^C32Error: config\.ports\[0\]\.hostIp: missing/,
		);
	});

	test('an export from before capabilities were stored imports with the level default', () => {
		const {capabilities, ...old} = validate(BASE);
		const imported = roundTrip(old as ResolvedConfig);
		assert.deepEqual(imported.capabilities, capabilities);
	});
});

describe('bad input: one INVALID_CONFIG line naming the field, for create and import alike', () => {
	const cases: {input: Record<string, unknown>; message: string}[] = [
		{input: {name: 123}, message: 'config.name: expected a string'},
		{input: {entrypoint: 42}, message: 'config.entrypoint: expected a string'},
		{input: {hostname: 12345}, message: 'config.hostname: expected a string'},
		{input: {entrypoint: 'a\0b'}, message: 'config.entrypoint: expected a string without NUL bytes'},
		{input: {args: ['x', 'a\0b']}, message: 'config.args[1]: expected a string without NUL bytes'},
		{input: {environment: {A: 'x\0'}}, message: 'config.environment.A: expected a string without NUL bytes'},
		{input: {volumes: 'x'}, message: 'config.volumes: expected a list of {source, destination, readOnly}'},
		{input: {volumes: [{source: '/srv/volume'}]}, message: 'config.volumes[0].destination: missing from {source, destination, readOnly}'},
		{
			input: {volumes: [{source: '/srv/volume', destination: '/d', readOnly: 'yes'}]},
			message: 'config.volumes[0].readOnly: expected true or false',
		},
		{input: {labels: {'a b': 3}}, message: 'config.labels["a b"]: expected a string'},
		{input: {resourceLimits: {maxProcesses: '5'}}, message: 'config.resourceLimits.maxProcesses: expected a number'},
		{input: {resourceLimits: {maxProcess: 5}}, message: 'config.resourceLimits.maxProcess: unknown field'},
		{input: {isolationLevel: 'foo'}, message: 'config.isolationLevel: expected minimal, standard or strict'},
		{input: {network: 7}, message: 'config.network: expected host, none or a network name'},
		{input: {networkAliases: 'db'}, message: 'config.networkAliases: expected a list of names'},
		{input: {autoRemove: 'yes'}, message: 'config.autoRemove: expected true or false'},
		{input: {entrypointt: 'x'}, message: 'config.entrypointt: unknown field'},
	];

	for (const {input, message} of cases) {
		test(`create: ${message}`, () => {
			assert.throws(
				() => validate({...BASE, ...input}),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message === message,
			);
		});
	}

	test('import refuses the same values in an exported file, with the same messages', () => {
		const good = JSON.parse(JSON.stringify(validate(BASE))) as Record<string, unknown>;
		for (const {input, message} of cases) {
			const config = {...good, ...input};
			const file = {formatVersion: 1, metadata: {}, config};
			assert.throws(
				() => validate(toContainerConfig(parseExportedConfig(file, 1))),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message === message,
				message,
			);
		}
	});

	test('import: a missing or damaged envelope, a newer format, a stored field of the wrong shape', () => {
		const good = JSON.parse(JSON.stringify(validate(BASE))) as Record<string, unknown>;
		const refuses = (file: unknown, code: string, pattern: RegExp) =>
			assert.throws(
				() => parseExportedConfig(file, 1),
				(e: unknown) => isC32Error(e) && e.code === code && pattern.test(e.message) && !e.message.includes('\n'),
				JSON.stringify(file),
			);
		refuses(null, 'INVALID_CONFIG', /not a c32 export/);
		refuses([], 'INVALID_CONFIG', /not a c32 export/);
		refuses({config: good}, 'INVALID_CONFIG', /formatVersion/);
		refuses({formatVersion: 2, config: good}, 'UNSUPPORTED', /upgrade c32/);
		refuses({formatVersion: 1, config: 'x'}, 'INVALID_CONFIG', /^config: expected a stored container config$/);
		refuses({formatVersion: 1, config: {...good, user: '0:0'}}, 'INVALID_CONFIG', /^config\.user: expected \{uid, gid\}$/);
		refuses({formatVersion: 1, config: {...good, restartPolicy: 'always'}}, 'INVALID_CONFIG', /^config\.restartPolicy: /);
		refuses({formatVersion: 1, config: {...good, capabilities: 'ALL'}}, 'INVALID_CONFIG', /^config\.capabilities: expected a list/);
		const {hostname, ...noHostname} = good;
		void hostname;
		refuses({formatVersion: 1, config: noHostname}, 'INVALID_CONFIG', /^config\.hostname: missing/);
	});

	test('a stored config whose meaning is wrong is refused by the same checks as create', () => {
		const good = JSON.parse(JSON.stringify(validate(BASE))) as Record<string, unknown>;
		const importing = (config: Record<string, unknown>) => () =>
			validate(toContainerConfig(parseExportedConfig({formatVersion: 1, config}, 1)));
		assert.throws(importing({...good, hostname: '-bad'}), /invalid hostname/);
		assert.throws(importing({...good, capabilities: ['CAP_NOPE']}), /capAdd: unknown capability "CAP_NOPE"/);
		assert.throws(importing({...good, stopSignal: 'SIGNOPE'}), /unknown signal/);
		assert.throws(importing({...good, user: {uid: -1, gid: 0}}), /invalid uid -1/);
	});
});

describe('start-up cost', () => {
	test('valibot and config validation are loaded only when a container is created or imported, not by the engine module', () => {
		const seen = new Set<string>();
		const visit = (file: string) => {
			if (seen.has(file)) return;
			seen.add(file);
			const source = fs.readFileSync(file, 'utf8');
			for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm)) {
				const specifier = match[1]!;
				if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
				else seen.add(`pkg:${specifier}`);
			}
		};
		visit(fileURLToPath(new URL('../../engine/index.js', import.meta.url)));
		assert.ok(seen.size > 10, 'the walk found the engine modules');
		assert.ok(!seen.has('pkg:valibot'), 'engine/index.js loads valibot statically');
		for (const module of ['schema.js', 'live-host-facts.js', 'settings.js', 'config.js', 'capabilities.js']) {
			assert.ok(![...seen].some((f) => f.endsWith(`${path.sep}${module}`)), `engine/index.js loads ${module} statically`);
		}
	});
});
