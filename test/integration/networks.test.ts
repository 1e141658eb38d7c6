// Containers on c32 networks, with real runc + conmon and the CNI plugins: published ports
// reached from the host's 127.0.0.1, names on a user network, isolation between networks and
// from the host's loopback, the bandwidth limit both ways, 50 containers at once, and nothing
// left once they are removed. Every address used is loopback or one of a network c32 made.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';
import {describe, type TestContext, test} from 'node:test';
import type {ContainerEngine, ContainerInfo} from '../../engine/index.js';
import {NetworkStore} from '../../engine/network/store.js';
import {containerPaths} from '../../engine/paths.js';
import {
	engineFor,
	expectCode,
	IN_CI,
	needsRuntime,
	readLogs,
	runToExit,
	shell,
	type TempEngine,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

/** Fails in CI, skips elsewhere, when the CNI plugins or the tools the checks use are missing. */
function needsNetworks(t: TestContext): boolean {
	if (!needsRuntime(t)) return false;
	const missing = [
		'/usr/lib/cni/bridge',
		'/usr/lib/cni/portmap',
		'/usr/lib/cni/bandwidth',
		'/usr/lib/cni/firewall',
		'/usr/lib/cni/host-local',
	]
		.filter((plugin) => !fs.existsSync(plugin))
		.concat(
			['iptables-save', 'nft', 'ip'].filter((tool) => !['/usr/sbin', '/sbin', '/usr/bin'].some((d) => fs.existsSync(`${d}/${tool}`))),
		);
	if (missing.length === 0) return true;
	const problem = `missing ${missing.join(', ')} (apt-get install -y containernetworking-plugins iptables nftables iproute2)`;
	if (IN_CI) assert.fail(`this test needs real networks and CI must provide them: ${problem}`);
	t.skip(problem);
	return false;
}

/** A temporary engine whose networks (and their bridges) are removed after the test. */
function networkEngine(t: TestContext): TempEngine {
	const te = engineFor(t);
	// Registered after engineFor's dispose, so it runs after it (after-hooks run in the order registered): containers go first.
	// The dispose removes the networks too; this sweeps what a test left when its storage root stayed.
	t.after(async () => {
		const store = new NetworkStore(te.engine.layout);
		for (const network of store.list()) await store.remove(network.name, []).catch(() => {});
	});
	return te;
}

/** busybox httpd serving `body` on the container's port 80 (the host's /bin/busybox is in a standard root). */
function httpServer(body: string, extra: Parameters<typeof shell>[1] = {}) {
	return shell(`mkdir -p /tmp/www && printf '%s' '${body}' > /tmp/www/index.html && exec busybox httpd -f -p 80 -h /tmp/www`, extra);
}

function httpGet(host: string, port: number, timeoutMs = 2000): Promise<string> {
	return new Promise((resolve, reject) => {
		const request = http.get({host, port, path: '/', timeout: timeoutMs}, (response) => {
			let text = '';
			response.setEncoding('utf8');
			response.on('data', (chunk) => (text += chunk));
			response.on('end', () => resolve(text));
			response.on('error', reject);
		});
		request.on('timeout', () => request.destroy(new Error('timed out')));
		request.on('error', reject);
	});
}

async function startDetached(engine: ContainerEngine, config: Parameters<ContainerEngine['createContainer']>[0]): Promise<ContainerInfo> {
	const created = await engine.createContainer(config);
	await engine.startContainer(created.id);
	return engine.inspectContainer(created.id);
}

/** A server on the host bound to `host`, answering `body`; closed after the test. */
async function hostServer(t: TestContext, host: string, body: string): Promise<number> {
	const server = http.createServer((_, response) => response.end(body));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({host, port: 0}, resolve);
	});
	t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
	return (server.address() as AddressInfo).port;
}

/**
 * busybox wget from inside a container: prints "got=<body>" or "failed". Bounded by
 * coreutils' timeout (busybox's own -T crashes the Debian build); `tries` for a server just started.
 */
const fetchScript = (url: string, tries = 1) =>
	`i=0; while [ $i -lt ${tries} ]; do i=$((i+1)); out=$(timeout 3 busybox wget -q -O - ${url} 2>/dev/null) && break; out=; sleep 0.3; done; ` +
	'if [ -n "$out" ]; then echo "got=$out"; else echo failed; fi';

