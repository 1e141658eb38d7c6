// `e` in the built `c32 top`, in a real terminal (tmux), in a real container: the shell gets
// the terminal (a pts of the container's own, the size of the pane, Ctrl-C its own, every key
// typed), and the dashboard comes back whole when it exits. Needs the engine's
// execInContainer (branch exec of issue 9).
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it, type TestContext} from 'node:test';
import {C32Sandbox, CLI_PATH} from '../cli/binary.js';
import {needsRuntime} from '../helpers/engine.js';

const SOCKET = `c32-top-exec-${process.pid}`;
const SESSION = 'top';

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'});
}

function quote(word: string): string {
	return `'${word.replace(/'/g, `'\\''`)}'`;
}

function hasTmux(t: TestContext): boolean {
	if (spawnSync('tmux', ['-V']).status === 0) return true;
	if (process.env['CI']) assert.fail('tmux is needed for the dashboard end-to-end test (apt-get install tmux)');
	t.skip('tmux is not installed');
	return false;
}

function screen(): string {
	return tmux('capture-pane', '-p', '-t', SESSION);
}

async function waitForScreen(check: (text: string) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let text = '';
	while (Date.now() < deadline) {
		text = screen();
		if (check(text)) return text;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
}

function press(...keys: string[]): void {
	for (const key of keys) tmux('send-keys', '-t', SESSION, key);
}

/** Types text literally (no key names), then Enter. */
function typeLine(text: string): void {
	tmux('send-keys', '-t', SESSION, '-l', text);
	tmux('send-keys', '-t', SESSION, 'Enter');
}

function row(text: string, name: string): string {
	return text.split('\n').find((line) => new RegExp(`^[▶ ] ${name} `).test(line)) ?? '';
}

describe('e in c32 top: a shell in a real container', () => {
	let box: C32Sandbox;
	before(() => {
		box = new C32Sandbox();
	});
	after(async () => {
		spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
		await box.dispose();
	});

	async function c32(...args: string[]) {
		const result = await box.run(args);
		assert.equal(result.code, 0, `c32 ${args.join(' ')}: ${result.stderr}`);
		return result.stdout;
	}

	it('gives the terminal to the shell and comes back intact when it exits', async (t) => {
		if (!needsRuntime(t) || !hasTmux(t)) return;
		await c32('run', '-d', '--name', 'e2e-shell', '--', 'sleep', '600');
		await c32('create', '--name', 'e2e-idle', '--', 'sleep', '600');
		const configDir = fs.mkdtempSync(path.join(box.dir, 'config-'));
		const env = {...box.env({C32_CONFIG_DIR: configDir}), TERM: 'xterm-256color'};
		const command = `${quote(process.execPath)} ${quote(CLI_PATH)} top --interval 500ms; echo "top exited $?"; sleep 600`;
		execFileSync('tmux', ['-L', SOCKET, '-f', '/dev/null', 'new-session', '-d', '-s', SESSION, '-x', '120', '-y', '36', command], {env});

		await waitForScreen((s) => row(s, 'e2e-shell').includes('running') && row(s, 'e2e-idle').includes('created'), 'both containers');
		// Sorted by name, e2e-idle comes first: it is not running, so e explains instead.
		press('N');
		if ((await waitForScreen((s) => /NAME[▲▼]/.test(s), 'sorted by name')).includes('NAME▼')) press('N');
		press('Home');
		await waitForScreen((s) => /^▶ e2e-idle /m.test(s) && s.includes('NAME▲'), 'e2e-idle selected');
		press('e');
		await waitForScreen((s) => s.includes('e2e-idle is created: start it (s) to open a shell in it'), 'the refusal');

		press('j', 'e');
		await waitForScreen((s) => s.includes('run in e2e-shell: command (default sh):'), 'the prompt');
		press('Enter');
		// The shell has the normal screen: the dashboard is gone, an interactive prompt shows.
		await waitForScreen((s) => !s.includes('NAME▲') && /^# ?$/m.test(s), 'the shell prompt');
		typeLine('echo "inside-$(hostname)"; tty; stty size');
		let text = await waitForScreen((s) => /^\/dev\/pts\/\d+$/m.test(s) && /^36 120$/m.test(s), 'tty and size');
		assert.match(text, /^inside-e2e-shell$/m);
		// Every key reaches the shell: nothing is left to the dashboard's input.
		typeLine('for w in alpha bravo charlie delta echo foxtrot; do printf "%s," "$w"; done; echo');
		await waitForScreen((s) => s.includes('alpha,bravo,charlie,delta,echo,foxtrot,'), 'every typed key');
		// Ctrl-C is the shell's: it stops the sleep, the dashboard stays.
		typeLine('sleep 100');
		await new Promise((resolve) => setTimeout(resolve, 500));
		press('C-c');
		typeLine('echo after-ctrl-c');
		await waitForScreen((s) => /^after-ctrl-c$/m.test(s), 'the shell after Ctrl-C');
		typeLine('exit 3');

		text = await waitForScreen((s) => s.includes('sh in e2e-shell exited with code 3'), 'the dashboard back');
		assert.match(text, /^▶ e2e-shell /m, 'the selection kept');
		assert.match(text, /NAME▲/, 'the sort kept');
		assert.match(text, /c32 top/, 'the header drawn again');
		assert.doesNotMatch(text, /inside-e2e-shell/, 'the alternate screen covers the shell output again');
		// The dashboard reads keys again.
		press('?');
		await waitForScreen((s) => s.includes('any key closes'), 'the help');
		press('Escape');
		await waitForScreen((s) => !s.includes('any key closes'), 'the help to close');

		// A typed command, quotes and all, that ends by itself.
		press('e');
		await waitForScreen((s) => s.includes('run in e2e-shell'), 'the prompt again');
		tmux('send-keys', '-t', SESSION, '-l', `sh -c 'echo "typed-$((6*7))"; sleep 1'`);
		press('Enter');
		await waitForScreen((s) => /^typed-42$/m.test(s), 'the typed command');
		await waitForScreen((s) => s.includes('sh -c echo "typed-$((6*7))"; sleep 1 in e2e-shell exited with code 0'), 'back again');

		press('q');
		text = await waitForScreen((s) => s.includes('top exited 0'), 'c32 top to exit');
		assert.doesNotMatch(text, /NAME/, 'the normal screen is back');
	});
});
