// attachContainer against real containers: stdin piped to the container (EOF included),
// output streams, terminals (tty, size, resizes), exit codes, detach keys that leave the
// container running, attaching to a running container that has no stdin, and bad input.
import assert from 'node:assert/strict';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import type {AttachOptions, AttachResult, ContainerEngine} from '../../engine/index.js';
import {attachName, socketDir} from '../../engine/paths.js';
import {engineFor, expectCode, needsRuntime, shell, waitFor, withTimeout} from '../helpers/engine.js';

/** Collects what the container wrote to one stream. */
class Sink {
	private chunks: Buffer[] = [];
	write(chunk: Uint8Array): boolean {
		this.chunks.push(Buffer.from(chunk));
		return true;
	}
	get text(): string {
		return Buffer.concat(this.chunks).toString('utf8');
	}
	/** Resolves once the text matches `pattern`. */
	until(pattern: RegExp, what = String(pattern)): Promise<string> {
		return waitFor(() => (pattern.test(this.text) ? this.text : ''), 15_000, `${what}; saw ${JSON.stringify(this.text)}`);
	}
}

function attachWith(engine: ContainerEngine, ref: string, options: Partial<AttachOptions> = {}) {
	const stdout = new Sink();
	const stderr = new Sink();
	const result: Promise<AttachResult> = withTimeout(
		engine.attachContainer(ref, {stdout, stderr, ...options}),
		30_000,
		`the attach to ${ref} to end`,
	);
	return {stdout, stderr, result};
}

/** A terminal of a given size whose resizes the test triggers. */
function fakeTerminal(rows: number, columns: number) {
	const listeners = new Set<(rows: number, columns: number) => void>();
	return {
		rows,
		columns,
		onResize(listener: (rows: number, columns: number) => void) {
			listeners.add(listener);
			return () => listeners.delete(listener);
		},
		resize(rows: number, columns: number) {
			for (const listener of listeners) listener(rows, columns);
		},
		listening: () => listeners.size,
	};
}

describe('attach with stdin (stdinOpen)', () => {
	test('stdin reaches the process, its end is EOF, streams stay apart, the exit code is the process’s', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('cat; echo "eof seen" >&2; exit 3', {name: 'cat', stdinOpen: true}));
		const stdin = new PassThrough();
		const attached = attachWith(engine, created.id, {stdin, start: true});
		stdin.write('first line\n');
		await attached.stdout.until(/first line\n/);
		assert.equal((await engine.getContainer(created.id)).state, 'running', 'cat still waits for input');
		stdin.end('last line\n');
		assert.deepEqual(await attached.result, {exitCode: 3, detached: false});
		assert.equal(attached.stdout.text, 'first line\nlast line\n');
		assert.equal(attached.stderr.text, 'eof seen\n');
		assert.equal(await engine.waitContainer(created.id), 3);
	});

	test('much input arrives whole and in order', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('md5sum', {name: 'bulk', stdinOpen: true}));
		const stdin = new PassThrough();
		const attached = attachWith(engine, created.id, {stdin, start: true});
		// 200 KiB: many of conmon's 32 KiB packets.
		const data = Buffer.alloc(200 * 1024, 'abcdefghij');
		stdin.end(data);
		assert.deepEqual(await attached.result, {exitCode: 0, detached: false});
		assert.equal(attached.stdout.text, `${createHash('md5').update(data).digest('hex')}  -\n`);
	});

	test('a process that stops reading input it is flooded with still has all its output shown', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		// yes | head -2: head reads once, prints and exits while input keeps coming.
		const created = await engine.createContainer({name: 'head', entrypoint: 'head', args: ['-2'], stdinOpen: true});
		const stdin = new PassThrough();
		const chunk = Buffer.alloc(64 * 1024, 'y\n');
		let flooding = true;
		const flood = () => {
			while (flooding && stdin.write(chunk));
			if (flooding) stdin.once('drain', flood);
		};
		flood();
		const attached = attachWith(engine, created.id, {stdin, start: true});
		const result = await attached.result;
		flooding = false;
		assert.deepEqual(result, {exitCode: 0, detached: false});
		assert.equal(attached.stdout.text, 'y\ny\n');
	});

	test('start: true misses none of the output, from the first byte', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('echo first; echo second >&2', {name: 'first'}));
		const attached = attachWith(engine, created.id, {start: true});
		assert.deepEqual(await attached.result, {exitCode: 0, detached: false});
		assert.equal(attached.stdout.text, 'first\n');
		assert.equal(attached.stderr.text, 'second\n');
	});

	test('a detach from an -i container leaves it running; its stdin ends with that attach (docker’s run -i)', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('cat; echo stdin-closed; sleep 30', {name: 'once', stdinOpen: true}));
		const stdin = new PassThrough();
		const attached = attachWith(engine, created.id, {stdin, start: true, detachKeys: 'ctrl-a,d'});
		stdin.write('kept\n');
		await attached.stdout.until(/kept\n/);
		stdin.write('\x01d');
		assert.deepEqual(await attached.result, {exitCode: null, detached: true});
		assert.equal((await engine.getContainer(created.id)).state, 'running');
		const watcher = attachWith(engine, created.id);
		// The log has what the process printed once its stdin closed.
		await waitFor(
			async () => {
				for await (const entry of engine.getLogs(created.id)) if (entry.line === 'stdin-closed') return true;
				return false;
			},
			10_000,
			'cat to see EOF after the detach',
		);
		await engine.stopContainer(created.id, {timeout: 0});
		assert.equal((await watcher.result).detached, false);
	});
});