describe('published ports', () => {
	test('a port published on 127.0.0.1 and one on every address both answer from the host 127.0.0.1', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const info = await startDetached(engine, httpServer('hello from the container', {ports: ['127.0.0.1::80', '80']}));
		assert.equal(info.config.network, 'c32');
		assert.ok(info.network?.ip && /^10\.90\.\d+\.\d+$/.test(info.network.ip), `an address on the c32 network: ${info.network?.ip}`);
		const [local, all] = info.network!.ports;
		assert.ok(local && all && local.hostPort > 0 && all.hostPort > 0 && local.hostPort !== all.hostPort, JSON.stringify(info.network));
		assert.equal(local.hostIp, '127.0.0.1');
		for (const port of [local.hostPort, all.hostPort]) {
			const body = await waitFor(() => httpGet('127.0.0.1', port).catch(() => ''), 10_000, `the published port ${port}`, 100);
			assert.equal(body, 'hello from the container');
		}
		await engine.stopContainer(info.id, {timeout: 1});
		const stopped = await engine.inspectContainer(info.id);
		assert.equal(stopped.network?.ip, null, 'no address once stopped');
		await assert.rejects(httpGet('127.0.0.1', local.hostPort, 1000), 'the port is closed once stopped');
	});

	test('a host port in use is refused before the container starts, and nothing is left', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const port = await hostServer(t, '127.0.0.1', 'host');
		const error = await expectCode(engine.createContainer(httpServer('x', {ports: [`127.0.0.1:${port}:80`]})), 'INVALID_CONFIG');
		assert.match(error.message, new RegExp(`${port}.*in use`));
		assert.deepEqual(await engine.listContainers(), []);
		// Free at create, taken before the start: the start is refused, and no namespace or attachment remains.
		const later = await freePort();
		const created = await engine.createContainer(httpServer('x', {ports: [`127.0.0.1:${later}:80`]}));
		await hostServerOn(t, '127.0.0.1', later);
		await expectCode(engine.startContainer(created.id), 'INVALID_CONFIG');
		assert.equal((await engine.getContainer(created.id)).state, 'failed');
		assert.deepEqual(networkTraces(engine, created.id), []);
	});
});

describe('user networks', () => {
	test('containers on one network reach each other by name and alias; another network cannot reach them', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const front = await engine.createNetwork('front');
		const back = await engine.createNetwork('back');
		assert.notEqual(front.subnet, back.subnet);
		const server = await startDetached(engine, httpServer('from the server', {name: 'srv', network: 'front', networkAliases: ['db']}));
		const ip = server.network!.ip!;
		assert.ok(ip.startsWith(front.subnet.split('.').slice(0, 3).join('.')), `${ip} in ${front.subnet}`);
		const probe = [
			'getent hosts srv | sed "s/^/srv=/"',
			'getent hosts db | sed "s/^/db=/"',
			`(${fetchScript('http://srv/', 20)}) | sed "s/^/name:/"`,
			`(${fetchScript('http://db/', 5)}) | sed "s/^/alias:/"`,
		].join('; ');
		const client = await runToExit(engine, shell(probe, {name: 'client', network: 'front'}));
		assert.equal(client.exitCode, 0, client.stderr);
		assert.match(client.stdout, new RegExp(`^srv=${ip.replaceAll('.', '\\.')}\\s+srv`, 'm'));
		assert.match(client.stdout, new RegExp(`^db=${ip.replaceAll('.', '\\.')}\\s`, 'm'));
		assert.match(client.stdout, /^name:got=from the server$/m);
		assert.match(client.stdout, /^alias:got=from the server$/m);
		// The server's own hosts file (bind-mounted, rewritten in place) listed the client while it ran: it is gone again now.
		const hosts = fs.readFileSync(path.join(engine.layout.storageDir, 'containers', server.id, 'etc', 'hosts'), 'utf8');
		assert.match(hosts, new RegExp(`^${ip.replaceAll('.', '\\.')}\\tsrv`, 'm'));
		assert.doesNotMatch(hosts, /client/);

		const other = await runToExit(engine, shell(`getent hosts srv || echo unknown; ${fetchScript(`http://${ip}/`, 2)}`, {network: 'back'}));
		assert.match(other.stdout, /^unknown$/m, 'no name of another network');
		assert.match(other.stdout, /^failed$/m, `no route into another network: ${other.stdout}`);
		assert.doesNotMatch(other.stdout, /got=/);
	});

	test('on the default network a container knows its own name only: its neighbours there are not listed (reachable by address)', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const server = await startDetached(engine, httpServer('from a neighbour', {name: 'neighbour'}));
		const ip = server.network!.ip!;
		const probe = [
			'getent hosts neighbour || echo unknown',
			'echo "own=$(getent hosts "$(hostname)" | cut -f1 -d" ")"',
			fetchScript(`http://${ip}/`, 20),
		].join('; ');
		const client = await runToExit(engine, shell(probe, {name: 'stranger'}));
		assert.equal(client.exitCode, 0, client.stderr);
		assert.match(client.stdout, /^unknown$/m, `the neighbour's name resolved: ${client.stdout}`);
		assert.match(client.stdout, /^own=10\.90\.\d+\.\d+$/m, 'its own hostname resolves to its address on c32');
		assert.match(client.stdout, /^got=from a neighbour$/m, 'the default network is still one network');
		const hosts = fs.readFileSync(path.join(engine.layout.storageDir, 'containers', server.id, 'etc', 'hosts'), 'utf8');
		assert.doesNotMatch(hosts, /stranger/, "the stranger never reached the neighbour's hosts file");
	});

	test('a server on the host 127.0.0.1 is out of reach of a standard container; one on the gateway address is not', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const network = await engine.inspectNetwork('c32');
		const loopbackPort = await hostServer(t, '127.0.0.1', 'host loopback');
		const gatewayPort = await hostServer(t, network.gateway, 'host gateway');
		const run = await runToExit(
			engine,
			shell(
				`${fetchScript(`http://127.0.0.1:${loopbackPort}/`)} | sed s/^/loopback:/; ${fetchScript(`http://${network.gateway}:${gatewayPort}/`)} | sed s/^/gateway:/`,
			),
		);
		assert.match(run.stdout, /^loopback:failed$/m, run.stdout);
		assert.match(run.stdout, /^gateway:got=host gateway$/m, run.stdout);
		// --network host is today's behaviour: the host's loopback is the container's.
		const onHost = await runToExit(engine, shell(fetchScript(`http://127.0.0.1:${loopbackPort}/`), {network: 'host'}));
		assert.match(onHost.stdout, /^got=host loopback$/m);
	});
});

