// OCI images on the dashboard: the table's image column and the details pane's digest and size.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {fitColumns} from '../../components/model/columns.js';
import {fitStart} from '../../components/model/format.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount, waitFor} from './harness.js';

let current: Harness | null = null;

async function open(engine: FakeEngine, options: Parameters<typeof mount>[1] = {}): Promise<Harness> {
	current = await mount(engine, {columns: 160, prefs: {sortColumn: 'name', sortDescending: false}, ...options});
	await current.waitFor((frame) => / containers?: /.test(frame), 'the first frame');
	return current;
}

afterEach(() => {
	current?.unmount();
	current = null;
});

/** Two containers of one registry image, one of a local image, one of a host path. */
function withImages() {
	const engine = new FakeEngine();
	const bot = engine.addImage({names: ['127.0.0.1:5000/team/bot:1'], size: 12_345_678});
	const tools = engine.addImage({names: ['localhost/tools:latest'], size: 2_000_000});
	const ref = (image: typeof bot) => ({id: image.id, name: image.names[0]!, digest: image.digest});
	engine.add({name: 'alpha', ociImage: ref(bot)});
	engine.add({name: 'bravo', ociImage: ref(bot)});
	engine.add({name: 'charlie', ociImage: ref(tools)});
	engine.add({name: 'delta', image: '/home/me/some/long/path/to/the/workers/delta.py'});
	return {engine, bot, tools};
}

describe('image column', () => {
	test('shows each container image by name and tag; a long host path keeps its end', async () => {
		const ui = await open(withImages().engine);
		assert.match(ui.lines()[2]!, /NAME\S*\s+IMAGE\s+ID\s+STATE/);
		assert.match(ui.row('alpha'), /127\.0\.0\.1:5000\/team\/bot:1/);
		assert.match(ui.row('charlie'), /localhost\/tools:latest/);
		assert.match(ui.row('delta'), /…[\w/]*workers\/delta\.py/);
	});

	test('E sorts by image; the column goes before isolation when narrow, after the id', () => {
		assert.ok(fitColumns(160).columns.some((column) => column.id === 'image'));
		const at140 = fitColumns(140).columns.map((column) => column.id);
		assert.ok(at140.includes('image') && !at140.includes('id'));
		assert.ok(!fitColumns(120).columns.some((column) => column.id === 'image'));
	});

	test('E sorts the rows by image', async () => {
		const ui = await open(withImages().engine);
		await ui.press('E');
		const order = ['alpha', 'bravo', 'charlie', 'delta'].sort((a, b) => ui.frame().indexOf(ui.row(a)) - ui.frame().indexOf(ui.row(b)));
		assert.deepEqual(order, ['delta', 'alpha', 'bravo', 'charlie'], '/home… < 127… < localhost…');
		assert.match(ui.lines()[2]!, /IMAGE▲/);
	});

	test('fitStart keeps the end and the exact width, escaped', () => {
		assert.equal(fitStart('127.0.0.1:5000/team/bot:1', 12), '…/team/bot:1');
		assert.equal(fitStart('short', 8), 'short   ');
		assert.equal(fitStart('a\x1b[2Jb', 10), 'a\\x1b[2Jb ');
		assert.equal(fitStart('日本語のタグ:1', 7), '…タグ:1');
	});
});

describe('details pane of an OCI container', () => {
	test("shows the image's short digest and size, inspecting each image once", async () => {
		const {engine, bot} = withImages();
		const ui = await open(engine);
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('Details alpha') && frame.includes('size 12M'), 'the image details');
		assert.match(ui.frame(), new RegExp(`image 127\\.0\\.0\\.1:5000/team/bot:1\\s+digest ${bot.digest.slice(0, 19)}\\s+size 12M`));
		assert.doesNotMatch(ui.frame(), new RegExp(bot.digest.slice(0, 20)), 'the digest is short');
		await ui.press(KEY.down);
		await ui.waitFor((frame) => frame.includes('Details bravo'), 'the second container');
		await ui.tick();
		await ui.tick();
		await waitFor(() => engine.callsTo('inspectImage').length >= 2, 'every image inspected');
		const inspected = engine.callsTo('inspectImage').map(([id]) => id);
		assert.deepEqual([...inspected].sort(), [...new Set(inspected)].sort(), 'once per image id');
		assert.equal(inspected.length, 2);
	});

	test('a host-path container shows no image details and costs no inspectImage', async () => {
		const engine = new FakeEngine();
		engine.add({name: 'plain'});
		const ui = await open(engine);
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('Details plain'), 'details');
		await ui.tick();
		assert.doesNotMatch(ui.frame(), /digest|image details/);
		assert.deepEqual(engine.callsTo('inspectImage'), []);
	});

	test('an image that cannot be inspected is one line in the pane; the dashboard goes on', async () => {
		const {engine, bot} = withImages();
		// Not a C32Error (those are one line already): whatever an engine throws is cut to its first line.
		engine.imageFailures.set(bot.id, new Error('blob sha256:ab… does not match its digest\nsecond line'));
		const ui = await open(engine);
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('image details blob sha256:ab… does not match its digest'), 'the failure');
		assert.doesNotMatch(ui.frame(), /second line/);
		assert.match(ui.frame(), /command python3/, 'the rest of the pane is there');
		await ui.press(KEY.down);
		await ui.press(KEY.down);
		await ui.waitFor((frame) => frame.includes('Details charlie') && frame.includes('size 1.9M'), 'another image still shows');
	});
});
