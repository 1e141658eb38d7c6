// The network stack on real namespaces and the real CNI plugins: a container's namespace
// joined to a bridge, its published port answering on the host, bandwidth shaped both ways,
// networks isolated from each other, and nothing left once it leaves. Tests talk only to
// loopback and to addresses of the networks they make.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {describe, type TestContext, test} from 'node:test';
import {readBootId} from '../../engine/host-facts.js';
import {freeStaleLeases, joinNetwork, leaveNetwork, netnsFile, readAttachment} from '../../engine/network/attach.js';
import {bridgeOwner} from '../../engine/network/bridges.js';
import {runConflist} from '../../engine/network/cni.js';
import {NetworkStore} from '../../engine/network/store.js';
import {contains, parseCidr, parseIpv4, parseRouteTable} from '../../engine/network/subnets.js';
import type {PortMapping} from '../../engine/network/types.js';
import type {StorageLayout} from '../../engine/paths.js';
import {engineFor, expectCode, makeTempDir} from '../helpers/engine.js';
import {needsNetworkStack, networkTracesOf, nodeInNetns, removeNetworksOf, serverInNetns} from '../helpers/network.js';

const newId = () => randomBytes(32).toString('hex');

function tempLayout(t: TestContext): StorageLayout {
	const dir = makeTempDir('c32-net-');
	const layout = {storageDir: dir, runtimeDir: path.join(dir, 'run')};
	// After hooks run in the order they were added: this one first, so it lets go of what the test left joined.
	t.after(async () => {
		await freeStaleLeases(layout, new Set());
		await removeNetworksOf(layout);
		fs.rmSync(dir, {recursive: true, force: true});
	});
	return layout;
}

/**
 * A route of the host's own that no c32 network made: a port-less bridge with an address,
 * so the test does not depend on which routes the machine happens to have.
 */
function hostOnlyRoute(t: TestContext, address: string): string {
	const device = `c32trt${randomBytes(3).toString('hex')}`;
	execFileSync('ip', ['link', 'add', device, 'type', 'bridge']);
	t.after(() => execFileSync('ip', ['link', 'del', device]));
	execFileSync('ip', ['addr', 'add', address, 'dev', device]);
	execFileSync('ip', ['link', 'set', device, 'up']);
	return device;
}

/** Joins and registers the leave (and a check that nothing is left) for the end of the test. */
async function join(t: TestContext, layout: StorageLayout, network: string, options: {ports?: PortMapping[]; bandwidthMbps?: number} = {}) {
	const containerId = newId();
	const joined = await joinNetwork(layout, {containerId, network, ports: options.ports ?? [], bandwidthMbps: options.bandwidthMbps ?? 0});
	t.after(() => leaveNetwork(layout, containerId));
	const veth = readAttachment(layout, containerId)?.result?.interfaces?.find((i) => i.name.startsWith('veth'))?.name;
	assert.ok(veth, 'the result names the host side of the veth');
	return {...joined, containerId, veth};
}

/** Answers "hello <name>" to every connection on the port. */
const ECHO_SERVER = `
const net = require('node:net');
net.createServer((c) => c.end('hello ' + process.argv[2] + '\\n')).listen(Number(process.argv[1]), () => console.log('listening'));`;

/** What a connection from inside a namespace got: the server's answer, or "unreachable". */
const CLIENT = `
const net = require('node:net');
const c = net.connect({host: process.argv[1], port: Number(process.argv[2]), timeout: 2000});
c.on('data', (d) => process.stdout.write(d));
c.on('end', () => process.exit(0));
c.on('timeout', () => { console.log('unreachable'); process.exit(0); });
c.on('error', (e) => { console.log('unreachable ' + e.code); process.exit(0); });`;

