// --json of the commands that act on containers, prune, rename, stats with a wrong ref, and
// what an attached run says and prints when things go wrong: in-process, against a double.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {C32Error, type ContainerMetadata, type ContainerState, type Engine} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const notFound = (ref: string) => new C32Error('NOT_FOUND', `no such container: ${ref}`);

/** A few containers by name; the verbs move them between states and record what they did. */
function stateful(initial: Record<string, ContainerState>, labels: Record<string, Record<string, string>> = {}) {
	const containers = new Map(
		Object.entries(initial).map(([name, state]) => [
			name,
			container(name, {state, exitCode: state === 'exited' || state === 'stopped' ? 0 : null, labels: labels[name] ?? {}}),
		]),
	);
	const removed: string[] = [];
	const find = (ref: string) => {
		const found = containers.get(ref) ?? [...containers.values()].find((c) => c.id === ref);
		if (!found) throw notFound(ref);
		return found;
	};
	const engine: Partial<Engine> = {
		listContainers: async () => [...containers.values()],
		getContainer: async (ref) => find(ref),
		inspectContainer: async (ref) => ({
			...find(ref),
			config: {} as never,
			paths: {bundle: '/b', log: '/l', monitorPidFile: '/m'},
			userNamespace: null,
			network: null,
			networks: [],
		}),
		startContainer: async (ref) => Object.assign(find(ref), {state: 'running' as const}),
		stopContainer: async (ref) => Object.assign(find(ref), {state: 'stopped' as const, exitCode: 143, pid: null}),
		waitContainer: async (ref) => find(ref).exitCode ?? -1,
		removeContainer: async (ref) => {
			const c = find(ref);
			if (c.state === 'running') throw new C32Error('BAD_STATE', `container ${c.name} is running`);
			containers.delete(c.name);
			removed.push(c.name);
		},
		renameContainer: async (ref, newName) => {
			const c = find(ref);
			if (containers.has(newName)) throw new C32Error('NAME_IN_USE', `the name "${newName}" is already in use`);
			containers.delete(c.name);
			c.name = newName;
			containers.set(newName, c);
			return c;
		},
	};
	return {engine, containers, removed};
}

