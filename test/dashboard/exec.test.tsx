// The dashboard's `e`: the prompt, the command handed to execInContainer with a terminal,
// the terminal lent and taken back (by the harness's handoff here; the real one in a
// headless terminal below), errors in the status line, and the UI state kept.
import assert from 'node:assert/strict';
import {afterEach, describe, test} from 'node:test';
import {splitCommandLine} from '../../components/model/command-line.js';
import {holdInput, resumeInput} from '../../components/terminal-handoff.js';
import {runTop} from '../../components/top.js';
import {C32Error} from '../../engine/index.js';
import {FakeEngine} from './fake-engine.js';
import {type Harness, KEY, mount} from './harness.js';
import {HeadlessTerminal, Keyboard, memoryPrefs, waitFor} from './util.js';

let current: Harness | null = null;

async function open(engine: FakeEngine, options: Parameters<typeof mount>[1] = {}): Promise<Harness> {
	current = await mount(engine, {prefs: {sortColumn: 'name', sortDescending: false}, ...options});
	await current.waitFor((frame) => / containers?: /.test(frame), 'the first frame');
	return current;
}

afterEach(() => {
	current?.unmount();
	current = null;
});

function workers(): FakeEngine {
	const engine = new FakeEngine();
	engine.add({name: 'alpha'});
	engine.add({name: 'bravo'});
	engine.add({name: 'paused-one', state: 'paused'});
	engine.add({name: 'stopped-one', state: 'stopped', exitCode: 143});
	return engine;
}

const statusLine = (ui: Harness) => ui.lines().at(-1) ?? '';

async function type(ui: Harness, text: string): Promise<void> {
	for (const char of text) await ui.press(char);
}

