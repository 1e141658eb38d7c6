// c32 network, c32 port and the network columns of ps, against the engine double.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {describe, it} from 'node:test';
import {runCli} from '../../source/main.js';
import {FakeEngine} from '../dashboard/fake-engine.js';
import {fakeContext} from './fake-context.js';

function setup() {
	const engine = new FakeEngine();
	const {ctx, out} = fakeContext(engine);
	const run = async (...argv: string[]) => {
		out.stdout = '';
		out.stderr = '';
		return runCli(argv, ctx);
	};
	return {engine, out, run};
}

describe('c32 network', () => {
	it('create passes --subnet and --internal, prints the name, and ls lists it with its containers', async () => {
		const {engine, out, run} = setup();
		engine.addNetwork('c32', {subnet: '10.90.0.0/24'});
		assert.equal(await run('network', 'create', '--subnet', '10.91.0.0/24', '--internal', 'team'), 0);
		assert.equal(out.stdout, 'team\n');
		assert.deepEqual(engine.callsTo('createNetwork'), [['team', {subnet: '10.91.0.0/24', internal: true}]]);
		assert.equal(await run('network', 'create', 'plain'), 0);
		assert.deepEqual(engine.callsTo('createNetwork')[1], ['plain', {}]);
		engine.add({name: 'api', network: {name: 'team', ip: '10.91.0.2', gateway: '10.91.0.1', ports: []}});

		assert.equal(await run('network', 'ls'), 0);
		const lines = out.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /^NETWORK ID\s+NAME\s+SUBNET\s+GATEWAY\s+BRIDGE\s+INTERNAL\s+CONTAINERS$/);
		assert.match(lines[2]!, /^[0-9a-f]{12}\s+team\s+10\.91\.0\.0\/24\s+10\.91\.0\.1\s+c32br2\s+yes\s+1$/);
		assert.deepEqual(
			lines.slice(1).map((line) => line.split(/\s{3,}/)[1]),
			['c32', 'team', 'plain'],
		);
		assert.equal(await run('network', 'list', '-q'), 0);
		assert.equal(out.stdout, 'c32\nteam\nplain\n');
		assert.equal(await run('network', 'ls', '--json'), 0);
		const json = JSON.parse(out.stdout) as {name: string; containers: string[]}[];
		assert.deepEqual(json[1]!.containers, ['api']);
		assert.deepEqual(Object.keys(json[0]!).sort(), ['bridge', 'containers', 'createdAt', 'gateway', 'id', 'internal', 'name', 'subnet']);
	});

	it('inspect prints what it found as JSON and fails for the rest', async () => {
		const {engine, out, run} = setup();
		engine.addNetwork('team');
		assert.equal(await run('network', 'inspect', 'team', 'nope'), 1);
		assert.equal((JSON.parse(out.stdout) as {name: string}[])[0]!.name, 'team');
		assert.equal(out.stderr, 'c32: error: no network "nope": c32 network ls lists them\n');
	});

	it('rm removes each network, says why one in use is refused, and exits 1', async () => {
		const {engine, out, run} = setup();
		engine.addNetwork('idle');
		engine.addNetwork('busy');
		engine.add({name: 'bot', network: {name: 'busy', ip: null, gateway: null, ports: []}});
		assert.equal(await run('network', 'rm', 'idle', 'busy'), 1);
		assert.equal(out.stdout, 'idle\n');
		assert.equal(out.stderr, 'c32: error: network busy is in use by bot\n');
		assert.deepEqual([...engine.networks.keys()], ['busy']);
		assert.equal(await run('network', 'remove', '--json', 'busy'), 1);
		assert.equal((JSON.parse(out.stdout) as {error: {code: string}}[])[0]!.error.code, 'BAD_STATE');
	});

	it('connect passes the aliases; disconnect takes it off', async () => {
		const {engine, run} = setup();
		engine.addNetwork('team');
		engine.add({name: 'bot'});
		assert.equal(await run('network', 'connect', '--alias', 'db', '--alias', 'store', 'team', 'bot'), 0);
		assert.deepEqual(engine.callsTo('connectNetwork'), [['bot', 'team', {aliases: ['db', 'store']}]]);
		assert.equal(engine.find('bot').network?.name, 'team');
		assert.equal(await run('network', 'disconnect', 'team', 'bot'), 0);
		assert.deepEqual(engine.callsTo('disconnectNetwork'), [['bot', 'team']]);
		assert.equal(engine.find('bot').network, null);
	});

	it('refuses bad command lines before asking the engine', async () => {
		const {engine, out, run} = setup();
		assert.equal(await run('network', 'create'), 2);
		assert.match(out.stderr, /"c32 network create" needs a network name\nSee 'c32 network create --help'/);
		assert.equal(await run('network', 'connect', 'team'), 2);
		assert.equal(await run('network', 'frob'), 2);
		assert.match(out.stderr, /unknown command "c32 network frob": use one of create, ls, inspect, rm, connect, disconnect/);
		assert.equal(await run('network', 'create', '--subnet'), 2);
		assert.deepEqual(engine.calls, []);
		assert.equal(await run('network', '--help'), 0);
		assert.match(out.stdout, /connect +Put a container on a network/);
	});
});

