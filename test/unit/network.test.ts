// The pure parts of networks: subnets, the host's routes, -p specs, DNAT rules, the CNI list.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {pluginError, pluginInput} from '../../engine/network/cni.js';
import {conflistFor} from '../../engine/network/conflist.js';
import {forwardedPorts, parsePortSpec} from '../../engine/network/ports.js';
import {formatCidr, gatewayOf, nextFreeSubnet, overlaps, parseCidr, parseRouteTable} from '../../engine/network/subnets.js';
import type {NetworkRecord} from '../../engine/network/types.js';
import {expectCode} from '../helpers/engine.js';

describe('subnets', () => {
	test('a CIDR parses; its gateway is its first address', () => {
		const cidr = parseCidr('10.90.3.0/24');
		assert.equal(formatCidr(cidr), '10.90.3.0/24');
		assert.equal(gatewayOf(cidr), '10.90.3.1');
		assert.equal(gatewayOf(parseCidr('172.30.0.0/16')), '172.30.0.1');
	});

	test('bad CIDRs are refused with what a good one looks like', async () => {
		for (const bad of ['10.90.0.0', '10.90.0/24', '10.90.0.0/33', '300.1.1.1/24', '10.90.0.0/24/1', 'fd00::/64', '', '10.90.0.0/x']) {
			const error = await expectCode(() => parseCidr(bad), 'INVALID_CONFIG');
			assert.match(error.message, /10\.90\.5\.0\/24/);
		}
		assert.match((await expectCode(() => parseCidr('10.90.5.1/24'), 'INVALID_CONFIG')).message, /host bits.*use 10\.90\.5\.0\/24/);
		assert.match((await expectCode(() => parseCidr('10.0.0.0/31'), 'INVALID_CONFIG')).message, /\/8 to \/30/);
		await expectCode(() => parseCidr('10.0.0.0/7'), 'INVALID_CONFIG');
	});

	test('overlap: one contains the other, or neither', () => {
		assert.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.90.1.0/24')));
		assert.ok(overlaps(parseCidr('10.90.1.0/24'), parseCidr('10.0.0.0/8')));
		assert.ok(overlaps(parseCidr('10.90.1.0/24'), parseCidr('10.90.1.0/24')));
		assert.ok(!overlaps(parseCidr('10.90.1.0/24'), parseCidr('10.90.2.0/24')));
		assert.ok(!overlaps(parseCidr('10.88.0.0/16'), parseCidr('10.90.0.0/24')));
	});

	test('the next free subnet skips taken ones and routed ones', () => {
		assert.equal(formatCidr(nextFreeSubnet([], [])!), '10.90.0.0/24');
		const taken = [parseCidr('10.90.0.0/24'), parseCidr('10.90.1.0/24')];
		assert.equal(formatCidr(nextFreeSubnet(taken, [parseCidr('10.90.2.0/23')])!), '10.90.4.0/24');
		assert.equal(nextFreeSubnet([parseCidr('10.90.0.0/16')], []), null);
	});

	test('a larger block (the default network) is aligned and skips what a smaller one touches', () => {
		assert.equal(formatCidr(nextFreeSubnet([], [], 22)!), '10.90.0.0/22');
		assert.equal(formatCidr(nextFreeSubnet([parseCidr('10.90.1.0/24')], [], 22)!), '10.90.4.0/22');
		assert.equal(formatCidr(nextFreeSubnet([parseCidr('10.90.0.0/22')], [])!), '10.90.4.0/24', 'user networks come after it');
		assert.equal(
			nextFreeSubnet(
				[parseCidr('10.90.0.0/17'), parseCidr('10.90.128.0/18'), parseCidr('10.90.192.0/19')],
				[parseCidr('10.90.224.0/19')],
				22,
			),
			null,
		);
	});

	test('/proc/net/route: little-endian hex, the default route left out', () => {
		const table = [
			'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
			'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
			'podman0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0',
			'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
		].join('\n');
		assert.deepEqual(
			parseRouteTable(table).map((r) => `${r.device} ${formatCidr(r)}`),
			['podman0 10.88.0.0/16', 'eth0 192.0.2.0/24'],
		);
	});
});

