// A container on several c32 networks, with real runc + conmon and the CNI plugins: connecting
// a running container adds an interface in its namespace at once (peers there resolve it, it
// resolves them, its first network stays), disconnecting takes that one network away at once
// and leaves no trace of it, a restart joins every configured network again, rm leaves
// nothing, a rename reaches the peers' hosts files at once, and what is refused. Every address
// used is one of a network c32 made.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, type TestContext, test} from 'node:test';
import type {ContainerEngine, ContainerInfo} from '../../engine/index.js';
import {readAttachment} from '../../engine/network/attach.js';
import {engineFor, expectCode, shell, type TempEngine, waitFor, withTimeout} from '../helpers/engine.js';
import {needsNetworkStack, networkTracesOf} from '../helpers/network.js';

/** busybox httpd serving `body` on port 80 (the host's /bin/busybox is in a standard root). */
function httpServer(body: string, extra: Parameters<typeof shell>[1] = {}) {
	return shell(`mkdir -p /tmp/www && printf '%s' '${body}' > /tmp/www/index.html && exec busybox httpd -f -p 80 -h /tmp/www`, extra);
}

/** Prints "got=<body>" or "failed"; each try bounded by coreutils' timeout. */
const fetchScript = (url: string, tries = 1) =>
	`i=0; while [ $i -lt ${tries} ]; do i=$((i+1)); out=$(timeout 3 busybox wget -q -O - ${url} 2>/dev/null) && break; out=; sleep 0.3; done; ` +
	'if [ -n "$out" ]; then echo "got=$out"; else echo failed; fi';

async function started(engine: ContainerEngine, config: Parameters<ContainerEngine['createContainer']>[0]): Promise<ContainerInfo> {
	const created = await engine.createContainer(config);
	await engine.startContainer(created.id);
	return engine.inspectContainer(created.id);
}

/** `sh -c script` in the running container; its stdout. */
async function inside(engine: ContainerEngine, ref: string, script: string): Promise<string> {
	const stdout = new PassThrough();
	let out = '';
	stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
	const code = await withTimeout(engine.execInContainer(ref, {command: ['sh', '-c', script], stdio: {stdout}}), 60_000, `exec ${script}`);
	assert.equal(code, 0, `exec of ${script} exited ${code}: ${out}`);
	return out;
}

const interfaces = async (engine: ContainerEngine, ref: string) =>
	(await inside(engine, ref, 'ls /sys/class/net')).split(/\s+/).filter(Boolean).sort();
const resolves = (engine: ContainerEngine, ref: string, name: string) =>
	inside(engine, ref, `getent hosts ${name} | awk '{print $1}' || true`).then((out) => out.trim());

/** Two user networks, a server on each (alpha on left; beta, alias bee, on right), and a client on left. */
async function twoNetworks(t: TestContext): Promise<TempEngine & {alpha: ContainerInfo; beta: ContainerInfo; client: ContainerInfo}> {
	const te = engineFor(t); // its dispose removes the networks (and bridges) after the containers
	await te.engine.createNetwork('left');
	await te.engine.createNetwork('right');
	const alpha = await started(te.engine, httpServer('from alpha', {name: 'alpha', network: 'left'}));
	const beta = await started(te.engine, httpServer('from beta', {name: 'beta', network: 'right', networkAliases: ['bee']}));
	const client = await started(te.engine, {name: 'client', entrypoint: 'sleep', args: ['3600'], network: 'left'});
	return {...te, alpha, beta, client};
}