describe('--json of the commands that act on containers', () => {
	it('start and stop: one array, an element per ref in order, failures as {ref, error}', async () => {
		const {engine} = stateful({a: 'created', b: 'running'});
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['start', '--json', 'a', 'nosuch'], ctx), 1);
		const started = JSON.parse(out.stdout);
		assert.equal(started.length, 2);
		assert.equal(started[0].ref, 'a');
		assert.equal(started[0].state, 'running');
		assert.equal(started[0].id, container('a').id);
		assert.deepEqual(Object.keys(started[0]).slice(0, 3), ['ref', 'id', 'name']);
		assert.deepEqual(started[1], {ref: 'nosuch', error: {code: 'NOT_FOUND', message: 'no such container: nosuch'}});
		assert.equal(out.stderr, 'c32: error: no such container: nosuch\n', 'the error line is still printed');
		out.stdout = '';
		assert.equal(await runCli(['stop', '--json', 'b'], ctx), 0);
		assert.equal(JSON.parse(out.stdout)[0].state, 'stopped');
	});

	it('rm --json names what it removed; wait --json gives exit codes', async () => {
		const {engine} = stateful({done: 'exited', gone: 'stopped'});
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['wait', '--json', 'done'], ctx), 0);
		assert.deepEqual(JSON.parse(out.stdout), [{ref: 'done', exitCode: 0}]);
		out.stdout = '';
		assert.equal(await runCli(['rm', '--json', 'done', 'gone'], ctx), 0);
		assert.deepEqual(JSON.parse(out.stdout), [
			{ref: 'done', id: container('done').id, name: 'done'},
			{ref: 'gone', id: container('gone').id, name: 'gone'},
		]);
	});

	it('run -d --json and create --json print the container; --json without -d is a usage error', async () => {
		const {ctx, out} = fakeContext({
			createContainer: async () => container('bg', {state: 'created', pid: null, startedAt: null}),
			startContainer: async () => container('bg'),
		});
		assert.equal(await runCli(['run', '-d', '--json', '--', 'sleep', '1'], ctx), 0);
		assert.equal(JSON.parse(out.stdout).state, 'running');
		out.stdout = '';
		assert.equal(await runCli(['create', '--json', '--', 'sleep', '1'], ctx), 0);
		assert.equal(JSON.parse(out.stdout).state, 'created');
		assert.equal(await runCli(['run', '--json', '--', 'true'], ctx), 2);
		assert.match(out.stderr, /^c32: error: --json goes with -d/);
	});

	it('import --json prints the new container; __names prints each name on one escaped line', async () => {
		const state = {formatVersion: 1, exportedAt: 'x', metadata: container('orig'), config: {name: 'orig'}};
		const {ctx, out} = fakeContext(
			{
				importContainerState: async () => container('copy', {state: 'created'}),
				listContainers: async () => [container('a\nb\x1b]0;t\x07')],
			},
			{files: {'/work/state.json': JSON.stringify(state), 'state.json': JSON.stringify(state)}},
		);
		assert.equal(await runCli(['import', '--json', 'state.json'], ctx), 0);
		assert.equal(JSON.parse(out.stdout).name, 'copy');
		out.stdout = '';
		await runCli(['__names'], ctx);
		assert.equal(out.stdout, 'a\\nb\\x1b]0;t\\x07\n');
	});

	it('logs --json: one {time, stream, text} object a line, all on stdout', async () => {
		const {ctx, out} = fakeContext({
			getLogs: () =>
				(async function* () {
					yield {timestamp: '2025-06-01T11:59:00.000000001Z', stream: 'stdout' as const, line: 'out "quoted"'};
					yield {timestamp: '2025-06-01T11:59:00.000000002Z', stream: 'stderr' as const, line: 'err \x1b[31mred'};
				})(),
		});
		assert.equal(await runCli(['logs', '--json', 'bot'], ctx), 0);
		assert.equal(out.stderr, '');
		assert.deepEqual(
			out.stdout
				.trimEnd()
				.split('\n')
				.map((line) => JSON.parse(line)),
			[
				{time: '2025-06-01T11:59:00.000000001Z', stream: 'stdout', text: 'out "quoted"'},
				{time: '2025-06-01T11:59:00.000000002Z', stream: 'stderr', text: 'err \x1b[31mred'},
			],
		);
	});

	it('ps --filter status=exited also matches containers a user stopped, as docker does', async () => {
		const {engine} = stateful({ran: 'exited', halted: 'stopped', up: 'running'});
		const {ctx, out} = fakeContext(engine);
		await runCli(['ps', '--json', '--filter', 'status=exited'], ctx);
		assert.deepEqual(
			JSON.parse(out.stdout)
				.map((c: ContainerMetadata) => c.name)
				.sort(),
			['halted', 'ran'],
		);
		out.stdout = '';
		await runCli(['ps', '--json', '--filter', 'status=stopped'], ctx);
		assert.deepEqual(
			JSON.parse(out.stdout).map((c: ContainerMetadata) => c.name),
			['halted'],
		);
	});
});

describe('prune', () => {
	it('refuses without --force when stdin is not a terminal, before looking, and removes nothing', async () => {
		const {engine, removed} = stateful({old: 'exited'});
		let listed = false;
		const {ctx, out} = fakeContext({
			...engine,
			listContainers: async () => {
				listed = true;
				return [];
			},
		});
		assert.equal(await runCli(['prune'], ctx), 1);
		assert.match(out.stderr, /^c32: error: .*add --force\n$/);
		assert.equal(listed, false);
		assert.deepEqual(removed, []);
	});

	it('asks on a terminal: no keeps everything, yes removes the ended containers only', async () => {
		const {engine, removed, containers} = stateful({a: 'exited', b: 'stopped', c: 'failed', up: 'running', fresh: 'created'});
		const no = fakeContext(engine, {stdinIsTTY: true, answers: ['n']});
		assert.equal(await runCli(['prune'], no.ctx), 0);
		assert.deepEqual(removed, []);
		assert.match(no.asked[0]!, /Remove 3 ended containers \(a, b, c\)\? \[y\/N\]/);
		const yes = fakeContext(engine, {stdinIsTTY: true, answers: ['y']});
		assert.equal(await runCli(['prune'], yes.ctx), 0);
		assert.deepEqual(removed, ['a', 'b', 'c']);
		assert.equal(yes.out.stdout, 'a\nb\nc\n');
		assert.deepEqual([...containers.keys()].sort(), ['fresh', 'up']);
	});

	it('--force skips the question; --filter narrows it as in ps; --json prints what went', async () => {
		const {engine, removed} = stateful({a: 'exited', b: 'exited', c: 'stopped'}, {a: {team: 'bots'}, c: {team: 'bots'}});
		const {ctx, out, asked} = fakeContext(engine);
		assert.equal(await runCli(['prune', '-f', '--filter', 'label=team=bots', '--json'], ctx), 0);
		assert.deepEqual(asked, []);
		assert.deepEqual(removed, ['a', 'c']);
		assert.deepEqual(JSON.parse(out.stdout), [
			{ref: container('a').id, id: container('a').id, name: 'a'},
			{ref: container('c').id, id: container('c').id, name: 'c'},
		]);
		out.stdout = '';
		assert.equal(await runCli(['prune', '--force', '--json'], ctx), 0);
		assert.deepEqual(removed, ['a', 'c', 'b']);
		out.stdout = '';
		assert.equal(await runCli(['prune', '--force', '--json'], ctx), 0);
		assert.deepEqual(JSON.parse(out.stdout), [], 'nothing left: an empty array');
		assert.equal(await runCli(['prune', '--force', '--filter', 'colour=red'], ctx), 2, 'a bad filter is a usage error');
	});
});

