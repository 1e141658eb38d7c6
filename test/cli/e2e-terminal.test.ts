// What a person sees in a terminal: the dashboard starting from `c32 top`, `stats` redrawing
// in place, colour in `ps`. Each runs in a tmux pane on a private tmux server.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {needsRuntime} from '../helpers/engine.js';
import {CLI_PATH, suiteSandbox} from './binary.js';

const SOCKET = `c32-cli-test-${process.pid}`;

function tmux(...args: string[]): string {
	return execFileSync('tmux', ['-L', SOCKET, ...args], {encoding: 'utf8'});
}

function hasTmux(): boolean {
	try {
		execFileSync('tmux', ['-V']);
		return true;
	} catch {
		return false;
	}
}

/**
 * Starts `c32 ...args` in a new 120x40 tmux window; returns its target. A shell around it
 * prints its exit status (tmux itself can lose it when the pane's terminal closes first), and
 * survives the Ctrl-C meant for c32.
 */
function openPane(name: string, storageDir: string, args: string[], env: Record<string, string> = {}): string {
	const vars = Object.entries({C32_STORAGE_DIR: storageDir, TERM: 'xterm-256color', ...env}).map(([k, v]) => `${k}=${quote(v)}`);
	const command = ['env', ...vars, process.execPath, CLI_PATH, ...args]
		.map((word, i) => (i > 0 && word.includes('=') ? word : quote(word)))
		.join(' ');
	tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', 'sh', '-c', `trap : INT; ${command}; echo "c32-exit=$?"; sleep 60`);
	return name;
}

function quote(word: string): string {
	return `'${word.replace(/'/g, `'\\''`)}'`;
}

function screen(target: string, escapes = false): string {
	return tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', target);
}

async function waitForScreen(target: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
	const deadline = Date.now() + timeoutMs;
	let text = '';
	while (Date.now() < deadline) {
		text = screen(target);
		if (pattern.test(text)) return text;
		await sleep(100);
	}
	throw new Error(`${pattern} never showed; the screen was:\n${text}`);
}

/** The exit status c32 ended with in the pane, or null if it has not ended in time. */
async function exitStatus(target: string, timeoutMs = 10_000): Promise<number | null> {
	try {
		return Number(/c32-exit=(\d+)/.exec(await waitForScreen(target, /c32-exit=\d+/, timeoutMs))![1]);
	} catch {
		return null;
	}
}

describe('in a terminal', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	const box = suiteSandbox();
	after(() => {
		try {
			tmux('kill-server');
		} catch {
			// no session was ever started
		}
	});

	it('c32 top opens the dashboard on the containers and quits with q', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['run', '-d', '--name', 'on-screen', '--', 'sleep', '60']);
		const pane = openPane('top', box.dir, ['top', '--interval', '500ms'], {C32_CONFIG_DIR: box.dir});
		await waitForScreen(pane, /on-screen/);
		tmux('send-keys', '-t', pane, 'q');
		assert.equal(await exitStatus(pane), 0, `c32 top did not quit on q with 0; the screen:\n${screen(pane)}`);
	});

	it('c32 stats redraws one table in place', async (t) => {
		if (!needsRuntime(t)) return;
		const pane = openPane('stats', box.dir, ['stats']);
		await waitForScreen(pane, /on-screen\s+\d+\.\d\d%/);
		await sleep(2500);
		const text = screen(pane);
		assert.equal(text.match(/CONTAINER ID/g)?.length, 1, text);
		tmux('send-keys', '-t', pane, 'C-c');
		assert.equal(await exitStatus(pane), 0, `c32 stats did not end on Ctrl-C with 0; the screen:\n${screen(pane)}`);
	});

	it('c32 ps colours states on a terminal, and not with NO_COLOR', async (t) => {
		if (!needsRuntime(t)) return;
		const coloured = openPane('ps', box.dir, ['ps']);
		await waitForScreen(coloured, /on-screen/);
		assert.match(screen(coloured, true), /\x1b\[32mUp /);
		const plain = openPane('ps-plain', box.dir, ['ps'], {NO_COLOR: '1'});
		await waitForScreen(plain, /on-screen/);
		assert.doesNotMatch(screen(plain, true), /\x1b\[3\dm/);
	});
});