describe('connect and disconnect a running container', () => {
	test('connect adds eth1 at once: it reaches the new network by name and its first one still; disconnect takes only that away', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine, alpha, beta, client} = await twoNetworks(t);
		const right = await engine.inspectNetwork('right');
		await engine.connectNetwork('client', 'right', {aliases: ['cli']});

		const info = await engine.inspectContainer('client');
		assert.equal(info.state, 'running');
		assert.deepEqual(
			info.networks.map((n) => n.name),
			['left', 'right'],
		);
		const rightIp = info.networks[1]!.ip!;
		assert.ok(rightIp.startsWith(right.subnet.split('.').slice(0, 3).join('.')), `${rightIp} in ${right.subnet}`);
		assert.deepEqual(info.config.additionalNetworks, [{name: 'right', aliases: ['cli']}]);
		assert.deepEqual(await interfaces(engine, 'client'), ['eth0', 'eth1', 'lo']);
		assert.equal(await resolves(engine, 'client', 'beta'), beta.network!.ip);
		assert.equal(await resolves(engine, 'client', 'bee'), beta.network!.ip);
		assert.match(await inside(engine, 'client', fetchScript('http://beta/', 10)), /^got=from beta$/m);
		assert.match(await inside(engine, 'client', fetchScript('http://alpha/', 10)), /^got=from alpha$/m, 'its first network still');
		// The peers on the new network resolve it at once, by name and by its alias there; those of its first network do not learn that alias.
		assert.equal(await resolves(engine, 'beta', 'client'), rightIp);
		assert.equal(await resolves(engine, 'beta', 'cli'), rightIp);
		assert.equal(await resolves(engine, 'alpha', 'client'), client.network!.ip);
		assert.equal(await resolves(engine, 'alpha', 'cli'), '');
		assert.equal(await resolves(engine, 'alpha', 'beta'), '', 'left does not learn of right');
		const veth = readAttachment(engine.layout, client.id, 'eth1')?.result?.interfaces?.find((i) => i.name.startsWith('veth'))?.name;
		assert.ok(veth && fs.existsSync(`/sys/class/net/${veth}`), `the host side of eth1: ${veth}`);
		const rulesOf = (network: string) =>
			execFileSync('iptables-save', {encoding: 'utf8'})
				.split('\n')
				.filter((line) => line.includes(client.id) && line.includes(`name: \\"${network}\\"`));
		assert.notDeepEqual(rulesOf('right'), [], 'right has rules naming it while it is connected');

		await engine.disconnectNetwork('client', 'right');
		const after = await engine.inspectContainer('client');
		assert.equal(after.state, 'running', 'it runs on');
		assert.deepEqual(
			after.networks.map((n) => [n.name, n.ip]),
			[['left', client.network!.ip]],
		);
		assert.deepEqual(await interfaces(engine, 'client'), ['eth0', 'lo']);
		assert.match(await inside(engine, 'client', fetchScript(`http://${beta.network!.ip}/`)), /^failed$/m, 'beta is out of reach');
		assert.equal(await resolves(engine, 'client', 'beta'), '');
		assert.equal(await resolves(engine, 'beta', 'client'), '', 'beta forgot it');
		assert.match(await inside(engine, 'client', fetchScript('http://alpha/', 10)), /^got=from alpha$/m);
		assert.equal(fs.existsSync(`/sys/class/net/${veth}`), false, 'its veth is gone');
		const results = fs.readdirSync(path.join(engine.layout.runtimeDir, 'cni', 'results'));
		assert.deepEqual(
			results.filter((f) => f.startsWith(client.id)),
			[`${client.id}.json`],
		);
		const rightLeases = path.join(engine.layout.runtimeDir, 'cni', 'leases', 'right');
		const held = fs.readdirSync(rightLeases).filter((lease) => fs.readFileSync(path.join(rightLeases, lease), 'utf8').includes(client.id));
		assert.deepEqual(held, [], 'no lease on right');
		const roster = fs.readFileSync(path.join(engine.layout.runtimeDir, 'cni', 'names', 'right.json'), 'utf8');
		assert.doesNotMatch(roster, new RegExp(client.id));
		// The plugins comment their rules with the network's name and the container's id: none for right, left's stay.
		assert.deepEqual(rulesOf('right'), []);
		assert.notDeepEqual(rulesOf('left'), [], "left's rules stay");
		void alpha;
	});

	test('leaving the first network moves the next one up; off every network it keeps loopback, and can be connected again', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine, alpha, beta, client} = await twoNetworks(t);
		await engine.connectNetwork('client', 'right');
		await engine.disconnectNetwork('client', 'left');
		let info = await engine.inspectContainer('client');
		assert.equal(info.config.network, 'right');
		assert.deepEqual(info.config.additionalNetworks, []);
		assert.deepEqual(
			info.networks.map((n) => n.name),
			['right'],
		);
		assert.ok(info.network?.ip, 'its address on right shows');
		assert.deepEqual(await interfaces(engine, 'client'), ['eth1', 'lo']);
		assert.match(await inside(engine, 'client', fetchScript('http://beta/', 10)), /^got=from beta$/m);
		assert.match(await inside(engine, 'client', fetchScript(`http://${alpha.network!.ip}/`)), /^failed$/m);

		await engine.disconnectNetwork('client', 'right');
		info = await engine.inspectContainer('client');
		assert.equal(info.state, 'running');
		assert.equal(info.config.network, 'none');
		assert.deepEqual(info.networks, []);
		assert.deepEqual(await interfaces(engine, 'client'), ['lo']);
		assert.equal(await resolves(engine, 'beta', 'client'), '');
		assert.match(await inside(engine, 'client', 'cat /etc/hosts'), /^127\.0\.1\.1\tclient$/m, 'its own name stays');

		await engine.connectNetwork('client', 'left');
		info = await engine.inspectContainer('client');
		assert.equal(info.config.network, 'left');
		assert.deepEqual(await interfaces(engine, 'client'), ['eth0', 'lo']);
		assert.match(await inside(engine, 'client', fetchScript('http://alpha/', 10)), /^got=from alpha$/m);
		assert.equal(await resolves(engine, 'alpha', 'client'), info.network!.ip);
		void beta;
		await engine.removeContainer('client', {force: true});
		assert.deepEqual(networkTracesOf(engine.layout, client.id), [], 'rm leaves nothing');
	});

	test('a restart joins every configured network again; rm leaves nothing of any', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine, beta, client} = await twoNetworks(t);
		await engine.connectNetwork('client', 'right');
		const veth = (ifName: string) =>
			readAttachment(engine.layout, client.id, ifName)?.result?.interfaces?.find((i) => i.name.startsWith('veth'))?.name ?? '';
		await engine.stopContainer('client', {timeout: 1});
		const stopped = await engine.inspectContainer('client');
		assert.deepEqual(
			stopped.networks.map((n) => [n.name, n.ip]),
			[
				['left', null],
				['right', null],
			],
		);
		assert.deepEqual(networkTracesOf(engine.layout, client.id), [], 'stop tears every network down');

		await engine.startContainer('client');
		const info = await engine.inspectContainer('client');
		assert.ok(
			info.networks.every((n) => n.ip),
			JSON.stringify(info.networks),
		);
		assert.deepEqual(await interfaces(engine, 'client'), ['eth0', 'eth1', 'lo']);
		assert.match(await inside(engine, 'client', fetchScript('http://beta/', 10)), /^got=from beta$/m);
		assert.match(await inside(engine, 'client', fetchScript('http://alpha/', 10)), /^got=from alpha$/m);
		assert.equal(await resolves(engine, 'beta', 'client'), info.networks[1]!.ip);
		const veths = [veth('eth0'), veth('eth1')];
		assert.ok(veths.every(Boolean), JSON.stringify(veths));

		await engine.removeContainer('client', {force: true});
		assert.deepEqual(networkTracesOf(engine.layout, client.id, veths), []);
		assert.equal(await resolves(engine, 'beta', 'client'), '');
		void beta;
	});

	test('a stopped container connected to a second network joins both at its start', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine} = engineFor(t);
		await engine.createNetwork('left');
		await engine.createNetwork('right');
		const created = await engine.createContainer({name: 'later', entrypoint: 'sleep', args: ['3600'], network: 'left'});
		await engine.connectNetwork('later', 'right');
		assert.deepEqual((await engine.inspectNetwork('right')).containers, ['later']);
		await expectCode(engine.removeNetwork('right'), 'BAD_STATE');
		await engine.startContainer(created.id);
		assert.deepEqual(await interfaces(engine, 'later'), ['eth0', 'eth1', 'lo']);
		await engine.stopContainer('later', {timeout: 1});
		await engine.disconnectNetwork('later', 'right');
		assert.deepEqual((await engine.inspectContainer('later')).config.additionalNetworks, []);
		await engine.startContainer('later');
		assert.deepEqual(await interfaces(engine, 'later'), ['eth0', 'lo']);
		// Both at create (run --network left --network right).
		const both = await started(engine, {
			name: 'both',
			entrypoint: 'sleep',
			args: ['3600'],
			network: 'left',
			additionalNetworks: [{name: 'right', aliases: ['b2']}],
		});
		assert.deepEqual(await interfaces(engine, 'both'), ['eth0', 'eth1', 'lo']);
		assert.equal(await resolves(engine, 'later', 'both'), both.networks[0]!.ip);
		assert.equal(await resolves(engine, 'both', 'b2'), both.networks[1]!.ip, 'its alias on right');
		await engine.removeContainer('both', {force: true});
		assert.deepEqual(networkTracesOf(engine.layout, both.id), []);
	});
});