/** 'D': sends argv[2] bytes and ends; 'U': counts what it is sent and answers the count. */
const TRANSFER_SERVER = `
const net = require('node:net');
net.createServer((c) => {
	let mode = null, count = 0;
	c.on('error', () => {});
	c.on('data', (d) => {
		if (mode === null) {
			mode = String.fromCharCode(d[0]);
			d = d.subarray(1);
			if (mode === 'D') {
				const total = Number(process.argv[2]), chunk = Buffer.alloc(65536);
				let sent = 0;
				const pump = () => {
					while (sent < total) {
						const n = Math.min(chunk.length, total - sent);
						sent += n;
						if (!c.write(chunk.subarray(0, n))) return c.once('drain', pump);
					}
					c.end();
				};
				return pump();
			}
		}
		count += d.length;
	});
	c.on('end', () => { if (mode === 'U') c.end(String(count)); });
}).listen(Number(process.argv[1]), () => console.log('listening'));`;

function request(host: string, port: number): Promise<string> {
	return new Promise((resolve, reject) => {
		const socket = net.connect({host, port, timeout: 5000});
		let text = '';
		socket.on('data', (d) => {
			text += d;
		});
		socket.on('end', () => resolve(text));
		socket.on('timeout', () => socket.destroy(new Error(`no answer from ${host}:${port}`)));
		socket.on('error', reject);
	});
}

/** Bytes per second: downloads `bytes` from the server, or uploads them. */
function transfer(host: string, port: number, direction: 'D' | 'U', bytes: number): Promise<number> {
	return new Promise((resolve, reject) => {
		const started = process.hrtime.bigint();
		const socket = net.connect({host, port}, () => {
			socket.write(direction);
			if (direction === 'D') return;
			const chunk = Buffer.alloc(65536);
			let sent = 0;
			const pump = () => {
				while (sent < bytes) {
					const n = Math.min(chunk.length, bytes - sent);
					sent += n;
					if (!socket.write(chunk.subarray(0, n))) return socket.once('drain', pump);
				}
				socket.end();
			};
			pump();
		});
		let received = 0;
		let answer = '';
		socket.on('data', (d: Buffer) => {
			if (direction === 'D') received += d.length;
			else answer += d;
		});
		socket.on('end', () => {
			const seconds = Number(process.hrtime.bigint() - started) / 1e9;
			const moved = direction === 'D' ? received : Number(answer);
			if (moved !== bytes) reject(new Error(`${direction}: ${moved} of ${bytes} bytes arrived`));
			else resolve(bytes / seconds);
		});
		socket.on('error', reject);
	});
}