describe('rename', () => {
	it('renames through the engine, and needs both names', async () => {
		const {engine, containers} = stateful({old: 'running', other: 'exited'});
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['rename', 'old', 'new'], ctx), 0);
		assert.equal(out.stdout, '');
		assert.ok(containers.has('new') && !containers.has('old'));
		assert.equal(await runCli(['rename', 'new', 'other'], ctx), 1);
		assert.equal(out.stderr, 'c32: error: the name "other" is already in use\n');
		out.stderr = '';
		assert.equal(await runCli(['rename', 'new'], ctx), 2);
		assert.match(out.stderr, /needs a container and its new name/);
	});
});

describe('stats with a ref that names nothing', () => {
	it('shows the others, reports it and exits 1', async () => {
		const sample = (name: string) => ({
			name,
			id: container(name).id,
			cpuPercent: 1,
			memoryMb: 10,
			memoryLimitMb: null,
			pids: 2,
			blockReadBytes: 0,
			blockWriteBytes: 0,
			timestamp: '2025-06-01T12:00:00.000Z',
		});
		let asked: string[] | undefined;
		const {ctx, out} = fakeContext({
			getContainer: async (ref: string) => {
				if (ref === 'nosuch') throw notFound(ref);
				return container(ref);
			},
			getHostStats: async () => ({cpuCount: 2, cpuPercent: 0, memoryTotalMb: 1000, memoryUsedMb: 0, loadAverage: [0, 0, 0]}),
			getMetricsBatch: async (refs?: string[]) => {
				asked = refs;
				return ['a', 'b'].map(sample);
			},
		});
		assert.equal(await runCli(['stats', '--no-stream', 'a', 'b', 'nosuch'], ctx), 1);
		assert.deepEqual(asked, [container('a').id, container('b').id]);
		assert.match(out.stdout, /\ba\b[\s\S]*\bb\b/);
		assert.equal(out.stderr, 'c32: error: no such container: nosuch\n');
	});
});

describe('attached run when things go wrong', () => {
	it('a command that cannot start: only the real error, exit 127, and the container is removed once', async () => {
		let removals = 0;
		const {ctx, out} = fakeContext({
			createContainer: async () => container('job', {state: 'created'}),
			startContainer: async () => {
				throw new C32Error('START_FAILED', 'nosuchcmd: executable file not found in $PATH');
			},
			removeContainer: async (ref: string) => {
				removals++;
				if (removals > 1) throw notFound(ref);
			},
		});
		assert.equal(await runCli(['run', '--rm', '--', 'nosuchcmd'], ctx), 127);
		assert.equal(out.stderr, 'c32: error: nosuchcmd: executable file not found in $PATH\n');
		assert.equal(removals, 1);
	});

	it('Ctrl-C says it is stopping, a second says it kills; a container removed meanwhile is no --rm error', async () => {
		let exit: (code: number) => void = () => undefined;
		const exited = new Promise<number>((resolve) => (exit = resolve));
		const {ctx, out, interrupt, listening} = fakeContext({
			createContainer: async () => container('job'),
			startContainer: async () => container('job'),
			stopContainer: async () => container('job'),
			killContainer: async () => {
				exit(137);
				return container('job');
			},
			getLogs: () =>
				(async function* () {
					yield {timestamp: 't', stream: 'stdout' as const, line: 'working'};
					await exited;
				})(),
			waitContainer: () => exited,
			removeContainer: async (ref: string) => Promise.reject(notFound(ref)),
		});
		const done = runCli(['run', '--rm', '--name', 'job', '--', 'sleep', '9'], ctx);
		while (!out.stdout.includes('working') || listening() === 0) await sleep(1);
		interrupt();
		await sleep(5);
		assert.equal(out.stderr, 'c32: stopping job (Ctrl-C again to kill it)\n');
		interrupt();
		assert.equal(await done, 137);
		assert.equal(out.stderr, 'c32: stopping job (Ctrl-C again to kill it)\nc32: killing job\n');
	});
});