describe('rename on a network', () => {
	test("a running container's new name is in its peers' hosts files at once", async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine} = engineFor(t);
		await engine.createNetwork('left');
		const peer = await started(engine, {name: 'peer', entrypoint: 'sleep', args: ['3600'], network: 'left'});
		const bot = await started(engine, {name: 'bot', hostname: 'worker', entrypoint: 'sleep', args: ['3600'], network: 'left'});
		assert.equal(await resolves(engine, 'peer', 'bot'), bot.network!.ip);
		await engine.renameContainer('bot', 'renamed');
		await waitFor(async () => (await resolves(engine, 'peer', 'renamed')) === bot.network!.ip, 5000, 'the new name at the peer');
		assert.equal(await resolves(engine, 'peer', 'bot'), '', 'the old name is gone');
		assert.equal(await resolves(engine, 'peer', 'worker'), bot.network!.ip, 'its hostname stays');
		assert.equal(await resolves(engine, 'renamed', 'renamed'), bot.network!.ip, 'its own file too');
		void peer;
	});
});

describe('refused', () => {
	test('already on it, not on it, host and none, a shared-network or minimal container, an unknown network', async (t) => {
		if (!needsNetworkStack(t)) return;
		const {engine} = engineFor(t);
		await engine.createNetwork('left');
		const on = await started(engine, {name: 'on', entrypoint: 'sleep', args: ['3600'], network: 'left'});
		assert.match((await expectCode(engine.connectNetwork('on', 'left'), 'INVALID_CONFIG')).message, /already on network left/);
		assert.match((await expectCode(engine.disconnectNetwork('on', 'c32'), 'INVALID_CONFIG')).message, /not on network c32.*left/);
		await expectCode(engine.connectNetwork('on', 'nosuch'), 'NOT_FOUND');
		await expectCode(engine.connectNetwork('on', 'host'), 'INVALID_CONFIG');
		await expectCode(engine.connectNetwork('on', 'none'), 'INVALID_CONFIG');
		await expectCode(engine.disconnectNetwork('on', 'none'), 'INVALID_CONFIG');
		const shared = await engine.createContainer({name: 'shared', entrypoint: 'true', network: 'host'});
		assert.match((await expectCode(engine.connectNetwork(shared.id, 'left'), 'INVALID_CONFIG')).message, /host's network/);
		const plain = await engine.createContainer({name: 'plain', entrypoint: 'true', isolationLevel: 'minimal'});
		assert.match((await expectCode(engine.connectNetwork(plain.id, 'left'), 'INVALID_CONFIG')).message, /minimal/);
		const loopback = await started(engine, {name: 'loopback', entrypoint: 'sleep', args: ['3600'], network: 'none'});
		assert.match((await expectCode(engine.connectNetwork('loopback', 'left'), 'BAD_STATE')).message, /stop it, connect it/);
		assert.deepEqual((await engine.inspectContainer('on')).networks.length, 1, 'nothing changed');
		assert.deepEqual(await interfaces(engine, 'on'), ['eth0', 'lo']);
		void [on, loopback];
	});
});
