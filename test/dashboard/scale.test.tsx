// 1000 containers: the table builds only the rows that fit, and selection, scrolling,
// filtering and sorting work as they do with a few.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';

const COUNT = 1000;
let current: Harness | null = null;

afterEach(() => {
	current?.unmount();
	current = null;
});

const nameOf = (i: number) => `w-${String(i).padStart(4, '0')}`;

function thousand(): FakeEngine {
	const engine = new FakeEngine();
	for (let i = 1; i <= COUNT; i++) engine.add({name: nameOf(i), cpuPercent: i % 97, memoryMb: 10 + (i % 50)});
	return engine;
}

async function open(engine: FakeEngine): Promise<Harness> {
	current = await mount(engine, {columns: 120, rows: 40, prefs: {sortColumn: 'name', sortDescending: false}});
	await current.waitFor((frame) => frame.includes(`${COUNT} containers:`), 'the first frame');
	return current;
}

/** The names of the table rows on screen, top to bottom. */
function shownNames(ui: Harness): string[] {
	return ui.lines().flatMap((line) => /^[▶ ] (w-\d{4}) /.exec(line)?.[1] ?? []);
}

/** Sorted by name, the rows in view as [first, last, total]: w-0001 is row 1. */
function scrollWindow(ui: Harness): [number, number, number] {
	const names = shownNames(ui);
	const total = Number(/(\d+) containers:/.exec(ui.frame())?.[1]);
	return [Number(names[0]?.slice(2)), Number(names.at(-1)?.slice(2)), total];
}

describe('1000 containers', () => {
	test('only the rows that fit are drawn; End, Home, PageDown and j/k scroll with the selection', async () => {
		const ui = await open(thousand());
		const [first, last, total] = scrollWindow(ui);
		const height = last - first + 1;
		assert.deepEqual([first, total], [1, COUNT]);
		assert.deepEqual(
			shownNames(ui),
			Array.from({length: height}, (_, i) => nameOf(i + 1)),
		);
		assert.equal(ui.selectedName(), nameOf(1));

		await ui.press('\u001B[F'); // End
		await ui.waitFor(() => ui.selectedName() === nameOf(COUNT), 'the last row selected');
		assert.deepEqual(scrollWindow(ui), [COUNT - height + 1, COUNT, COUNT]);
		assert.equal(shownNames(ui).at(-1), nameOf(COUNT));
		assert.equal(shownNames(ui).length, height);

		await ui.press('k');
		assert.equal(ui.selectedName(), nameOf(COUNT - 1));
		assert.deepEqual(scrollWindow(ui), [COUNT - height + 1, COUNT, COUNT], 'moving inside the window does not scroll');

		await ui.press('\u001B[H'); // Home
		await ui.waitFor(() => ui.selectedName() === nameOf(1), 'the first row selected');
		assert.deepEqual(scrollWindow(ui), [1, height, COUNT]);

		await ui.press(KEY.pageDown);
		assert.equal(ui.selectedName(), nameOf(1 + height));
		assert.equal(shownNames(ui).at(-1), nameOf(1 + height), 'the window follows the selection down');
		await ui.press('j', 'j');
		assert.equal(ui.selectedName(), nameOf(3 + height));
		assert.deepEqual(scrollWindow(ui), [4, 3 + height, COUNT]);
	});

	test('a tick that changes only metrics keeps the selection and the scroll position', async () => {
		const engine = thousand();
		const ui = await open(engine);
		await ui.press(KEY.pageDown, KEY.pageDown, 'j');
		const selected = ui.selectedName();
		const window = scrollWindow(ui);
		for (const container of engine.containers.values()) container.cpuPercent = (container.cpuPercent + 13) % 90;
		await ui.tick();
		await ui.tick();
		assert.equal(ui.selectedName(), selected);
		assert.deepEqual(scrollWindow(ui), window);
	});

	test('filtering, clearing the filter and sorting keep the selection on its container, in view', async () => {
		const engine = thousand();
		const ui = await open(engine);
		await ui.press('/', ...'w-0777');
		await ui.waitFor(() => shownNames(ui).join() === nameOf(777), 'only w-0777 shown');
		assert.equal(ui.selectedName(), nameOf(777));
		await ui.press(KEY.enter, KEY.escape);
		await ui.press('/', KEY.escape);
		await ui.waitFor(() => shownNames(ui).length > 1, 'the filter cleared');
		assert.equal(ui.selectedName(), nameOf(777), 'still on w-0777 with all rows back');
		const [first, last] = scrollWindow(ui);
		assert.ok(first <= 777 && 777 <= last, `w-0777 in view (${first}-${last})`);

		// Sorted by CPU, descending: w-0777 moves to the top once it is the busiest.
		await ui.press('C');
		engine.find(nameOf(777)).cpuPercent = 150;
		await ui.tick();
		await ui.waitFor(() => shownNames(ui)[0] === nameOf(777), 'w-0777 on top');
		assert.equal(ui.selectedName(), nameOf(777));
	});

	test('a tick samples the containers of the rows on screen, and follows a scroll', async () => {
		const engine = thousand();
		const ui = await open(engine);
		const sampled = () => {
			const refs = engine.callsTo('getMetricsBatch').at(-1)?.[0] as string[] | undefined;
			return refs?.map((ref) => engine.find(ref).meta.name);
		};
		await ui.tick();
		assert.deepEqual(sampled(), shownNames(ui), 'the rows on screen, by id');
		await ui.press(KEY.pageDown, KEY.pageDown);
		await ui.tick();
		assert.equal(shownNames(ui)[0] === nameOf(1), false, 'scrolled');
		assert.deepEqual(sampled(), shownNames(ui));
	});

	test('the selected container removed: the selection lands on what took its place', async () => {
		const engine = thousand();
		const ui = await open(engine);
		await ui.press(KEY.pageDown);
		const selected = ui.selectedName()!;
		const next = nameOf(Number(selected.slice(2)) + 1);
		engine.drop(selected);
		await ui.tick();
		await ui.waitFor(() => ui.selectedName() === next, `${next} selected`);
		assert.equal(scrollWindow(ui)[2], COUNT - 1);
		assert.ok(shownNames(ui).includes(next), 'in view');
	});
});