describe('attach to a terminal (tty)', () => {
	test('a real pts, sized as the caller’s, following resizes; one stream; detach keys leave it running', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer({name: 'term', entrypoint: 'sh', tty: true, stdinOpen: true});
		const stdin = new PassThrough();
		const terminal = fakeTerminal(33, 101);
		const attached = attachWith(engine, created.id, {stdin, terminal, start: true});
		stdin.write('tty; stty size; echo to-stderr >&2\r');
		// The terminal echoes the command line first: wait for the line the command printed.
		await attached.stdout.until(/\nto-stderr\r\n/);
		assert.match(attached.stdout.text, /\/dev\/pts\/\d+\r\n33 101\r\n/);
		assert.equal(attached.stderr.text, '', 'a terminal has one stream: all of it on stdout');
		terminal.resize(20, 70);
		await sleep(200);
		stdin.write('stty size\r');
		await attached.stdout.until(/20 70\r\n/);

		// conmon's attach directory has the short name, well within a socket path's 108 bytes.
		const link = path.join(socketDir(engine.layout), attachName(created.id));
		assert.ok(fs.lstatSync(link).isSymbolicLink());
		assert.ok(`${link}/attach`.length < 108, `${link}/attach`);

		stdin.write('\x10\x11');
		assert.deepEqual(await attached.result, {exitCode: null, detached: true});
		assert.equal(terminal.listening(), 0, 'the resize listener is gone');
		assert.equal((await engine.getContainer(created.id)).state, 'running');

		const again = new PassThrough();
		const reattached = attachWith(engine, created.id, {stdin: again, terminal: fakeTerminal(10, 50)});
		await sleep(300);
		again.write('stty size; exit 7\r');
		assert.deepEqual(await reattached.result, {exitCode: 7, detached: false});
		assert.match(reattached.stdout.text, /10 50\r\n/);

		await engine.removeContainer(created.id);
		assert.ok(!fs.existsSync(link), 'rm leaves no attach directory behind');
		assert.deepEqual(fs.readdirSync(socketDir(engine.layout)), []);
	});

	test('-t without stdinOpen: nothing is typed into the terminal', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('tty; read x; echo "read:$x"', {name: 'no-input', tty: true}));
		const stdin = new PassThrough();
		const attached = attachWith(engine, created.id, {stdin, start: true});
		stdin.write('typed\r');
		await attached.stdout.until(/\/dev\/pts\/\d+/);
		await sleep(500);
		assert.equal(stdin.readableFlowing, null, 'stdin was never read');
		assert.equal((await engine.getContainer(created.id)).state, 'running', 'read still waits');
		await engine.stopContainer(created.id, {timeout: 0});
		assert.equal((await attached.result).exitCode, 137);
		assert.doesNotMatch(attached.stdout.text, /read:/);
	});
});