describe('port specs', () => {
	const tcp = (hostPort: number, containerPort: number, hostIp = '') => ({hostIp, hostPort, containerPort, protocol: 'tcp'});

	test("docker's forms", () => {
		assert.deepEqual(parsePortSpec('8080:80'), [tcp(8080, 80)]);
		assert.deepEqual(parsePortSpec('8080:80/udp'), [{...tcp(8080, 80), protocol: 'udp'}]);
		assert.deepEqual(parsePortSpec('127.0.0.1:8080:80'), [tcp(8080, 80, '127.0.0.1')]);
		assert.deepEqual(parsePortSpec('127.0.0.1::80'), [tcp(0, 80, '127.0.0.1')]);
		assert.deepEqual(parsePortSpec('80'), [tcp(0, 80)]);
		assert.deepEqual(parsePortSpec('8000-8001:80-81/tcp'), [tcp(8000, 80), tcp(8001, 81)]);
		assert.deepEqual(parsePortSpec('80-81'), [tcp(0, 80), tcp(0, 81)]);
	});

	test('bad specs are refused with what a good one looks like', async () => {
		for (const bad of [
			'',
			'0',
			'65536',
			'80/sctp',
			'http',
			'8080:',
			':80x',
			'1.2.3:80:80',
			'::1:80:80',
			'8000-8002:80-81',
			'90-80',
			'1-2000',
			'80/tcp/udp',
		]) {
			const error = await expectCode(() => parsePortSpec(bad), 'INVALID_CONFIG');
			assert.match(error.message, /HOSTPORT:CONTAINERPORT/, bad);
		}
	});

	test('the host ports DNAT rules forward, by protocol, ranges too', () => {
		const nat = [
			'*nat',
			'-A CNI-DN-1 -s 10.90.0.0/24 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK',
			'-A CNI-DN-1 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.90.0.2:80',
			'-A NETAVARK-DN-1 -p udp -m udp --dport 5000:5002 -j DNAT --to-destination 10.88.0.3:53',
			'-A POSTROUTING -p tcp --dport 9999 -j MASQUERADE',
		].join('\n');
		const found = forwardedPorts(nat);
		assert.deepEqual([...found.tcp], [8080]);
		assert.deepEqual([...found.udp], [5000, 5001, 5002]);
	});
});

describe('the CNI list', () => {
	const network: NetworkRecord = {
		name: 'bots',
		id: 'a'.repeat(64),
		subnet: '10.90.7.0/24',
		gateway: '10.90.7.1',
		bridge: 'c32br7',
		internal: false,
		createdAt: '2024-01-01T00:00:00.000Z',
	};

	test('bridge → portmap → bandwidth → firewall, with the runtime config each declares', () => {
		const list = conflistFor(network, {
			ports: [{hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp'}],
			bandwidthMbps: 8,
			leaseDir: '/run/x/leases',
		});
		assert.deepEqual(
			list.plugins.map((p) => p.type),
			['bridge', 'portmap', 'bandwidth', 'firewall'],
		);
		const [bridge, portmap, bandwidth, firewall] = list.plugins;
		assert.equal(list.name, 'bots');
		assert.equal(bridge?.['bridge'], 'c32br7');
		assert.equal(bridge?.['ipMasq'], true);
		assert.deepEqual((bridge!['ipam'] as {ranges: unknown}).ranges, [[{subnet: '10.90.7.0/24', gateway: '10.90.7.1'}]]);
		assert.equal((bridge!['ipam'] as {dataDir: string}).dataDir, '/run/x/leases');
		assert.deepEqual(portmap?.runtimeConfig, {portMappings: [{hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: ''}]});
		assert.deepEqual(portmap?.capabilities, {portMappings: true});
		const rates = (bandwidth!.runtimeConfig as {bandwidth: Record<string, number>}).bandwidth;
		assert.equal(rates['ingressRate'], 8_000_000, 'bits per second');
		assert.equal(rates['egressRate'], 8_000_000);
		assert.equal(firewall?.['ingressPolicy'], 'same-bridge');
	});

	test('nothing to publish or shape: no portmap, no bandwidth; internal: no NAT, no default route', () => {
		const list = conflistFor({...network, internal: true}, {ports: [], bandwidthMbps: 0, leaseDir: '/l'});
		assert.deepEqual(
			list.plugins.map((p) => p.type),
			['bridge', 'firewall'],
		);
		assert.equal(list.plugins[0]?.['ipMasq'], false);
		assert.deepEqual((list.plugins[0]!['ipam'] as {routes: unknown}).routes, []);
	});

	test("a plugin's input carries the list's name and version and the previous result", () => {
		const list = conflistFor(network, {ports: [], bandwidthMbps: 0, leaseDir: '/l'});
		const prev = {cniVersion: '1.0.0', ips: [{address: '10.90.7.2/24'}]};
		const input = pluginInput(list, list.plugins[1]!, prev);
		assert.deepEqual(input, {type: 'firewall', ingressPolicy: 'same-bridge', cniVersion: '1.0.0', name: 'bots', prevResult: prev});
		assert.equal('prevResult' in pluginInput(list, list.plugins[0]!, undefined), false);
	});

	test("a plugin's error answer becomes one line", () => {
		assert.equal(
			pluginError('{"code": 7, "msg": "failed to allocate", "details": "no IP\\naddresses left"}'),
			'failed to allocate; no IP addresses left',
		);
		assert.equal(pluginError('not json'), null);
	});
});
