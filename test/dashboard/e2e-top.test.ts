// `c32 top` end to end: the built binary in a real terminal (tmux) against real containers.
// Keys go in with send-keys, the screen comes back with capture-pane, and every action is
// checked against the engine's own view through the CLI.
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, before, describe, it, type TestContext} from 'node:test';
import {C32Sandbox, CLI_PATH} from '../cli/binary.js';
import {needsRuntime} from '../helpers/engine.js';

const SOCKETS = [`c32-top-e2e-${process.pid}`, `c32-top-e2e-${process.pid}-sigterm`];
const SESSION = 'top';
// Each test has a tmux server of its own: one that is shutting down cannot take a new session.
let socket = SOCKETS[0]!;

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', socket, ...args], {encoding: 'utf8'});
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

function row(text: string, name: string): string {
	return text.split('\n').find((line) => new RegExp(`^[▶ ] ${name} `).test(line)) ?? '';
}

describe('c32 top in a terminal', () => {
	let box: C32Sandbox;
	let configDir: string;
	before(() => {
		box = new C32Sandbox();
		configDir = fs.mkdtempSync(path.join(box.dir, 'config-'));
	});
	after(async () => {
		for (const name of SOCKETS) spawnSync('tmux', ['-L', name, 'kill-server']);
		await box.dispose();
	});

	async function c32(...args: string[]) {
		const result = await box.run(args);
		assert.equal(result.code, 0, `c32 ${args.join(' ')}: ${result.stderr}`);
		return result.stdout;
	}

	async function state(name: string): Promise<string | null> {
		const list = JSON.parse(await c32('ps', '-a', '--json')) as {name: string; state: string}[];
		return list.find((container) => container.name === name)?.state ?? null;
	}

	it('shows real containers, follows their logs, and acts on them from the keyboard', async (t) => {
		if (!needsRuntime(t) || !hasTmux(t)) return;
		const script = path.join(box.dir, 'ticker.sh');
		fs.writeFileSync(
			script,
			'i=0\nwhile true; do i=$((i+1)); echo "tick $i"; [ $((i % 3)) -eq 0 ] && echo "warning $i" >&2; sleep 0.2; done\n',
		);
		await c32('run', '-d', '--name', 'e2e-ticker', '--cpu-limit', '50', '-m', '64m', script);
		await c32('run', '-d', '--name', 'e2e-sleeper', '--isolation', 'strict', '--', 'sleep', '600');

		// The first tmux command starts this socket's server, whose environment every pane gets.
		const env = {...box.env({C32_CONFIG_DIR: configDir}), TERM: 'xterm-256color'};
		// The pane stays open after c32 top ends so its exit status can be read back.
		const command = `${quote(process.execPath)} ${quote(CLI_PATH)} top --interval 500ms; echo "top exited $?"; sleep 600`;
		execFileSync('tmux', ['-L', socket, '-f', '/dev/null', 'new-session', '-d', '-s', SESSION, '-x', '120', '-y', '36', command], {env});

		let text = await waitForScreen(
			(s) => row(s, 'e2e-ticker').includes('running') && row(s, 'e2e-sleeper').includes('running'),
			'both containers',
		);
		assert.match(text, /2 containers: 2 running · 0 paused · 0 exited/);
		assert.match(text, /runtime (runc|crun)/);
		assert.match(text, /every 0\.5s/);
		assert.match(row(text, 'e2e-sleeper'), /strict/);
		assert.match(row(text, 'e2e-ticker'), /\/64M/, 'the memory limit from the cgroup');

		press('N');
		text = await waitForScreen((s) => s.includes('NAME▲'), 'sorted by name');
		assert.ok(text.indexOf('e2e-sleeper') < text.indexOf('e2e-ticker'));
		press('j');
		text = await waitForScreen((s) => /▶ e2e-ticker/.test(s) && /Logs e2e-ticker/.test(s) && /tick \d+/.test(s), 'the ticker log');
		assert.match(text, /^! .*warning \d+/m, 'stderr lines are marked');
		assert.match(text, /CPU .*limit 50%/);
		assert.match(text, /MEM .*limit 64M/);

		// Searching the log.
		press('Tab', '/', 'warning', 'Enter');
		text = await waitForScreen((s) => /search "warning" \d+\/\d+/.test(s), 'a search result');
		press('N');
		await waitForScreen((s) => /paused/.test(s), 'the log paused on a match');
		press('G', 'Escape');

		// Pause and resume the sleeper: the engine must agree.
		press('k', 'p');
		await waitForScreen((s) => s.includes('Paused e2e-sleeper'), 'the pause to finish');
		assert.equal(await state('e2e-sleeper'), 'paused');
		await waitForScreen((s) => /paused/.test(row(s, 'e2e-sleeper')), 'the sleeper shown paused');
		press('p');
		await waitForScreen((s) => s.includes('Resumed e2e-sleeper'), 'the resume');
		assert.equal(await state('e2e-sleeper'), 'running');

		// A container created by another process shows up.
		await c32('run', '-d', '--name', 'e2e-newcomer', '--', 'sleep', '600');
		await waitForScreen((s) => row(s, 'e2e-newcomer').includes('running'), 'the newcomer');

		// Remove the sleeper: confirm first, forced because it runs.
		press('d');
		await waitForScreen((s) => s.includes('Remove e2e-sleeper? It is running and will be killed.'), 'the confirmation');
		press('n');
		await waitForScreen((s) => s.includes('Kept e2e-sleeper'), 'kept');
		assert.equal(await state('e2e-sleeper'), 'running');
		press('d', 'y');
		await waitForScreen((s) => s.includes('Removed e2e-sleeper') && row(s, 'e2e-sleeper') === '', 'the removal');
		assert.equal(await state('e2e-sleeper'), null);

		press('?');
		await waitForScreen((s) => s.includes('any key closes') && s.includes('pause / resume'), 'the help');
		press('Escape');
		await waitForScreen((s) => !s.includes('any key closes'), 'the help to close');

		// Resize: the layout follows the terminal.
		tmux('resize-window', '-t', SESSION, '-x', '80', '-y', '24');
		text = await waitForScreen((s) => s.includes('NAME') && !s.includes('ISOLATION'), 'the narrow layout');
		for (const line of text.split('\n')) assert.ok(line.length <= 80, `"${line}" fits 80 columns`);

		press('q');
		text = await waitForScreen((s) => s.includes('top exited 0'), 'c32 top to exit');
		assert.doesNotMatch(text, /NAME/, 'the dashboard is gone: the normal screen is back');
		const prefs = JSON.parse(fs.readFileSync(path.join(configDir, 'top.json'), 'utf8')) as {sortColumn: string; intervalMs: number};
		assert.equal(prefs.sortColumn, 'name', 'the sort column was remembered');
		assert.equal(prefs.intervalMs, 500);
	});

	it('gives the terminal back when killed with SIGTERM', async (t) => {
		if (!needsRuntime(t) || !hasTmux(t)) return;
		const env = {...box.env({C32_CONFIG_DIR: configDir}), TERM: 'xterm-256color'};
		socket = SOCKETS[1]!;
		// The pane stays after c32 top ends, so its exit status and screen mode can be read;
		// everything it writes is copied to a file.
		const output = path.join(box.dir, 'top-output.bin');
		// tmux 3.3 loses the exit status of a pane process that exits right after a signal, so a
		// shell around c32 top records it.
		const statusFile = path.join(box.dir, 'top-status');
		execFileSync(
			'tmux',
			[
				'-L',
				socket,
				'-f',
				'/dev/null',
				'new-session',
				'-d',
				'-s',
				SESSION,
				'-x',
				'100',
				'-y',
				'30',
				`${quote(process.execPath)} ${quote(CLI_PATH)} top; echo "exit=$?" > ${quote(statusFile)}`,
				';',
				'set-option',
				'-t',
				SESSION,
				'remain-on-exit',
				'on',
				';',
				'pipe-pane',
				'-t',
				SESSION,
				'-o',
				`cat > ${quote(output)}`,
			],
			{env},
		);
		await waitForScreen((s) => s.includes('? help'), 'the dashboard');
		const pane = (format: string) => tmux('display-message', '-p', '-t', SESSION, format).trim();
		assert.equal(pane('#{alternate_on}'), '1', 'the dashboard is on the alternate screen');
		const top = execFileSync('pgrep', ['-P', pane('#{pane_pid}')], {encoding: 'utf8'})
			.trim()
			.split('\n')[0]!;
		process.kill(Number(top), 'SIGTERM');
		const deadline = Date.now() + 10_000;
		while (!fs.existsSync(statusFile) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
		await new Promise((resolve) => setTimeout(resolve, 100));
		assert.equal(fs.readFileSync(statusFile, 'utf8').trim(), 'exit=0', 'c32 top exited normally on SIGTERM');
		assert.equal(pane('#{alternate_on}'), '0', 'back on the normal screen');
		// tmux hides the cursor of a dead pane, so read what c32 top wrote last instead.
		const written = fs.readFileSync(output, 'latin1');
		assert.ok(written.lastIndexOf('\x1b[?1049l') > written.lastIndexOf('\x1b[?1049h'), 'left the alternate screen');
		assert.ok(written.lastIndexOf('\x1b[?25h') > written.lastIndexOf('\x1b[?25l'), 'showed the cursor again');
	});
});
