// The caller's side of an attach, against an engine double: raw mode only for a terminal fed
// from a terminal and always restored, what Ctrl-C, SIGTERM and SIGHUP do in each mode, the
// exit code, and the checks made before anything is created.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {type AttachOptions, type AttachResult, C32Error, type ContainerInfo, type Engine} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

/** An engine whose attach waits until the test ends it, recording what was asked. */
function attachable(config: {tty: boolean; stdinOpen: boolean}) {
	const calls: unknown[][] = [];
	let finish: (result: AttachResult | Error) => void = () => {};
	let attached: AttachOptions | undefined;
	let onAttach: () => void = () => {};
	const attaching = new Promise<void>((resolve) => (onAttach = resolve));
	const engine: Partial<Engine> = {
		createContainer: async () => {
			calls.push(['create']);
			return container('box', {state: 'created'});
		},
		inspectContainer: async () => ({...container('box'), config}) as unknown as ContainerInfo,
		attachContainer: (_ref, options) => {
			attached = options;
			calls.push(['attach', {start: options.start, stdin: options.stdin !== null && options.stdin !== undefined}]);
			onAttach();
			return new Promise((resolve, reject) => {
				finish = (result) => (result instanceof Error ? reject(result) : resolve(result));
			});
		},
		stopContainer: async (ref) => {
			calls.push(['stop', ref]);
			return container('box');
		},
		killContainer: async (ref, signal) => {
			calls.push(['kill', ref, signal]);
			return container('box');
		},
		removeContainer: async (ref) => {
			calls.push(['rm', ref]);
		},
	};
	return {engine, calls, attaching, end: (result: AttachResult | Error) => finish(result), options: () => attached};
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('attach sessions', () => {
	it('run -it at a terminal: raw mode, Ctrl-C is not c32’s, the size goes along, the terminal is restored on an error', async () => {
		const fake = attachable({tty: true, stdinOpen: true});
		const {ctx, out, terminal, interrupt, resize, listening} = fakeContext(fake.engine, {stdinIsTTY: true, size: {rows: 40, columns: 120}});
		const running = runCli(['run', '-it', '--', 'sh'], ctx);
		await fake.attaching;
		assert.equal(terminal.raw, true);
		const options = fake.options()!;
		assert.equal(options.terminal?.rows, 40);
		assert.equal(options.terminal?.columns, 120);
		const sizes: number[][] = [];
		options.terminal!.onResize((rows, columns) => sizes.push([rows, columns]));
		resize({rows: 30, columns: 100});
		assert.deepEqual(sizes, [[30, 100]]);
		interrupt('SIGTERM');
		fake.end(new C32Error('RUNTIME_ERROR', 'the monitor went away'));
		assert.equal(await running, 125);
		assert.equal(terminal.raw, false, 'raw mode outlived the error');
		assert.equal(listening(), 0);
		assert.deepEqual(fake.calls.slice(0, 2), [['create'], ['attach', {start: true, stdin: true}]]);
		assert.ok(
			fake.calls.some((call) => call[0] === 'stop'),
			'SIGTERM stops the container',
		);
		assert.match(out.stderr, /c32: stopping box/);
	});

	it('a detach is exit 0 and leaves an --rm container to the engine', async () => {
		const fake = attachable({tty: true, stdinOpen: true});
		const {ctx, terminal} = fakeContext(fake.engine, {stdinIsTTY: true});
		const running = runCli(['run', '-it', '--rm', '--', 'sh'], ctx);
		await fake.attaching;
		fake.end({exitCode: null, detached: true});
		assert.equal(await running, 0);
		assert.equal(terminal.raw, false);
		assert.ok(!fake.calls.some((call) => call[0] === 'rm'), 'a detached --rm container was removed while it runs');
	});

	it('the exit code is the container’s; --rm removes it once it ended; no code is 255 with a line', async () => {
		const fake = attachable({tty: false, stdinOpen: true});
		const {ctx} = fakeContext(fake.engine);
		const running = runCli(['run', '-i', '--rm', '--', 'cat'], ctx);
		await fake.attaching;
		fake.end({exitCode: 3, detached: false});
		assert.equal(await running, 3);
		assert.ok(fake.calls.some((call) => call[0] === 'rm'));

		const lost = attachable({tty: false, stdinOpen: true});
		const second = fakeContext(lost.engine);
		const again = runCli(['run', '-i', '--', 'cat'], second.ctx);
		await lost.attaching;
		lost.end({exitCode: null, detached: false});
		assert.equal(await again, 255);
		assert.match(second.out.stderr, /box ended without an exit code/);
	});

	it('-t alone: no raw mode, stdin not forwarded, Ctrl-C is SIGINT for the container, SIGHUP stops it', async () => {
		const fake = attachable({tty: true, stdinOpen: false});
		const {ctx, terminal, interrupt, hangup} = fakeContext(fake.engine, {stdinIsTTY: true});
		const running = runCli(['run', '-t', '--', 'top'], ctx);
		await fake.attaching;
		assert.equal(terminal.rawCalls, 0);
		interrupt('SIGINT');
		await tick();
		assert.deepEqual(fake.calls.at(-1), ['kill', container('box').id, 'SIGINT']);
		hangup();
		await tick();
		assert.equal(fake.calls.at(-1)?.[0], 'stop');
		fake.end({exitCode: 130, detached: false});
		assert.equal(await running, 130);
		assert.deepEqual(fake.calls[1], ['attach', {start: true, stdin: false}]);
	});

	it('no terminal: Ctrl-C stops, a second kills, as attached run always did', async () => {
		const fake = attachable({tty: false, stdinOpen: false});
		const {ctx, out, interrupt} = fakeContext(fake.engine);
		const running = runCli(['attach', 'box'], ctx);
		await fake.attaching;
		interrupt('SIGINT');
		interrupt('SIGINT');
		await tick();
		assert.equal(out.stderr, 'c32: stopping box (Ctrl-C again to kill it)\nc32: killing box\n');
		assert.deepEqual(
			fake.calls.slice(1).map((call) => call[0]),
			['stop', 'kill'],
		);
		fake.end({exitCode: 137, detached: false});
		assert.equal(await running, 137);
		assert.deepEqual(fake.calls[0], ['attach', {start: false, stdin: false}]);
	});

	it('refuses before acting: -it without a terminal, --detach-keys without -i, start -ai of a tty container without one', async () => {
		for (const args of [
			['run', '-it', '--', 'sh'],
			['run', '--detach-keys', 'ctrl-x', '--', 'sh'],
			['run', '-d', '-i', '--detach-keys', 'ctrl-x', '--', 'sh'],
		]) {
			const fake = attachable({tty: true, stdinOpen: true});
			const {ctx, out} = fakeContext(fake.engine);
			assert.equal(await runCli(args, ctx), 2, args.join(' '));
			assert.match(out.stderr, /^c32: error: .+\nSee 'c32 run --help'\.\n$/);
			assert.deepEqual(fake.calls, [], `${args.join(' ')} acted`);
		}
		const fake = attachable({tty: true, stdinOpen: true});
		const {ctx, out} = fakeContext(fake.engine);
		assert.equal(await runCli(['start', '-ai', 'box'], ctx), 2);
		assert.match(out.stderr, /the input device is not a TTY/);
		assert.deepEqual(fake.calls, []);
		// Output only: a tty container needs no terminal for that.
		const watch = attachable({tty: true, stdinOpen: true});
		const watching = fakeContext(watch.engine);
		const attached = runCli(['attach', '--no-stdin', 'box'], watching.ctx);
		await watch.attaching;
		watch.end({exitCode: 0, detached: false});
		assert.equal(await attached, 0);
		assert.deepEqual(watch.calls, [['attach', {start: false, stdin: false}]]);
	});
});
