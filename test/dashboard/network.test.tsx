// c32 top and networks: the IP column, the network line of the details pane, and the
// re-inspection that keeps both current when a container starts or ends.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {cellSegments} from '../../components/model/cells.js';
import {fitColumns} from '../../components/model/columns.js';
import {detailsLines, networkFields} from '../../components/model/details.js';
import {addressOf, type ContainerRow} from '../../components/model/row.js';
import {plain} from '../../components/model/segments.js';
import {matchesFilter, sortRows} from '../../components/model/sort.js';
import {DashboardStore} from '../../components/store/dashboard-store.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, mount} from './harness.js';
import {waitFor} from './util.js';

const PORTS = [
	{hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' as const},
	{hostIp: '', hostPort: 5353, containerPort: 53, protocol: 'udp' as const},
];

function onNetwork(engine: FakeEngine, name: string, ip: string, state: 'running' | 'exited' = 'running') {
	return engine.add({name, state, network: {name: 'team', ip, gateway: '10.90.1.1', ports: PORTS}});
}

async function rowOf(engine: FakeEngine, name: string): Promise<ContainerRow> {
	const container = engine.find(name);
	return {
		meta: container.meta,
		metrics: null,
		cpuLimitPercent: null,
		address: addressOf(await engine.inspectContainer(name)),
		pending: null,
	};
}

let current: Harness | null = null;
afterEach(() => {
	current?.unmount();
	current = null;
});

describe('the IP column', () => {
	test('shows the address while it runs, host or none for those networks, - otherwise', async () => {
		const engine = new FakeEngine();
		onNetwork(engine, 'web', '10.90.1.2');
		onNetwork(engine, 'done', '10.90.1.3', 'exited');
		engine.add({name: 'shared'});
		engine.find('shared').config.network = 'host';
		engine.add({name: 'lonely'});
		engine.find('lonely').config.network = 'none';
		const cell = async (name: string) => {
			const segments = cellSegments('ip', 15, await rowOf(engine, name), fitColumns(200), {now: 0, hostCpuCount: 1, hostMemoryMb: 1});
			return {text: plain([segments[0]!]).trimEnd(), tone: segments[0]!.tone};
		};
		assert.deepEqual(await cell('web'), {text: '10.90.1.2', tone: undefined});
		assert.deepEqual(await cell('done'), {text: '-', tone: 'dim'});
		assert.deepEqual(await cell('shared'), {text: 'host', tone: 'warn'}, 'the less isolated network stands out');
		assert.deepEqual(await cell('lonely'), {text: 'none', tone: 'dim'});
		assert.equal(addressOf(undefined), null, 'not inspected yet');
	});

	test('sorts by address as numbers, and the filter finds a network by its prefix', async () => {
		const engine = new FakeEngine();
		onNetwork(engine, 'ten', '10.90.1.10');
		onNetwork(engine, 'two', '10.90.1.2');
		engine.add({name: 'plain'});
		const rows = await Promise.all(['ten', 'two', 'plain'].map((name) => rowOf(engine, name)));
		assert.deepEqual(
			sortRows(rows, {column: 'ip', descending: false}).map((row) => row.meta.name),
			['plain', 'two', 'ten'],
		);
		assert.deepEqual(
			rows.filter((row) => matchesFilter(row, '10.90.1.')).map((row) => row.meta.name),
			['ten', 'two'],
		);
		assert.equal(matchesFilter(rows[2]!, 'host'), false, 'the word host is no address to find');
	});

	test('appears on a terminal wide enough, with the address in the row', async () => {
		const engine = new FakeEngine();
		onNetwork(engine, 'web', '10.90.1.2');
		current = await mount(engine, {columns: 200});
		await current.waitFor((frame) => /^▶ web .*10\.90\.1\.2/m.test(frame), 'the address of web');
		assert.match(current.lines()[2]!, /ISOLATION IP/);
	});
});

describe('the details pane', () => {
	test('a network line: name, ip, gateway and published ports while it runs', async () => {
		const engine = new FakeEngine();
		onNetwork(engine, 'web', '10.90.1.2');
		const info = await engine.inspectContainer('web');
		assert.equal(
			plain(networkFields(info)).trimEnd(),
			'network team   ip 10.90.1.2   gateway 10.90.1.1   ports 127.0.0.1:8080->80/tcp, 0.0.0.0:5353->53/udp',
		);
		const text = detailsLines(engine.find('web').meta, info, Date.now(), 6).map(plain).join('\n');
		assert.match(text, /^network team {3}ip 10\.90\.1\.2/m);
		engine.setState('web', 'exited');
		assert.match(plain(networkFields(await engine.inspectContainer('web'))), /ip - {3}gateway - {3}ports 127/);
	});

	test('a container on several networks: every name and address, the ports of the first', async () => {
		const engine = new FakeEngine();
		onNetwork(engine, 'web', '10.90.1.2');
		const info = await engine.inspectContainer('web');
		info.networks.push({name: 'back', ip: '10.90.2.5', gateway: '10.90.2.1', ports: []});
		assert.equal(
			plain(networkFields(info)).trimEnd(),
			'networks team, back   ip 10.90.1.2, 10.90.2.5   gateway 10.90.1.1   ports 127.0.0.1:8080->80/tcp, 0.0.0.0:5353->53/udp',
		);
		assert.equal(addressOf(info), '10.90.1.2,10.90.2.5');
	});

	test('the host network says it is the host own; none says none; the bandwidth limit is a limit', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'shared'});
		assert.equal(plain(networkFields(await engine.inspectContainer('shared'))).trimEnd(), "network host (the host's own network)");
		engine.find('shared').config.network = 'none';
		assert.equal(plain(networkFields(await engine.inspectContainer('shared'))).trimEnd(), 'network none');
		engine.find('shared').config.resourceLimits.networkBandwidthLimitMbps = 8;
		const text = detailsLines(engine.find('shared').meta, await engine.inspectContainer('shared'), Date.now(), 6)
			.map(plain)
			.join('\n');
		assert.match(text, /net 8Mbit\/s/);
	});
});

describe('the data tick', () => {
	test('inspects a container again when it starts or ends, so its address is that of this run', async () => {
		const engine = new FakeEngine();
		const web = onNetwork(engine, 'web', '10.90.1.2', 'exited');
		web.network!.ip = null;
		const store = new DashboardStore(engine, {intervalMs: 60_000});
		const address = () => addressOf(store.getSnapshot().infos.get(web.meta.id));
		await store.refresh();
		await waitFor(() => address() === '-', 'the first inspect');
		await store.refresh();
		assert.equal(engine.callsTo('inspectContainer').length, 1, 'nothing changed: no second inspect');

		await engine.startContainer('web');
		web.network!.ip = '10.90.1.7';
		await store.refresh();
		await waitFor(() => address() === '10.90.1.7', 'the address of the new run');
		await engine.stopContainer('web');
		await store.refresh();
		await waitFor(() => address() === '-', 'no address once it ended');
		assert.equal(engine.callsTo('inspectContainer').length, 3);
	});
});