describe('attach to a running container', () => {
	test('without stdin: its output from now on, then its exit code; stdin given is left alone', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(
			shell('i=0; while [ $i -lt 8 ]; do i=$((i+1)); echo tick $i; echo tock $i >&2; sleep 0.25; done; exit 4', {name: 'ticker'}),
		);
		await engine.startContainer(created.id);
		await sleep(600);
		const stdin = new PassThrough();
		const attached = attachWith(engine, created.id, {stdin});
		assert.deepEqual(await attached.result, {exitCode: 4, detached: false});
		assert.match(attached.stdout.text, /tick 8\n$/);
		assert.match(attached.stderr.text, /tock 8\n$/);
		assert.doesNotMatch(attached.stdout.text, /tick 1\n/, 'output from before the attach is in the log, not here');
		assert.equal(stdin.readableFlowing, null);
	});

	test('an abort leaves it running', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('while :; do echo beat; sleep 0.1; done', {name: 'beating'}));
		await engine.startContainer(created.id);
		const abort = new AbortController();
		const attached = attachWith(engine, created.id, {signal: abort.signal});
		await attached.stdout.until(/beat/);
		abort.abort();
		assert.deepEqual(await attached.result, {exitCode: null, detached: true});
		assert.equal((await engine.getContainer(created.id)).state, 'running');
	});

	test('a restart of its policy ends the attach with the first run’s code', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('sleep 0.5; echo run; exit 5', {name: 'again', restartPolicy: 'on-failure:3'}));
		const attached = attachWith(engine, created.id, {start: true});
		assert.deepEqual(await attached.result, {exitCode: 5, detached: false});
		assert.equal(attached.stdout.text, 'run\n');
	});

	test('minimal isolation: its output is followed in its log', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(
			shell('echo out; echo err >&2; sleep 0.3; echo late; exit 6', {name: 'plain', isolationLevel: 'minimal'}),
		);
		const attached = attachWith(engine, created.id, {start: true});
		assert.deepEqual(await attached.result, {exitCode: 6, detached: false});
		assert.equal(attached.stdout.text, 'out\nlate\n');
		assert.equal(attached.stderr.text, 'err\n');
	});
});

describe('attach: bad input', () => {
	test('unknown, created, exited and paused containers, bad detach keys: one line each, nothing changed', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const out = new Sink();
		await expectCode(engine.attachContainer('no-such-container', {stdout: out}), 'NOT_FOUND');

		const created = await engine.createContainer(shell('sleep 30', {name: 'idle', stdinOpen: true}));
		const notRunning = await expectCode(engine.attachContainer('idle', {stdout: out}), 'BAD_STATE');
		assert.match(notRunning.message, /idle is not running \(created\): start it attached with c32 start -a idle/);
		await expectCode(engine.attachContainer('idle', {stdout: out, start: true, detachKeys: 'ctrl-'}), 'INVALID_CONFIG');
		assert.equal((await engine.getContainer(created.id)).state, 'created', 'bad keys are refused before the start');

		await engine.startContainer('idle');
		await engine.pauseContainer('idle');
		assert.match((await expectCode(engine.attachContainer('idle', {stdout: out}), 'BAD_STATE')).message, /paused: resume it first/);
		await engine.resumeContainer('idle');
		await engine.stopContainer('idle', {timeout: 0});
		assert.match((await expectCode(engine.attachContainer('idle', {stdout: out}), 'BAD_STATE')).message, /not running \(stopped\)/);
		assert.equal(out.text, '');

		for (const config of [{tty: true}, {stdinOpen: true}]) {
			const refused = await expectCode(engine.createContainer({entrypoint: 'sh', isolationLevel: 'minimal', ...config}), 'INVALID_CONFIG');
			assert.match(refused.message, /needs standard or strict isolation/);
		}
		assert.deepEqual(
			(await engine.listContainers()).map((c) => c.name),
			['idle'],
		);
	});
});