describe('strict on a network', () => {
	test('strict joins a named network (user namespace and all) and gets an address; /sys stays read-only', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const script =
			'ip -4 -o addr show eth0 | awk \'{print "addr=" $4}\'; touch /sys/x 2>/dev/null && echo sys=writable || echo sys=readonly';
		const run = await runToExit(engine, shell(script, {isolationLevel: 'strict', network: 'c32'}));
		assert.equal(run.exitCode, 0, run.stderr);
		const [address, prefix] = (await engine.inspectNetwork('c32')).subnet.split('/') as [string, string];
		const first = address.split('.').slice(0, 2).join('\\.');
		assert.match(run.stdout, new RegExp(`^addr=${first}\\.\\d+\\.\\d+/${prefix}$`, 'm'));
		assert.match(run.stdout, /^sys=readonly$/m);
	});
});

describe('bandwidth', () => {
	test('networkBandwidthLimitMbps 8 is 1 MB/s both ways, within 20%', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const network = await engine.inspectNetwork('c32');
		const bytes = 3 * 1024 * 1024;
		const payload = Buffer.alloc(bytes, 'x');
		const server = http.createServer((_, response) => response.end(payload));
		await new Promise<void>((resolve) => server.listen({host: network.gateway, port: 0}, resolve));
		t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
		const port = (server.address() as AddressInfo).port;
		const script = [
			`dd if=/dev/zero of=/tmp/www/blob bs=1024 count=${bytes / 1024} 2>/dev/null`,
			// Into the container, timed by the receiver: a download from the host.
			'start=$(date +%s%N)',
			`busybox wget -q -O /dev/null http://${network.gateway}:${port}/`,
			'echo "in_ns=$(( $(date +%s%N) - start ))"',
			'exec busybox httpd -f -p 80 -h /tmp/www',
		].join('; ');
		const info = await startDetached(engine, shell(`mkdir -p /tmp/www; ${script}`, {resourceLimits: {networkBandwidthLimitMbps: 8}}));
		const inbound = await waitFor(
			async () => /in_ns=(\d+)/.exec((await readLogs(engine, info.id)).stdout)?.[1],
			30_000,
			'the download into the container',
			200,
		);
		// Out of the container, timed by the receiver (this process).
		const started = process.hrtime.bigint();
		const received = await withTimeout(download(info.network!.ip!, 80, '/blob'), 30_000, 'the download out of the container');
		const outSeconds = Number(process.hrtime.bigint() - started) / 1e9;
		assert.equal(received, bytes);
		const rate = (seconds: number) => bytes / seconds / 1e6;
		const inRate = rate(Number(inbound) / 1e9);
		const outRate = rate(outSeconds);
		t.diagnostic(`into the container ${inRate.toFixed(3)} MB/s, out of it ${outRate.toFixed(3)} MB/s (limit 1 MB/s)`);
		for (const [what, value] of [
			['into', inRate],
			['out of', outRate],
		] as const) {
			assert.ok(value > 0.8 && value < 1.2, `${what} the container: ${value.toFixed(3)} MB/s, not within 20% of 1 MB/s`);
		}
	});
});