describe('c32 port', () => {
	const ports = [
		{hostIp: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const},
		{hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' as const},
	];

	it('lists every published port docker-style, or the host addresses of one', async () => {
		const {engine, out, run} = setup();
		engine.add({name: 'web', network: {name: 'c32', ip: '10.90.0.5', gateway: '10.90.0.1', ports}});
		assert.equal(await run('port', 'web'), 0);
		assert.equal(out.stdout, '80/tcp -> 0.0.0.0:8080\n53/udp -> 127.0.0.1:5353\n');
		assert.equal(await run('port', 'web', '80'), 0);
		assert.equal(out.stdout, '0.0.0.0:8080\n');
		assert.equal(await run('port', 'web', '53/udp'), 0);
		assert.equal(out.stdout, '127.0.0.1:5353\n');
		assert.equal(await run('port', 'web', '53'), 1);
		assert.equal(out.stderr, 'c32: error: no public port 53/tcp published for web: c32 port web lists them\n');
	});

	it('prints nothing for a container on the host network, and refuses a bad port', async () => {
		const {engine, out, run} = setup();
		engine.add({name: 'host-bot'});
		assert.equal(await run('port', 'host-bot'), 0);
		assert.equal(out.stdout, '');
		for (const bad of ['0', '65536', '80/sctp', 'http']) {
			assert.equal(await run('port', 'host-bot', bad), 2, bad);
			assert.match(out.stderr, /^c32: error: invalid port ".*": use a port from 1 to 65535/);
		}
		assert.equal(await run('port', 'ghost'), 1);
	});
});

describe('ps shows the network', () => {
	it('a PORTS column of the running containers, docker-style, and network in --json', async () => {
		const {engine, out, run} = setup();
		const ports = [
			{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const},
			{hostIp: '', hostPort: 5353, containerPort: 53, protocol: 'udp' as const},
		];
		engine.add({name: 'web', network: {name: 'c32', ip: '10.90.0.5', gateway: '10.90.0.1', ports}});
		engine.add({name: 'plain'});
		engine.add({name: 'done', state: 'exited', network: {name: 'c32', ip: null, gateway: null, ports}});
		assert.equal(await run('ps', '-a'), 0);
		const lines = out.stdout.trimEnd().split('\n');
		assert.match(lines[0]!, /STATUS\s+PORTS$/);
		const row = (name: string) => lines.find((line) => line.includes(`   ${name}   `))!;
		assert.match(row('web'), /Up .*\S\s{3,}127\.0\.0\.1:8080->80\/tcp, 0\.0\.0\.0:5353->53\/udp$/);
		assert.match(row('plain'), /Up [^>]*$/);
		assert.match(row('done'), /Exited \(0\) [^>]*$/, 'an ended container publishes nothing');

		assert.equal(await run('ps', '-a', '--json'), 0);
		const json = JSON.parse(out.stdout) as {name: string; network: unknown}[];
		const byName = Object.fromEntries(json.map((c) => [c.name, c.network]));
		assert.deepEqual(byName['web'], {name: 'c32', ip: '10.90.0.5', gateway: '10.90.0.1', ports});
		assert.equal(byName['plain'], null);
		assert.deepEqual(byName['done'], {name: 'c32', ip: null, gateway: null, ports});
	});

	it('a container removed between the list and its inspect shows no network', async () => {
		const {engine, out, run} = setup();
		engine.add({name: 'gone', network: {name: 'c32', ip: '10.90.0.9', gateway: '10.90.0.1', ports: []}});
		const inspect = engine.inspectContainer.bind(engine);
		engine.inspectContainer = async (ref) => {
			engine.drop('gone');
			return inspect(ref);
		};
		assert.equal(await run('ps', '--json'), 0);
		assert.equal((JSON.parse(out.stdout) as {network: unknown}[])[0]!.network, null);
	});
});

describe('completion of networks', () => {
	it('bash offers network names after network rm and connect, then container names', async () => {
		const {ctx, out} = fakeContext();
		assert.equal(await runCli(['completion', 'bash'], ctx), 0);
		// A stand-in c32: __names networks lists networks, __names containers.
		const stub = 'c32() { if [ "$2" = networks ]; then printf "team\\ntools\\n"; else printf "bot\\n"; fi; }';
		const complete = (line: string) =>
			execFileSync(
				'bash',
				['-c', `${stub}\n${out.stdout}\nCOMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _c32; echo "\${COMPREPLY[*]}"`],
				{
					encoding: 'utf8',
				},
			).trim();
		assert.equal(complete('c32 network rm t'), 'team tools');
		assert.equal(complete("c32 network connect ''"), 'team tools');
		assert.equal(complete("c32 network connect team ''"), 'bot');
		assert.equal(complete("c32 network create ''"), '');
		assert.equal(complete('c32 network d'), 'disconnect');
		assert.equal(complete("c32 port ''"), 'bot');
	});

	it('__names networks lists the network names, one a line', async () => {
		const {engine, out, run} = setup();
		engine.addNetwork('c32');
		engine.addNetwork('team');
		assert.equal(await run('__names', 'networks'), 0);
		assert.equal(out.stdout, 'c32\nteam\n');
	});
});