describe('e: a shell in the selected container', () => {
	test('e asks for the command; Enter runs sh with a terminal, the terminal is lent and given back', async () => {
		const engine = workers();
		const ui = await open(engine);
		assert.equal(ui.selectedName(), 'alpha');
		await ui.press('e');
		await ui.waitFor((frame) => frame.includes('run in alpha: command (default sh): █'), 'the prompt');
		assert.match(statusLine(ui), /Enter runs · Esc cancels/);
		assert.deepEqual(engine.callsTo('execInContainer'), [], 'nothing runs before Enter');
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('sh in alpha exited with code 0'), 'the result');
		const alpha = engine.find('alpha').meta.id;
		assert.deepEqual(engine.callsTo('execInContainer'), [[alpha, {command: ['sh'], tty: true, stdio: 'inherit'}]]);
		assert.deepEqual(ui.handoffs, ['lend', 'return']);
	});

	test('a typed command is split into words as a shell would, and its exit code is shown', async () => {
		const engine = workers();
		engine.execExitCode = 3;
		const ui = await open(engine);
		await ui.press('j', 'e');
		await type(ui, `sh -c 'echo "a b"; exit 3'`);
		await ui.waitFor((frame) => frame.includes(`run in bravo: command (default sh): sh -c 'echo "a b"; exit 3'█`), 'the typed command');
		await ui.press(KEY.backspace, KEY.backspace, '4', "'");
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('exited with code 3'), 'the result');
		assert.deepEqual(engine.callsTo('execInContainer')[0]?.[1], {command: ['sh', '-c', 'echo "a b"; exit 4'], tty: true, stdio: 'inherit'});
		assert.match(statusLine(ui), /sh -c echo "a b"; exit 4 in bravo exited with code 3/);
	});

	test('Esc cancels the prompt; an unclosed quote is not run', async () => {
		const engine = workers();
		const ui = await open(engine);
		await ui.press('e', 'l', 's', KEY.escape);
		await ui.waitFor((frame) => !frame.includes('run in alpha'), 'the prompt to close');
		await ui.press('e');
		await type(ui, "sh -c 'oops");
		await ui.press(KEY.enter);
		await ui.waitFor((frame) => frame.includes('Not run: unclosed single quote in the command'), 'the refusal');
		assert.deepEqual(engine.callsTo('execInContainer'), []);
		assert.deepEqual(ui.handoffs, [], 'the terminal was never lent');
	});

	test('a paused or stopped container: a status-line message instead of the prompt', async () => {
		const engine = workers();
		const ui = await open(engine);
		await ui.press('j', 'j', 'e');
		await ui.waitFor((frame) => frame.includes('paused-one is paused: resume it (p) to open a shell in it'), 'the paused message');
		await ui.press('j', 'e');
		await ui.waitFor((frame) => frame.includes('stopped-one is stopped: start it (s) to open a shell in it'), 'the stopped message');
		assert.doesNotMatch(ui.frame(), /command \(default sh\)/);
		assert.deepEqual(engine.callsTo('execInContainer'), []);
	});

	test("the engine's error shows in the status line, and the terminal still comes back", async () => {
		const engine = workers();
		engine.failNext('exec', new C32Error('BAD_STATE', 'Cannot exec in alpha: it is stopped'));
		const ui = await open(engine);
		await ui.press('e', KEY.enter);
		await ui.waitFor((frame) => frame.includes('Could not run sh in alpha: Cannot exec in alpha: it is stopped [BAD_STATE]'), 'the error');
		assert.deepEqual(ui.handoffs, ['lend', 'return']);
	});

	test('keys read together with the Enter were typed for the shell: the dashboard does not act on them', async () => {
		const engine = workers();
		engine.hold();
		const ui = await open(engine);
		await ui.press('e');
		await ui.waitFor((frame) => frame.includes('run in alpha'), 'the prompt');
		await ui.press('\rxd');
		await waitFor(() => engine.callsTo('execInContainer').length === 1, 'the exec call');
		await ui.press('q', 'd');
		assert.equal(ui.quits(), 0);
		assert.doesNotMatch(ui.frame(), /Remove alpha\?/);
		engine.release();
		await ui.waitFor((frame) => frame.includes('sh in alpha exited with code 0'), 'the result');
		assert.deepEqual(engine.callsTo('stopContainer'), []);
		await ui.press('x');
		await waitFor(() => engine.callsTo('stopContainer').length === 1, 'keys to work again');
	});

	test('the selection, sort and filter are the same afterwards', async () => {
		const engine = workers();
		const ui = await open(engine);
		await ui.press('/', 'o', KEY.enter, 'N', 'j', 'j');
		await ui.waitFor((frame) => /NAME▼/.test(frame) && /^▶ bravo /m.test(frame), 'bravo selected, sorted by name descending');
		const table = () =>
			ui.lines().flatMap((line) => /^([▶ ]) (alpha|bravo|paused-one|stopped-one) /.exec(line)?.slice(1, 3).join('') ?? []);
		const before = {selected: ui.selectedName(), table: table()};
		assert.equal(before.selected, 'bravo');
		assert.deepEqual(before.table, [' stopped-one', ' paused-one', '▶bravo'], 'filtered by "o", by name descending');
		await ui.press('e', KEY.enter);
		await ui.waitFor((frame) => frame.includes('sh in bravo exited with code 0'), 'the result');
		assert.equal(ui.selectedName(), before.selected);
		assert.deepEqual(table(), before.table);
		assert.match(ui.frame(), /NAME▼/, 'still sorted by name, descending');
		assert.match(statusLine(ui), /filter "o"/);
	});
});

describe('splitCommandLine', () => {
	test('words, quotes and backslashes as a shell splits them; nothing typed is sh', () => {
		assert.deepEqual(splitCommandLine(''), {words: ['sh']});
		assert.deepEqual(splitCommandLine('   '), {words: ['sh']});
		assert.deepEqual(splitCommandLine('bash -l'), {words: ['bash', '-l']});
		assert.deepEqual(splitCommandLine(`sh -c 'echo "$HOME"; ls'`), {words: ['sh', '-c', 'echo "$HOME"; ls']});
		assert.deepEqual(splitCommandLine('echo "a \\"b\\" \\x" \'\' c\\ d'), {words: ['echo', 'a "b" \\x', '', 'c d']});
		assert.deepEqual(splitCommandLine('a"b"c'), {words: ['abc']});
	});

	test('an unclosed quote or a trailing backslash is an error', () => {
		assert.deepEqual(splitCommandLine("sh -c 'x"), {error: 'unclosed single quote in the command'});
		assert.deepEqual(splitCommandLine('echo "x'), {error: 'unclosed double quote in the command'});
		assert.deepEqual(splitCommandLine('echo \\'), {error: 'the command ends with a lone backslash'});
	});
});

