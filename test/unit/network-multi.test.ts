// A container on several networks, without root: the config's further networks, an older
// record read as a one-network container, what inspect reports, and the further networks'
// CNI list (no default route).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig, toContainerConfig} from '../../engine/config.js';
import {networksOf} from '../../engine/engine.js';
import {isC32Error} from '../../engine/errors.js';
import {newRecord, started, starting} from '../../engine/lifecycle/transitions.js';
import {conflistFor} from '../../engine/network/conflist.js';
import type {NetworkRecord} from '../../engine/network/types.js';
import {type ContainerRecord, parseRecord} from '../../engine/record.js';
import type {ContainerConfig} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const ID = 'd'.repeat(64);
const resolve = (input: ContainerConfig) => resolveConfig({entrypoint: 'true', ...input}, 'web', fakeHost());
const refused = (input: ContainerConfig, pattern: RegExp) =>
	assert.throws(
		() => resolve(input),
		(error: unknown) => isC32Error(error) && error.code === 'INVALID_CONFIG' && pattern.test(error.message),
	);

describe('further networks in the config', () => {
	test('kept in order with their aliases, and round-tripped', () => {
		const config = resolve({network: 'front', additionalNetworks: [{name: 'back', aliases: ['db', 'db']}, {name: 'c32'}]});
		assert.deepEqual(config.additionalNetworks, [
			{name: 'back', aliases: ['db']},
			{name: 'c32', aliases: []},
		]);
		assert.deepEqual(resolveConfig(toContainerConfig(config), 'web', fakeHost()).additionalNetworks, config.additionalNetworks);
		assert.deepEqual(resolve({}).additionalNetworks, []);
	});

	test('refused: without a c32 network first, twice, the first again, host, a bad alias', () => {
		refused({network: 'none', additionalNetworks: [{name: 'back'}]}, /need a c32 network first/);
		refused({network: 'host', additionalNetworks: [{name: 'back'}]}, /need a c32 network first/);
		refused({network: 'front', additionalNetworks: [{name: 'back'}, {name: 'back'}]}, /named twice/);
		refused({network: 'front', additionalNetworks: [{name: 'front'}]}, /named twice/);
		refused({network: 'front', additionalNetworks: [{name: 'host'}]}, /invalid further network/);
		refused({network: 'front', additionalNetworks: [{name: 'back', aliases: ['no spaces']}]}, /invalid network alias/);
	});
});

describe('records', () => {
	const base = (): ContainerRecord => newRecord(ID, resolve({network: 'front'}), null, 'runc', '2030-01-01T00:00:00.000Z');

	test('a record from before multi-network containers reads as one network', () => {
		const record = base();
		const {additionalNetworks: _c, ...oldConfig} = record.config;
		const {additionalNetworks: _i, ...oldInternal} = record.internal;
		const parsed = parseRecord({formatVersion: 2, metadata: record.metadata, config: oldConfig, internal: oldInternal});
		assert.ok(!('damaged' in parsed));
		assert.deepEqual(parsed.config.additionalNetworks, []);
		assert.deepEqual(parsed.internal.additionalNetworks, []);
		assert.deepEqual(
			networksOf(parsed).map((n) => n.name),
			['front'],
		);
	});

	test('inspect: every network, the first first; addresses while it runs; ports on the first only', () => {
		const ports = [{hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const}];
		const config = {...resolve({network: 'front', ports: ['8080:80']}), additionalNetworks: [{name: 'back', aliases: []}]};
		const stopped = {...base(), config};
		assert.deepEqual(networksOf(stopped), [
			{name: 'front', ip: null, gateway: null, ports},
			{name: 'back', ip: null, gateway: null, ports: []},
		]);
		const netnsPath = '/run/x/netns/dddd';
		const running = started(
			starting(stopped, 'runc', '2030-01-01T00:00:01.000Z'),
			{
				pid: 10,
				pidStartTime: 1,
				monitorPid: 9,
				monitorStartTime: 1,
				bootId: 'b',
				network: {name: 'front', ip: '10.90.1.2', gateway: '10.90.1.1', netnsPath, ports, ifName: 'eth0'},
				additionalNetworks: [{name: 'back', ip: '10.90.2.2', gateway: '10.90.2.1', netnsPath, ports: [], ifName: 'eth1'}],
			},
			'2030-01-01T00:00:01.000Z',
		);
		assert.deepEqual(
			networksOf(running).map((n) => [n.name, n.ip, n.ports.length]),
			[
				['front', '10.90.1.2', 1],
				['back', '10.90.2.2', 0],
			],
		);
		assert.deepEqual(networksOf({...running, config: {...config, network: 'host', additionalNetworks: []}}), []);
	});
});

test('a further network has no default route, no port mapping and no shaping', () => {
	const network: NetworkRecord = {
		name: 'back',
		id: 'e'.repeat(64),
		subnet: '10.90.2.0/24',
		gateway: '10.90.2.1',
		bridge: 'c32br2',
		internal: false,
		createdAt: '2030-01-01T00:00:00.000Z',
	};
	const further = conflistFor(network, {ports: [], bandwidthMbps: 0, leaseDir: '/l', defaultRoute: false});
	const bridge = further.plugins[0] as unknown as {ipam: {routes: unknown[]}; ipMasq: boolean};
	assert.deepEqual(bridge.ipam.routes, []);
	assert.equal(bridge.ipMasq, true, 'its own NAT stays (replies to what it sends out there)');
	assert.deepEqual(
		further.plugins.map((p) => p.type),
		['bridge', 'firewall'],
	);
	const first = conflistFor(network, {ports: [], bandwidthMbps: 0, leaseDir: '/l'});
	assert.deepEqual((first.plugins[0] as unknown as {ipam: {routes: unknown[]}}).ipam.routes, [{dst: '0.0.0.0/0'}]);
});
