// User-controlled text on the terminal: one escape function, used by every table, error line
// and JSON output of the CLI.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {C32Error, type ContainerInfo} from '../../engine/index.js';
import {escapeControl, escapeControlInJson} from '../../engine/text.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const EVIL = '\x1b]0;pwned\x07\nnext';
/** What a terminal would act on: C0 except the newline ending each line, DEL, C1, bidi. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControl', () => {
	it('writes C0, DEL and C1 controls as visible escapes', () => {
		assert.equal(escapeControl(EVIL), '\\x1b]0;pwned\\x07\\nnext');
		assert.equal(escapeControl('a\tb\rc\x00d\x7fe\x9b31mf\x9d'), 'a\\tb\\rc\\x00d\\x7fe\\x9b31mf\\x9d');
	});

	it('escapes bidi overrides, isolates and marks, zero-width characters and line separators', () => {
		assert.equal(escapeControl('admin\u202egnp.exe'), 'admin\\u202egnp.exe');
		assert.equal(escapeControl('a\u2066b\u2069c\u200fd\u061ce'), 'a\\u2066b\\u2069c\\u200fd\\u061ce');
		assert.equal(escapeControl('x\u200by\ufeffz\u2060w'), 'x\\u200by\\ufeffz\\u2060w');
		assert.equal(escapeControl('one\u2028two\u2029'), 'one\\u2028two\\u2029');
		assert.equal(escapeControl('a\u200db'), 'a\\u200db', 'a lone zero-width joiner hides nothing');
	});

	it('leaves ordinary text alone: letters of every script, emoji (joined ones too), backslashes', () => {
		for (const text of ['bot-1', 'héllo wörld', '日本語', 'مرحبا', '👩‍💻 and ❤️', 'C:\\path\\x1b', '']) {
			assert.equal(escapeControl(text), text);
		}
	});

	it('is idempotent: its output has nothing left to escape', () => {
		const once = escapeControl(`${EVIL}\u202e\x9b`);
		assert.equal(escapeControl(once), once);
		assert.doesNotMatch(once, RAW_CONTROL);
	});

	it('keeps JSON valid and equal in value while writing C1 and bidi as \\u escapes', () => {
		const value = {label: `${EVIL}\x9b\u202e\x7f`, nested: ['\u200b']};
		const json = escapeControlInJson(JSON.stringify(value, null, 2));
		assert.deepEqual(JSON.parse(json), value);
		assert.doesNotMatch(json, RAW_CONTROL);
		assert.match(json, /\\u009b\\u202e\\u007f/);
	});

	it('is what C32Error uses: an error message is always one safe line', () => {
		const error = new C32Error('INVALID_CONFIG', `bad label ${EVIL}\u202e`);
		assert.equal(error.message, 'bad label \\x1b]0;pwned\\x07\\nnext\\u202e');
	});
});

describe('the CLI shows user-controlled text escaped', () => {
	const evil = container('evil', {image: `/srv/img${EVIL}/bot.py`, labels: {k: EVIL}, state: 'exited', exitCode: 0});

	it('ps: an image path with an OSC and a newline stays one escaped row', async () => {
		const {ctx, out} = fakeContext({listContainers: async () => [evil]});
		assert.equal(await runCli(['ps', '-a', '--no-trunc'], ctx), 0);
		const lines = out.stdout.split('\n').filter(Boolean);
		assert.equal(lines.length, 2, out.stdout);
		assert.match(lines[1]!, /\/srv\/img\\x1b\]0;pwned\\x07\\nnext\/bot\.py/);
		assert.doesNotMatch(out.stdout, RAW_CONTROL);
	});

	it('ps on a terminal: colours are ours, the escapes in the data are shown', async () => {
		const {ctx, out} = fakeContext({listContainers: async () => [evil]}, {isTTY: true});
		await runCli(['ps', '-a'], ctx);
		assert.match(out.stdout, /\x1b\[2mExited \(0\)/, 'the status is still coloured');
		assert.doesNotMatch(out.stdout.replace(/\x1b\[\d+m/g, ''), RAW_CONTROL);
	});

	it('inspect and ps --json: the label is JSON-escaped, C1 included, and parses back', async () => {
		const label = `${EVIL}\x9b`;
		const info = {
			...evil,
			labels: {k: label},
			config: {labels: {k: label}} as never,
			paths: {bundle: '/b', log: '/l', monitorPidFile: '/m'},
			userNamespace: null,
			network: null,
			networks: [],
		} as ContainerInfo;
		const {ctx, out} = fakeContext({inspectContainer: async () => info, listContainers: async () => [info]});
		assert.equal(await runCli(['inspect', 'evil'], ctx), 0);
		assert.match(out.stdout, /"k": "\\u001b\]0;pwned\\u0007\\nnext\\u009b"/);
		assert.doesNotMatch(out.stdout, RAW_CONTROL);
		assert.equal(JSON.parse(out.stdout)[0].labels.k, label);
		out.stdout = '';
		await runCli(['ps', '-a', '--json'], ctx);
		assert.doesNotMatch(out.stdout, RAW_CONTROL);
		assert.equal(JSON.parse(out.stdout)[0].labels.k, label);
	});

	it('error lines escape what the user typed and what a foreign error says', async () => {
		const typed = fakeContext();
		assert.equal(await runCli([`bad${EVIL}`], typed.ctx), 2);
		assert.equal(typed.out.stderr, `c32: error: unknown command "bad\\x1b]0;pwned\\x07\\nnext"\nSee 'c32 --help'.\n`);
		const foreign = fakeContext({
			stopContainer: async () => Promise.reject(new Error(`runc said \x1b[2J\x9b1;1H`)),
			getContainer: async (ref: string) => Promise.reject(new Error(`no ${ref}`)),
			listContainers: async () => [],
			getHostStats: async () => ({cpuCount: 1, cpuPercent: 0, memoryTotalMb: 1, memoryUsedMb: 0, loadAverage: [0, 0, 0]}),
			getMetricsBatch: async () => [],
		});
		assert.equal(await runCli(['stop', `a${EVIL}`], foreign.ctx), 1);
		assert.equal(await runCli(['stats', '--no-stream', `b\x1b]2;x\x07`], foreign.ctx), 1);
		assert.equal(foreign.out.stderr, 'c32: error: runc said \\x1b[2J\\x9b1;1H\nc32: error: no b\\x1b]2;x\\x07\n');
	});

	it('the lines of several refs are the refs as typed, escaped', async () => {
		const {ctx, out} = fakeContext({startContainer: async () => container('x')});
		assert.equal(await runCli(['start', `x${EVIL}`], ctx), 0);
		assert.equal(out.stdout, 'x\\x1b]0;pwned\\x07\\nnext\n');
	});
});