describe('holding the keyboard for the shell', () => {
	test("raw mode off and the terminal handle's reading stopped; then both back", () => {
		const calls: string[] = [];
		const handle = {
			reading: true,
			readStop: () => calls.push('readStop'),
			readStart: () => calls.push('readStart'),
		};
		const stdin = {isTTY: true, setRawMode: (mode: boolean) => calls.push(`raw ${mode}`), _handle: handle};
		holdInput(stdin as unknown as NodeJS.ReadStream);
		assert.deepEqual(calls, ['raw false', 'readStop']);
		assert.equal(handle.reading, false, "Node's stream starts it again when read from");
		resumeInput(stdin as unknown as NodeJS.ReadStream);
		assert.deepEqual(calls, ['raw false', 'readStop', 'raw true', 'readStart']);
		assert.equal(handle.reading, true);
	});
});

describe('e in a terminal: the screen is given up and restored', () => {
	test('while the command runs: the normal screen, cooked mode, no ticks; afterwards everything back', async () => {
		const engine = workers();
		const terminal = new HeadlessTerminal(100, 30);
		const keyboard = new Keyboard();
		const done = runTop(engine, {
			stdin: keyboard as unknown as NodeJS.ReadStream,
			stdout: terminal as unknown as NodeJS.WriteStream,
			stderr: terminal as unknown as NodeJS.WriteStream,
			prefs: memoryPrefs({intervalMs: 250, sortColumn: 'name', sortDescending: false}),
		});
		const screen = async (check: (text: string) => boolean, what: string) => {
			await waitFor(() => check(terminal.text()), what, 4000).catch(async (error: Error) => {
				await terminal.settle();
				throw new Error(`${error.message}; screen:\n${terminal.text()}`);
			});
			await terminal.settle();
		};
		await screen((text) => text.includes('▶ alpha'), 'the dashboard');
		assert.equal(terminal.term.buffer.active.type, 'alternate');
		assert.equal(keyboard.rawMode, true);
		keyboard.press('j');
		await screen((text) => text.includes('▶ bravo'), 'bravo selected');

		engine.hold();
		keyboard.press('e');
		await screen((text) => text.includes('run in bravo'), 'the prompt');
		keyboard.press('\r');
		await waitFor(() => engine.callsTo('execInContainer').length === 1, 'the exec call');
		await terminal.settle();
		assert.equal(terminal.term.buffer.active.type, 'normal', 'the alternate screen was left');
		assert.equal(keyboard.rawMode, false, 'the terminal is back in cooked mode');
		assert.ok(terminal.written.endsWith('\x1b[?25h'), 'the cursor is shown');
		const ticks = engine.callsTo('listContainers').length;
		await new Promise((resolve) => setTimeout(resolve, 800));
		assert.equal(engine.callsTo('listContainers').length, ticks, 'no data ticks while the command has the terminal');
		const writtenWhileLent = terminal.written.length;
		engine.emitLog('bravo', 'a log line while the shell runs');
		await new Promise((resolve) => setTimeout(resolve, 300));
		assert.equal(terminal.written.length, writtenWhileLent, 'nothing is drawn over the command');

		engine.release();
		await screen((text) => text.includes('sh in bravo exited with code 0'), 'the dashboard back');
		assert.equal(terminal.term.buffer.active.type, 'alternate');
		assert.equal(keyboard.rawMode, true, 'raw mode again');
		const text = terminal.text();
		assert.match(text, /▶ bravo/, 'the selection kept');
		assert.match(text, /NAME▲/, 'the sort kept');
		assert.match(text, /c32 top/, 'the header drawn again');
		assert.match(text, /a log line while the shell runs/, 'the log pane drawn again, with what came meanwhile');
		await waitFor(() => engine.callsTo('listContainers').length > ticks, 'the ticks to resume');
		keyboard.press('q');
		await done;
	});
});
