// The dashboard's health column and details line: shown only when some container has a
// check, unhealthy in red (bold without colour), sortable by H, the last results in details.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {fitColumns} from '../../components/model/columns.js';
import {healthCell, healthFields} from '../../components/model/health.js';
import type {ContainerHealth, ContainerMetadata} from '../../engine/index.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';

let current: Harness | null = null;
afterEach(() => {
	current?.unmount();
	current = null;
});

const result = (exitCode: number, output = '') => ({
	start: new Date(Date.now() - 3000).toISOString(),
	end: new Date(Date.now() - 2000).toISOString(),
	exitCode,
	output,
});
const unhealthy: ContainerHealth = {status: 'unhealthy', failingStreak: 3, log: [result(0), result(1, 'no /tmp/ok\n'), result(-1)]};

describe('health in the dashboard', () => {
	test('a HEALTH column only when some container has a check; unhealthy first when sorted by H', async () => {
		const plain = new FakeEngine();
		plain.add({name: 'alpha'});
		current = await mount(plain, {columns: 200});
		await current.waitFor((frame) => frame.includes('alpha'), 'the table');
		assert.ok(!current.lines()[2]!.includes('HEALTH'));
		current.unmount();

		const engine = new FakeEngine();
		engine.add({name: 'alpha'});
		engine.add({name: 'bravo', health: {status: 'healthy', failingStreak: 0, log: [result(0)]}});
		engine.add({name: 'charlie', health: unhealthy});
		current = await mount(engine, {columns: 200});
		await current.waitFor((frame) => frame.includes('charlie'), 'the table');
		assert.ok(current.lines()[2]!.includes('HEALTH'));
		assert.match(current.row('charlie'), / unhealthy /);
		assert.match(current.row('bravo'), / healthy /);
		await current.press('H');
		await current.waitFor(() => current!.selectedName() !== null, 'a selection');
		const order = current
			.lines()
			.filter((line) => /^[▶ ] (alpha|bravo|charlie) /.test(line))
			.map((line) => line.slice(2).split(' ')[0]);
		assert.deepEqual(order, ['charlie', 'bravo', 'alpha']);
		await current.press(KEY.up, KEY.up, KEY.enter);
		await current.waitFor(() => current!.selectedName() === 'charlie', 'charlie selected');
		await current.waitFor((frame) => frame.includes('checks 0 1 timeout'), `the health line in the details: ${current.frame()}`);
		assert.match(current.frame(), /health unhealthy \(3 failing\)/);
	});

	test('unhealthy is the bad tone (red) and bold, so it shows without colour too; "-" without a check', () => {
		const meta = {state: 'running', health: unhealthy} as ContainerMetadata;
		assert.deepEqual(healthCell(meta, 9), [{text: 'unhealthy', tone: 'bad', bold: true}]);
		assert.deepEqual(healthCell({...meta, health: undefined}, 9), [{text: '-        ', tone: 'dim'}]);
		assert.deepEqual(healthCell({...meta, state: 'exited'}, 9)[0]!.text.trim(), '-', 'only while it runs');
		assert.equal(healthFields(unhealthy, Date.now()).find((segment) => segment.text.startsWith('unhealthy'))?.tone, 'bad');
		assert.ok(fitColumns(200, 'name', true).columns.some((column) => column.id === 'health'));
	});
});
