// Interactive containers as a person uses them, in tmux panes: `run -it` (a real terminal,
// its size and resizes, Ctrl-C to the shell, the exit code, the caller's terminal restored,
// --rm), `create -it` + `start -ai`, `attach` and Ctrl-P Ctrl-Q; and, without a terminal,
// `run -i` with piped stdin, `run -t`, and the bad input of both.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {after, describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {needsRuntime} from '../helpers/engine.js';
import {suiteSandbox} from './binary.js';
import {hasTmux, TmuxServer} from './tmux.js';

/** What `stty -a` printed after c32 ended: the caller's terminal is cooked again. */
function assertRestored(screen: string): void {
	const settings = screen.slice(screen.indexOf('c32-exit='));
	assert.match(settings, /(^|\s)icanon(\s|$)/m, `icanon is off after c32 ended:\n${settings}`);
	assert.match(settings, /(^|\s)echo(\s|$)/m, `echo is off after c32 ended:\n${settings}`);
	assert.match(settings, /(^|\s)isig(\s|$)/m, `isig is off after c32 ended:\n${settings}`);
}

describe('interactive containers in a terminal', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	const box = suiteSandbox();
	const tmux = new TmuxServer();
	after(() => tmux.kill());

	it('run -it --rm -- sh: a pts of the pane’s size that follows resizes, Ctrl-C for the shell, its exit code, nothing left', async (t) => {
		if (!needsRuntime(t)) return;
		const pane = tmux.openC32('it', box.dir, ['run', '-it', '--rm', '--name', 'it-shell', '--', 'sh'], {columns: 120, rows: 40});
		await tmux.waitFor(pane, /# $/m);
		tmux.line(pane, 'tty; stty size');
		await tmux.waitFor(pane, /\/dev\/pts\/\d+\n40 120\n/);
		tmux.resize(pane, 100, 30);
		await sleep(300);
		tmux.line(pane, 'stty size');
		await tmux.waitFor(pane, /\n30 100\n/);

		tmux.line(pane, 'sleep 60');
		await tmux.waitFor(pane, /# sleep 60\n/);
		tmux.keys(pane, 'C-c');
		tmux.line(pane, 'echo after-$((40+2))');
		const screen = await tmux.waitFor(pane, /\nafter-42\n/);
		assert.doesNotMatch(screen, /c32: stopping/, 'Ctrl-C went to c32, not to the shell');

		tmux.line(pane, 'exit 3');
		assert.equal(await tmux.exitStatus(pane), 3);
		assertRestored(await tmux.waitFor(pane, /c32-exit=3[\s\S]*icanon/));
		const left = await box.run(['ps', '-aq']);
		assert.equal(left.stdout, '', '--rm left the container behind');
	});

	it('create -it, then start -ai: the terminal from the first prompt on', async (t) => {
		if (!needsRuntime(t)) return;
		const created = await box.run(['create', '-it', '--name', 'later-shell', '--', 'sh']);
		assert.equal(created.code, 0, created.stderr);
		const pane = tmux.openC32('start-ai', box.dir, ['start', '-ai', 'later-shell'], {columns: 90, rows: 25});
		await tmux.waitFor(pane, /# $/m);
		tmux.line(pane, 'stty size; echo started-$((2+3))');
		await tmux.waitFor(pane, /\n25 90\nstarted-5\n/);
		tmux.line(pane, 'exit');
		assert.equal(await tmux.exitStatus(pane), 0);
		assertRestored(await tmux.waitFor(pane, /c32-exit=0[\s\S]*icanon/));
		const [info] = JSON.parse((await box.run(['inspect', 'later-shell'])).stdout);
		assert.equal(info.state, 'exited');
	});

	it('attach to a running -it container, then Ctrl-P Ctrl-Q: c32 leaves, the container keeps running', async (t) => {
		if (!needsRuntime(t)) return;
		const started = await box.run(['run', '-d', '-it', '--name', 'background', '--', 'sh']);
		assert.equal(started.code, 0, started.stderr);
		const pane = tmux.openC32('attach', box.dir, ['attach', 'background']);
		// The prompt was printed before the attach: nothing shows until the shell is spoken to.
		await sleep(1000);
		tmux.line(pane, 'echo attached-$((3+4))');
		await tmux.waitFor(pane, /\nattached-7\n/);
		tmux.keys(pane, 'C-p', 'C-q');
		assert.equal(await tmux.exitStatus(pane), 0);
		assertRestored(await tmux.waitFor(pane, /c32-exit=0[\s\S]*icanon/));
		const [info] = JSON.parse((await box.run(['inspect', 'background'])).stdout);
		assert.equal(info.state, 'running', 'the detach stopped the container');

		const again = tmux.openC32('attach-again', box.dir, ['attach', 'background']);
		await sleep(1000);
		tmux.line(again, 'exit 9');
		assert.equal(await tmux.exitStatus(again), 9);
	});

	it('SIGTERM to c32 in raw mode: the container is stopped and the terminal restored', async (t) => {
		if (!needsRuntime(t)) return;
		const pane = tmux.openC32('term', box.dir, ['run', '-it', '--rm', '--stop-timeout', '1', '--name', 'terminated', '--', 'sh']);
		await tmux.waitFor(pane, /# $/m);
		const wrapper = Number(tmux.run('display-message', '-p', '-t', pane, '#{pane_pid}').trim());
		const c32 = Number(fs.readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'utf8').trim().split(/\s+/)[0]);
		assert.match(fs.readFileSync(`/proc/${c32}/cmdline`, 'utf8'), /^c32\0/, 'the pane runs c32 (its process title)');
		process.kill(c32, 'SIGTERM');
		await tmux.waitFor(pane, /c32: stopping terminated/);
		// sh is PID 1 and ignores SIGTERM: the stop kills it after its timeout.
		assert.equal(await tmux.exitStatus(pane), 137);
		assertRestored(await tmux.waitFor(pane, /c32-exit=137[\s\S]*icanon/));
	});

	it('run -i without -t at a terminal: Ctrl-C stops the container, as attached run does', async (t) => {
		if (!needsRuntime(t)) return;
		const pane = tmux.openC32('interactive', box.dir, ['run', '-i', '--rm', '--name', 'plain-input', '--stop-timeout', '1', '--', 'cat']);
		tmux.line(pane, 'typed-line');
		await tmux.waitFor(pane, /typed-line\ntyped-line\n/);
		tmux.keys(pane, 'C-c');
		await tmux.waitFor(pane, /c32: stopping plain-input \(Ctrl-C again to kill it\)/);
		// cat is PID 1 and ignores SIGTERM: the stop kills it after its timeout.
		assert.equal(await tmux.exitStatus(pane), 137);
	});
});

describe('interactive containers without a terminal', () => {
	const box = suiteSandbox();

	it('run -i: piped stdin reaches the process, EOF ends it, the exit code is its own', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '-i', '--rm', '--', 'sh', '-c', 'tr a-z A-Z; echo done >&2; exit 4'], {input: 'hello\nworld\n'});
		assert.equal(result.code, 4, result.stderr);
		assert.equal(result.stdout, 'HELLO\nWORLD\n');
		assert.equal(result.stderr, 'done\n');
	});

	it('run -t alone works without a terminal: the container still gets one', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '-t', '--rm', '--', 'sh', '-c', 'tty; exit 2']);
		assert.equal(result.code, 2, result.stderr);
		assert.match(result.stdout, /^\/dev\/pts\/\d+\r\n$/);
	});

	it('bad input: -it without a terminal, attach to unknown or stopped containers, start -a of two', async (t) => {
		if (!needsRuntime(t)) return;
		for (const args of [
			['run', '-it', '--rm', '--', 'sh'],
			['run', '--detach-keys', 'ctrl-a', '--', 'sh'],
		]) {
			const result = await box.run(args);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, /^c32: error: .+\nSee 'c32 run --help'\.\n$/);
		}
		assert.match((await box.run(['run', '-it', '--', 'sh'])).stderr, /the input device is not a TTY/);
		assert.equal((await box.run(['ps', '-aq'])).stdout, '', 'a refused run created nothing');

		const unknown = await box.run(['attach', 'no-such-container']);
		assert.equal(unknown.code, 1);
		assert.match(unknown.stderr, /^c32: error: .*no-such-container.*\n$/);

		assert.equal((await box.run(['run', '--name', 'done', '--', 'true'])).code, 0);
		const stopped = await box.run(['attach', 'done']);
		assert.equal(stopped.code, 1);
		assert.equal(stopped.stderr, 'c32: error: container done is not running (exited): start it attached with c32 start -a done\n');
		const badKeys = await box.run(['start', '-ai', '--detach-keys', 'ctrl-', 'done']);
		assert.match(badKeys.stderr, /^c32: error: invalid detach keys "ctrl-"/);
		const two = await box.run(['start', '-a', 'done', 'done']);
		assert.equal(two.code, 2);
		assert.match(two.stderr, /attaches to one container/);
		const minimal = await box.run(['run', '-it', '--isolation', 'minimal', '--', 'sh'], {});
		assert.equal(minimal.code, 2, 'no terminal: refused before the engine is asked');
		const minimalI = await box.run(['run', '-i', '--isolation', 'minimal', '--', 'cat'], {input: 'x'});
		assert.equal(minimalI.code, 125);
		assert.match(minimalI.stderr, /needs standard or strict isolation/);
	});
});