describe('network stack', {timeout: 300_000}, () => {
	test('a joined namespace has an address on the bridge; its published port answers on 127.0.0.1 and the gateway; leaving leaves nothing', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const joined = await join(t, layout, 'c32', {
			ports: [
				{hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp'},
				{hostIp: '127.0.0.1', hostPort: 0, containerPort: 81, protocol: 'tcp'},
			],
		});
		const network = new NetworkStore(layout).inspect('c32');
		assert.ok(contains(parseCidr(network.subnet), parseIpv4(joined.ip)!), `${joined.ip} lies in ${network.subnet}`);
		assert.equal(joined.gateway, network.gateway);
		assert.equal(joined.netnsPath, netnsFile(layout, joined.containerId));
		const [all, loopbackOnly] = joined.ports;
		assert.ok(all && all.hostPort > 0 && loopbackOnly && loopbackOnly.hostPort > 0, 'free host ports were chosen');
		await serverInNetns(t, joined.netnsPath, ECHO_SERVER, ['80', 'eighty']);
		await serverInNetns(t, joined.netnsPath, ECHO_SERVER, ['81', 'eighty-one']);
		assert.equal(await request('127.0.0.1', all.hostPort), 'hello eighty\n');
		assert.equal(await request(network.gateway, all.hostPort), 'hello eighty\n', 'published on every address of the host');
		assert.equal(await request('127.0.0.1', loopbackOnly.hostPort), 'hello eighty-one\n');
		assert.equal(await request(joined.ip, 80), 'hello eighty\n', 'the container port itself, on its address');
		await assert.rejects(request(network.gateway, loopbackOnly.hostPort), 'published on 127.0.0.1 only');
		assert.notDeepEqual(networkTracesOf(layout, joined.containerId, [joined.veth]), [], 'the traces are seen while it is joined');

		await leaveNetwork(layout, joined.containerId);
		assert.deepEqual(networkTracesOf(layout, joined.containerId, [joined.veth]), []);
		await leaveNetwork(layout, joined.containerId); // idempotent
	});

	// Without published ports: portmap 1.1.1's CHECK also looks for its chain in ip6tables, where an IPv4 container has none.
	test('CHECK passes a sound attachment and finds a broken one, saying so on one line', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const joined = await join(t, layout, 'c32', {bandwidthMbps: 100});
		const attachment = readAttachment(layout, joined.containerId)!;
		const target = {containerId: joined.containerId, netns: joined.netnsPath, ifName: 'eth0'};
		await runConflist('CHECK', attachment.conflist, target, attachment.result!);
		nodeInNetns(joined.netnsPath, `require('node:child_process').execFileSync('ip', ['addr', 'flush', 'dev', 'eth0'])`);
		const error = await expectCode(
			runConflist(
				'CHECK',
				attachment.conflist,
				{containerId: joined.containerId, netns: joined.netnsPath, ifName: 'eth0'},
				attachment.result!,
			),
			'RUNTIME_ERROR',
		);
		assert.match(error.message, /^network c32: the CNI plugin \w+ \(CHECK\) failed: /);
	});

	test('bandwidth is shaped both ways within 20% of the limit', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const mbps = 8;
		const joined = await join(t, layout, 'c32', {bandwidthMbps: mbps});
		const bytes = 2_500_000;
		await serverInNetns(t, joined.netnsPath, TRANSFER_SERVER, ['7000', String(bytes)]);
		const expected = (mbps * 1_000_000) / 8;
		const down = await transfer(joined.ip, 7000, 'D', bytes);
		const up = await transfer(joined.ip, 7000, 'U', bytes);
		t.diagnostic(`limit ${expected} B/s; from the container ${Math.round(down)} B/s, to it ${Math.round(up)} B/s`);
		for (const [what, rate] of [
			['from the container', down],
			['to the container', up],
		] as const) {
			assert.ok(rate > expected * 0.8 && rate < expected * 1.2, `${what}: ${Math.round(rate)} B/s is not within 20% of ${expected} B/s`);
		}
	});

	test('two networks cannot reach each other; one network reaches itself', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const store = new NetworkStore(layout);
		await store.create({name: 'red'});
		await store.create({name: 'blue'});
		const red1 = await join(t, layout, 'red');
		const red2 = await join(t, layout, 'red');
		const blue = await join(t, layout, 'blue');
		await serverInNetns(t, red1.netnsPath, ECHO_SERVER, ['80', 'red1']);
		await serverInNetns(t, blue.netnsPath, ECHO_SERVER, ['80', 'blue']);
		assert.equal(nodeInNetns(red2.netnsPath, CLIENT, [red1.ip, '80']), 'hello red1\n');
		assert.match(nodeInNetns(red2.netnsPath, CLIENT, [blue.ip, '80']), /^unreachable/);
		assert.match(nodeInNetns(blue.netnsPath, CLIENT, [red1.ip, '80']), /^unreachable/);
	});

	test('an internal network has no route out', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		await new NetworkStore(layout).create({name: 'inside', internal: true});
		const joined = await join(t, layout, 'inside');
		const routes = nodeInNetns(joined.netnsPath, `process.stdout.write(require('node:child_process').execFileSync('ip', ['-4', 'route']))`);
		assert.doesNotMatch(routes, /default/);
		assert.match(routes, /dev eth0/);
	});

	test('50 joins on one network in a row, then 50 leaves: distinct addresses, nothing left', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const joined: {containerId: string; ip: string; veth: string}[] = [];
		let started = Date.now();
		for (let i = 0; i < 50; i++) {
			const containerId = newId();
			const result = await joinNetwork(layout, {containerId, network: 'c32', ports: [], bandwidthMbps: 0});
			const veth = readAttachment(layout, containerId)?.result?.interfaces?.find((i) => i.name.startsWith('veth'))?.name ?? '';
			joined.push({containerId, ip: result.ip, veth});
		}
		const joinMs = (Date.now() - started) / 50;
		t.after(async () => {
			for (const j of joined) await leaveNetwork(layout, j.containerId).catch(() => {});
		});
		assert.equal(new Set(joined.map((j) => j.ip)).size, 50);
		started = Date.now();
		for (const j of joined) await leaveNetwork(layout, j.containerId);
		t.diagnostic(`join ${joinMs.toFixed(0)} ms, leave ${((Date.now() - started) / 50).toFixed(0)} ms each`);
		for (const j of joined) assert.deepEqual(networkTracesOf(layout, j.containerId, [j.veth]), []);
	});

	test('a host port in use is refused before anything is set up', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const listener = net.createServer();
		await new Promise<void>((resolve) => listener.listen({port: 0, host: '127.0.0.1'}, resolve));
		t.after(() => listener.close());
		const busy = (listener.address() as net.AddressInfo).port;
		const containerId = newId();
		const refuse = async (ports: PortMapping[], pattern: RegExp) => {
			const error = await expectCode(joinNetwork(layout, {containerId, network: 'c32', ports, bandwidthMbps: 0}), 'INVALID_CONFIG');
			assert.match(error.message, pattern);
			assert.deepEqual(networkTracesOf(layout, containerId), []);
		};
		await refuse([{hostIp: '127.0.0.1', hostPort: busy, containerPort: 80, protocol: 'tcp'}], /in use \(EADDRINUSE\)/);
		await refuse([{hostIp: '', hostPort: busy, containerPort: 80, protocol: 'tcp'}], /in use/);
		await refuse([{hostIp: '10.255.254.253', hostPort: 8080, containerPort: 80, protocol: 'tcp'}], /not an address of this host/);
		const other = await join(t, layout, 'c32', {ports: [{hostIp: '', hostPort: 0, containerPort: 80, protocol: 'tcp'}]});
		const published = other.ports[0]!.hostPort;
		await refuse([{hostIp: '', hostPort: published, containerPort: 80, protocol: 'tcp'}], /already published by another container/);
		await refuse(
			[
				{hostIp: '', hostPort: 18080, containerPort: 80, protocol: 'tcp'},
				{hostIp: '127.0.0.1', hostPort: 18080, containerPort: 81, protocol: 'tcp'},
			],
			/published twice/,
		);
		await expectCode(joinNetwork(layout, {containerId, network: 'nowhere', ports: [], bandwidthMbps: 0}), 'NOT_FOUND');
		await expectCode(joinNetwork(layout, {containerId, network: 'c32', ports: [], bandwidthMbps: -1}), 'INVALID_CONFIG');
		assert.deepEqual(networkTracesOf(layout, containerId), []);
	});

	test('network records: names, subnets that overlap a network or a host route, removal while in use', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const store = new NetworkStore(layout);
		const mine = await store.create({name: 'mine', subnet: '172.31.250.0/24'});
		assert.equal(mine.gateway, '172.31.250.1');
		assert.ok(fs.existsSync(`/sys/class/net/${mine.bridge}`), 'the bridge is made with the network, reserving its subnet');
		assert.equal(bridgeOwner(mine.bridge), layout.storageDir);
		await expectCode(store.create({name: 'mine'}), 'NAME_IN_USE');
		await expectCode(store.create({name: 'bad name'}), 'INVALID_CONFIG');
		await expectCode(store.create({name: 'host'}), 'INVALID_CONFIG');
		await expectCode(store.create({name: 'x', subnet: '172.31.250.0/23'}), 'INVALID_CONFIG');
		const hostRoute = hostOnlyRoute(t, '198.18.77.1/24');
		assert.match(
			(await expectCode(store.create({name: 'y', subnet: '198.18.77.0/25'}), 'INVALID_CONFIG')).message,
			/overlaps the host's route/,
		);
		assert.ok(parseRouteTable(fs.readFileSync('/proc/net/route', 'utf8')).some((r) => r.device === hostRoute));
		await expectCode(store.remove('mine', ['bot-1']), 'BAD_STATE');
		await expectCode(store.remove('nothing', []), 'NOT_FOUND');
		await store.remove('mine', []);
		assert.ok(!fs.existsSync(`/sys/class/net/${mine.bridge}`), 'the bridge goes with the network');
		assert.equal(store.find('mine'), null);
	});

	test("two storage roots never share a subnet; a deleted root's bridge is reclaimed", async (t) => {
		if (!needsNetworkStack(t)) return;
		const first = tempLayout(t);
		const second = tempLayout(t);
		const a = await new NetworkStore(first).ensureDefault();
		const b = await new NetworkStore(second).ensureDefault();
		assert.notEqual(a.subnet, b.subnet);
		assert.notEqual(a.bridge, b.bridge);
		fs.rmSync(first.storageDir, {recursive: true, force: true});
		await new NetworkStore(second).create({name: 'later'});
		assert.notEqual(bridgeOwner(a.bridge), first.storageDir, "the gone root's bridge was removed");
	});

	test('the engine: create, list (the default first), inspect, remove', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine} = engineFor(t);
		const layout = {storageDir: engine.layout.storageDir, runtimeDir: engine.layout.runtimeDir};
		t.after(() => removeNetworksOf(layout));
		const made = await engine.createNetwork('bots', {internal: true});
		assert.equal(made.internal, true);
		assert.deepEqual(made.containers, []);
		assert.deepEqual(
			(await engine.listNetworks()).map((n) => n.name),
			['c32', 'bots'],
		);
		assert.equal((await engine.inspectNetwork('bots')).subnet, made.subnet);
		await expectCode(engine.createNetwork('more', {subnet: made.subnet}), 'INVALID_CONFIG');
		await expectCode(engine.createNetwork('more', {subnet: '10.90.1.0/33'}), 'INVALID_CONFIG');
		await expectCode(engine.inspectNetwork('gone'), 'NOT_FOUND');
		await engine.removeNetwork('bots');
		await expectCode(engine.removeNetwork('bots'), 'NOT_FOUND');
		assert.deepEqual(
			(await engine.listNetworks()).map((n) => n.name),
			['c32'],
		);
	});

	test('stale attachments are freed: a dead container, and everything after a reboot', async (t) => {
		if (!needsNetworkStack(t)) return;
		const layout = tempLayout(t);
		const live = await join(t, layout, 'c32');
		const dead = await join(t, layout, 'c32');
		await freeStaleLeases(layout, new Set([live.containerId]));
		assert.deepEqual(networkTracesOf(layout, dead.containerId, [dead.veth]), [], 'the dead one is let go');
		assert.notDeepEqual(networkTracesOf(layout, live.containerId, [live.veth]), [], 'the live one is kept');
		await leaveNetwork(layout, live.containerId);

		// As a reboot leaves the runtime directory (when it is not a tmpfs): files of namespaces, results and leases that no longer exist.
		const id = newId();
		const cni = path.join(layout.runtimeDir, 'cni');
		fs.writeFileSync(path.join(cni, 'leases', 'c32', '10.90.0.77'), `${id}\r\neth0`);
		fs.writeFileSync(path.join(cni, 'results', `${id}.json`), '{}');
		fs.writeFileSync(path.join(layout.runtimeDir, 'netns', id.slice(0, 16)), '');
		fs.writeFileSync(path.join(cni, 'boot-id'), 'an-earlier-boot\n');
		await freeStaleLeases(layout, new Set([id]));
		assert.deepEqual(networkTracesOf(layout, id), []);
		assert.equal(fs.readFileSync(path.join(cni, 'boot-id'), 'utf8').trim(), readBootId());
	});
});