describe('scale and leftovers', () => {
	test('50 containers on one network at once, each with its own address; after rm nothing names them', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const network = await engine.createNetwork('many');
		const ids: string[] = [];
		for (let i = 0; i < 50; i++) {
			const created = await engine.createContainer(shell('exec sleep 120', {name: `many-${i}`, network: 'many', stopTimeout: 1}));
			ids.push(created.id);
			await engine.startContainer(created.id);
		}
		const infos = await Promise.all(ids.map((id) => engine.inspectContainer(id)));
		assert.ok(
			infos.every((info) => info.state === 'running'),
			'all running',
		);
		const ips = infos.map((info) => info.network?.ip);
		assert.equal(new Set(ips).size, 50, `50 distinct addresses: ${ips.join(' ')}`);
		const prefix = network.subnet.split('.').slice(0, 3).join('.');
		assert.ok(
			ips.every((ip) => ip?.startsWith(`${prefix}.`)),
			`all in ${network.subnet}`,
		);
		const veths = fs.readdirSync(`/sys/class/net/${network.bridge}/brif`);
		assert.equal(veths.length, 50, 'one veth per container on the bridge');
		const roster = fs.readFileSync(path.join(engine.layout.storageDir, 'containers', ids[0]!, 'etc', 'hosts'), 'utf8');
		assert.equal(roster.split('\n').filter((line) => line.startsWith(`${prefix}.`)).length, 50, 'every one in the hosts file');

		for (const id of ids) await engine.removeContainer(id, {force: true});
		assert.deepEqual(fs.readdirSync(`/sys/class/net/${network.bridge}/brif`), [], 'no veth left on the bridge');
		// By name, not by count: other containers on the host come and go meanwhile.
		assert.deepEqual(
			veths.filter((veth) => fs.existsSync(`/sys/class/net/${veth}`)),
			[],
			'no veth of theirs left on the host',
		);
		for (const id of ids) assert.deepEqual(networkTraces(engine, id), [], id);
		await engine.removeNetwork('many');
	});

	test('a container that vanished without a teardown has its lease, netns, rules and mounted root freed by the next listing', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		const info = await startDetached(engine, shell('exec sleep 120', {name: 'vanishing', ports: ['127.0.0.1::80']}));
		assert.notDeepEqual(networkTraces(engine, info.id), [], 'joined');
		// As a c32 that crashed while removing it would leave it: the record gone, the container killed, no teardown.
		fs.rmSync(path.join(engine.layout.storageDir, 'containers', info.id), {recursive: true, force: true});
		process.kill(info.pid!, 'SIGKILL');
		try {
			await waitFor(() => !fs.existsSync(`/proc/${info.pid}`), 10_000, 'the container to end');
			assert.notDeepEqual(networkTraces(engine, info.id), [], 'left behind');
			const {mountDir} = containerPaths(engine.layout, info.id);
			assert.ok(fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(mountDir), 'its root left mounted');
			await engine.listContainers();
			assert.deepEqual(networkTraces(engine, info.id), [], 'freed by the listing');
			assert.ok(!fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(mountDir), 'its root unmounted by the listing');
			assert.ok(!fs.existsSync(mountDir), 'its mount directory removed by the listing');
		} finally {
			// Here, not in an after-hook: those run in the order registered, after the storage root is gone
			// (runc would make its root directory there again).
			try {
				execFileSync('runc', ['--root', path.join(engine.layout.runtimeDir, 'runtime'), 'delete', '--force', info.id], {stdio: 'ignore'});
			} catch {
				// runc had nothing left of it
			}
		}
	});
});

describe('bad input', () => {
	test('unknown network, port out of range, negative bandwidth: refused at create, nothing made', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		await expectCode(engine.createContainer(shell('true', {network: 'nosuch'})), 'NOT_FOUND');
		await expectCode(engine.createContainer(shell('true', {ports: ['70000:80']})), 'INVALID_CONFIG');
		await expectCode(engine.createContainer(shell('true', {ports: ['8080:0']})), 'INVALID_CONFIG');
		await expectCode(engine.createContainer(shell('true', {resourceLimits: {networkBandwidthLimitMbps: -5}})), 'INVALID_CONFIG');
		await expectCode(engine.createContainer(shell('true', {network: 'host', ports: ['8080:80']})), 'INVALID_CONFIG');
		await expectCode(engine.connectNetwork('nobody', 'c32'), 'NOT_FOUND');
		assert.deepEqual(await engine.listContainers(), []);
		assert.deepEqual(list(path.join(engine.layout.storageDir, 'containers')), []);
	});

	test('connect and disconnect apply at the next start', async (t) => {
		if (!needsNetworks(t)) return;
		const {engine} = networkEngine(t);
		await engine.createNetwork('side');
		const created = await engine.createContainer(
			shell('cat /sys/class/net/eth0/address 2>/dev/null && echo has-eth0 || echo loopback-only', {network: 'none'}),
		);
		await expectCode(engine.connectNetwork(created.id, 'nosuch'), 'NOT_FOUND');
		await engine.connectNetwork(created.id, 'side', {aliases: ['sidekick']});
		assert.equal((await engine.inspectContainer(created.id)).config.network, 'side');
		assert.deepEqual((await engine.inspectNetwork('side')).containers, [created.name]);
		await engine.startContainer(created.id);
		await engine.waitContainer(created.id);
		assert.match((await readLogs(engine, created.id)).stdout, /has-eth0/);
		await expectCode(engine.disconnectNetwork(created.id, 'c32'), 'INVALID_CONFIG');
		await engine.disconnectNetwork(created.id, 'side');
		assert.equal((await engine.inspectContainer(created.id)).config.network, 'none');
		await engine.removeNetwork('side');
	});
});

/** Streams a download and counts its bytes. */
function download(host: string, port: number, urlPath: string): Promise<number> {
	return new Promise((resolve, reject) => {
		http
			.get({host, port, path: urlPath}, (response) => {
				let count = 0;
				response.on('data', (chunk: Buffer) => (count += chunk.length));
				response.on('end', () => resolve(count));
				response.on('error', reject);
			})
			.on('error', reject);
	});
}

async function freePort(): Promise<number> {
	const server = http.createServer();
	await new Promise<void>((resolve) => server.listen({host: '127.0.0.1', port: 0}, resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

async function hostServerOn(t: TestContext, host: string, port: number): Promise<void> {
	const server = http.createServer((_, response) => response.end('taken'));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen({host, port}, resolve);
	});
	t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
}

/** What of a container's network is on the host: rules naming it, its leases, netns, attachment and roster entries. */
function networkTraces(engine: ContainerEngine, id: string): string[] {
	const traces: string[] = [];
	const {runtimeDir} = engine.layout;
	const run = (file: string, args: string[]) => execFileSync(file, args, {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']});
	for (const line of run('iptables-save', []).split('\n')) if (line.includes(id)) traces.push(`iptables: ${line}`);
	for (const line of run('nft', ['list', 'ruleset']).split('\n')) if (line.includes(id)) traces.push(`nft: ${line}`);
	const leases = path.join(runtimeDir, 'cni', 'leases');
	for (const network of list(leases)) {
		for (const lease of list(path.join(leases, network))) {
			if (fs.readFileSync(path.join(leases, network, lease), 'utf8').includes(id)) traces.push(`lease ${network}/${lease}`);
		}
	}
	const netns = path.join(runtimeDir, 'netns', id.slice(0, 16));
	if (fs.existsSync(netns)) traces.push(`netns ${netns}`);
	if (fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(netns)) traces.push(`mount ${netns}`);
	// <id>.json, and <id>.<interface>.json for each further network.
	for (const file of list(path.join(runtimeDir, 'cni', 'results'))) if (file.startsWith(id)) traces.push(`attachment ${file}`);
	for (const roster of list(path.join(runtimeDir, 'cni', 'names'))) {
		if (fs.readFileSync(path.join(runtimeDir, 'cni', 'names', roster), 'utf8').includes(id)) traces.push(`roster ${roster}`);
	}
	return traces;
}

function list(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}
