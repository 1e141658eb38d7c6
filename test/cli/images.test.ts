// The image commands in-process against an engine double: parsing, usage errors, tables,
// --json shapes, progress, import's dispatch by content and run's pull-when-missing.
import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {
	type ArchiveKind,
	C32Error,
	type ContainerConfig,
	type Engine,
	type ImageDetails,
	type ImageSummary,
	type TransferOptions,
	type TransferProgress,
} from '../../engine/index.js';
import {runCli} from '../../source/main.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const hex = (c: string) => c.repeat(64);

function image(names: string[], overrides: Partial<ImageSummary> = {}): ImageSummary {
	return {
		id: `sha256:${hex('e')}`,
		names,
		digest: `sha256:${hex('d')}`,
		size: 5_200_000,
		created: '2025-06-01T10:00:00.000Z',
		storedAt: '2025-06-01T11:00:00.000Z',
		...overrides,
	};
}

const notFound = (ref: string) => new C32Error('IMAGE_NOT_FOUND', `no image "${ref}": pull it first: c32 pull ${ref}`);

/** An engine whose transfers report two layers of progress, and a record of its calls. */
function imageEngine(overrides: Partial<Engine> = {}) {
	const calls: unknown[][] = [];
	const progress = (options?: TransferOptions) => {
		const steps: TransferProgress[] = [
			{phase: 'copying', done: 0, total: 1000, item: 'sha256:aaaa'},
			{phase: 'copying', done: 500, total: 1000, item: 'sha256:aaaa'},
			{phase: 'copying', done: 0, total: 2000, item: 'sha256:bbbb'},
			{phase: 'unpacking', done: 10, total: null, item: 'sha256:bbbb'},
		];
		for (const step of steps) options?.onProgress?.(step);
	};
	const engine: Partial<Engine> = {
		async pullImage(ref, options) {
			const {onProgress: _p, signal: _s, ...rest} = options ?? {};
			calls.push(['pull', ref, rest]);
			progress(options);
			return image([ref]);
		},
		async loadImage(file, options) {
			calls.push(['load', file]);
			progress(options);
			return [image(['localhost/a:1', 'localhost/a:latest']), image([], {id: `sha256:${hex('b')}`})];
		},
		async importImage(file, name, options) {
			calls.push(['importImage', file, name, options?.changes]);
			return image([name]);
		},
		async importContainerArchive(file, options) {
			calls.push(['importContainerArchive', file, ...(options?.name ? [options.name] : [])]);
			return container('restored');
		},
		async importContainerState(state) {
			calls.push(['importContainerState', state.config.name]);
			return container('copy');
		},
		async createContainer(config) {
			calls.push(['create', config]);
			return container('made', {state: 'created'});
		},
		async startContainer(ref) {
			return container(ref);
		},
		async inspectImage(ref) {
			calls.push(['inspectImage', ref]);
			throw notFound(ref);
		},
		...overrides,
	};
	return {engine, calls};
}

describe('progress', async () => {
	const {plainLine, progressBar, progressLine, progressWriter} = await import('../../source/lib/progress.js');

	it('draws a bar, bytes done of the total and the item, within the terminal width', () => {
		assert.equal(progressBar(0.5, 10), '▕█████░░░░░▏');
		assert.equal(progressBar(2, 4), '▕████▏');
		const line = progressLine({phase: 'copying', done: 1_500_000, total: 3_000_000, item: 'sha256:abc'}, 80);
		assert.equal(line, 'copying   ▕██████████░░░░░░░░░░▏ 1.5MB / 3MB  sha256:abc');
		assert.equal(progressLine({phase: 'writing', done: 2048, total: null}), 'writing   2.05kB');
		const narrow = progressLine({phase: 'copying', done: 1, total: 2, item: 'x'.repeat(100)}, 40);
		assert.equal(Array.from(narrow).length, 39);
		assert.ok(narrow.endsWith('…'));
	});

	it('escapes what the item says: no terminal control reaches the screen', () => {
		const line = progressLine({phase: 'copying', done: 1, total: null, item: 'evil\x1b]0;title\x07\n'});
		assert.doesNotMatch(line, /[\x00-\x1f\x7f]/);
		assert.match(plainLine({phase: 'unpacking', done: 0, total: 10, item: 'a\rb'}), /^unpacking a\\rb \(10B\)$/);
	});

	it('on a terminal redraws one line, at most every 100 ms unless phase or item change, and clears it at the end', () => {
		let out = '';
		let now = 0;
		const writer = progressWriter({write: (text: string) => (out += text), isTTY: true, columns: 60}, {now: () => now});
		writer.update({phase: 'copying', done: 0, total: 10, item: 'a'});
		now = 50;
		writer.update({phase: 'copying', done: 5, total: 10, item: 'a'});
		assert.equal(out.split('\r').length - 1, 1, 'the second is too soon');
		now = 200;
		writer.update({phase: 'copying', done: 6, total: 10, item: 'a'});
		now = 210;
		writer.update({phase: 'unpacking', done: 0, total: 10, item: 'a'});
		assert.equal(out.split('\r').length - 1, 3);
		assert.ok(!out.includes('\n'), 'never a new line');
		writer.done();
		assert.ok(out.endsWith('\r\x1b[K'));
	});

	it('elsewhere prints a line per phase or item, and nothing when quiet', () => {
		let out = '';
		const writer = progressWriter({write: (text: string) => (out += text)});
		writer.update({phase: 'copying', done: 0, total: 10, item: 'a'});
		writer.update({phase: 'copying', done: 9, total: 10, item: 'a'});
		writer.update({phase: 'copying', done: 0, total: null, item: 'b'});
		writer.update({phase: 'unpacking', done: 0, total: null, item: 'b'});
		writer.done();
		assert.equal(out, 'copying a (10B)\ncopying b\nunpacking b\n');
		let quiet = '';
		const silent = progressWriter({write: (text: string) => (quiet += text), isTTY: true}, {quiet: true});
		silent.update({phase: 'copying', done: 0, total: 10});
		silent.done();
		assert.equal(quiet, '');
	});
});

describe('pull, load', () => {
	it('pull forwards --tls-verify=false and an absolute --authfile, prints the id, progress on stderr', async () => {
		const {engine, calls} = imageEngine();
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['pull', '--tls-verify=false', '--authfile', 'auth.json', '127.0.0.1:5000/team/bot:1'], ctx), 0);
		assert.deepEqual(calls[0], ['pull', '127.0.0.1:5000/team/bot:1', {tlsVerify: false, authFile: '/work/auth.json'}]);
		assert.equal(out.stdout, `sha256:${hex('e')}\n`);
		assert.equal(out.stderr, 'copying sha256:aaaa (1kB)\ncopying sha256:bbbb (2kB)\nunpacking sha256:bbbb\n');
	});

	it('pull verifies TLS by default; -q prints only the id; a terminal gets one redrawn line', async () => {
		const {engine, calls} = imageEngine();
		const quiet = fakeContext(engine, {stderrColumns: 80});
		assert.equal(await runCli(['pull', '-q', 'tools:1'], quiet.ctx), 0);
		assert.deepEqual(calls[0], ['pull', 'tools:1', {}]);
		assert.equal(quiet.out.stderr, '');
		const tty = fakeContext(engine, {stderrColumns: 80});
		await runCli(['pull', 'tools:1'], tty.ctx);
		assert.ok(tty.out.stderr.startsWith('\rcopying   ▕'));
		assert.ok(!tty.out.stderr.includes('\n'));
		assert.ok(tty.out.stderr.endsWith('\r\x1b[K'), 'the line is gone once done');
	});

	it('pull: usage errors exit 2, a registry failure exits 1 with one line', async () => {
		const failing = imageEngine({
			pullImage: async () => {
				throw new C32Error('TRANSPORT_FAILED', 'cannot reach 127.0.0.1:5999: connection refused; is the registry running?');
			},
		});
		const {ctx, out} = fakeContext(failing.engine);
		assert.equal(await runCli(['pull'], ctx), 2);
		assert.match(out.stderr, /"c32 pull" needs a image reference|needs an? image reference/);
		assert.equal(await runCli(['pull', 'a', 'b'], ctx), 2);
		out.stderr = '';
		assert.equal(await runCli(['pull', '127.0.0.1:5999/x:1'], ctx), 1);
		assert.equal(out.stderr, 'c32: error: cannot reach 127.0.0.1:5999: connection refused; is the registry running?\n');
	});

	it('pull: the first Ctrl-C aborts the transfer and exits 130', async () => {
		let signal: AbortSignal | undefined;
		const {engine} = imageEngine({
			pullImage: (_ref, options) =>
				new Promise((_resolve, reject) => {
					signal = options?.signal;
					signal?.addEventListener('abort', () => reject(new Error('aborted')));
				}),
		});
		const {ctx, out, interrupt, listening} = fakeContext(engine);
		const done = runCli(['pull', 'tools:1'], ctx);
		await new Promise((resolve) => setImmediate(resolve));
		interrupt();
		assert.equal(await done, 130);
		assert.equal(signal?.aborted, true);
		assert.equal(out.stderr, 'c32: pull interrupted; nothing was kept\n');
		assert.equal(listening(), 0);
	});

	it('load needs -i, prints each name loaded (the id of an untagged one), -q the ids', async () => {
		const {engine, calls} = imageEngine();
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['load'], ctx), 2);
		assert.match(out.stderr, /needs the archive: -i FILE/);
		out.stderr = '';
		assert.equal(await runCli(['load', '-i', 'bot.tar'], ctx), 0);
		assert.deepEqual(calls[0], ['load', '/work/bot.tar']);
		assert.equal(out.stdout, `Loaded image: localhost/a:1\nLoaded image: localhost/a:latest\nLoaded image: sha256:${hex('b')}\n`);
		out.stdout = '';
		await runCli(['load', '-q', '--input', '/tmp/bot.tar'], ctx);
		assert.equal(out.stdout, `sha256:${hex('e')}\nsha256:${hex('b')}\n`);
	});
});

describe('import tells its files apart by content', () => {
	const state = JSON.stringify({formatVersion: 1, exportedAt: 'x', metadata: container('orig'), config: {name: 'orig'}});
	const files = {'state.json': state, '/work/state.json': state};
	const existing = ['/work/root.tar', '/work/box.tar', '/work/img.tar'];
	const kinds: Record<string, ArchiveKind> = {
		'/work/root.tar': 'rootfs',
		'/work/box.tar': 'container-archive',
		'/work/img.tar': 'oci-archive',
	};
	const setup = () => {
		const {engine, calls} = imageEngine({archiveKind: async (file) => kinds[file]!});
		return {...fakeContext(engine, {files, existing}), calls};
	};

	it('a state JSON is recreated as before, --name applied, without asking the image store', async () => {
		const {engine, calls} = imageEngine({
			archiveKind: async () => {
				throw new Error('a JSON file is told apart without the image store');
			},
		});
		const {ctx, out} = fakeContext(engine, {files: {...files, ' bom.json': `\uFEFF \n${state}`, '/work/ bom.json': `\uFEFF \n${state}`}});
		assert.equal(await runCli(['import', '--name', 'copy', 'state.json'], ctx), 0);
		assert.equal(await runCli(['import', ' bom.json'], ctx), 0);
		assert.deepEqual(calls, [
			['importContainerState', 'copy'],
			['importContainerState', 'orig'],
		]);
		assert.equal(out.stdout, `${container('copy').id}\n`.repeat(2));
	});

	it('a file the store calls a container state is read as one', async () => {
		const {engine, calls} = imageEngine({archiveKind: async () => 'container-state'});
		const {ctx} = fakeContext(engine, {files: {'odd.json': `${state}`, '/work/odd.json': `[${state}]`}});
		assert.equal(await runCli(['import', 'odd.json'], ctx), 0);
		assert.deepEqual(calls, [['importContainerState', 'orig']]);
	});

	it('a container archive is imported whole', async () => {
		const {ctx, out, calls} = setup();
		assert.equal(await runCli(['import', 'box.tar'], ctx), 0);
		assert.deepEqual(calls, [['importContainerArchive', '/work/box.tar']]);
		assert.equal(out.stdout, `${container('restored').id}\n`);
		assert.equal(await runCli(['import', '--name', 'x', 'box.tar'], ctx), 0);
		assert.deepEqual(calls.at(-1), ['importContainerArchive', '/work/box.tar', 'x'], '--name renames it');
	});

	it('a root filesystem tar becomes an image named NAME, with --change', async () => {
		const {ctx, out, calls} = setup();
		assert.equal(await runCli(['import', 'root.tar', 'tools:1', '--change', 'CMD ["/bin/sh"]', '--change', 'ENV A=1'], ctx), 0);
		assert.deepEqual(calls, [['importImage', '/work/root.tar', 'tools:1', ['CMD ["/bin/sh"]', 'ENV A=1']]]);
		assert.equal(out.stdout, `sha256:${hex('e')}\n`);
		out.stdout = '';
		assert.equal(await runCli(['import', '--json', 'root.tar', 'tools:2'], ctx), 0);
		assert.deepEqual(Object.keys(JSON.parse(out.stdout)), ['id', 'names', 'digest', 'size', 'created', 'storedAt']);
	});

	it('usage errors: a rootfs without NAME, NAME or --change for a container, an unknown instruction', async () => {
		const {ctx, out, calls} = setup();
		assert.equal(await runCli(['import', 'root.tar'], ctx), 2);
		assert.match(out.stderr, /root\.tar is a tar of a root filesystem: name the image, e\.g\. c32 import root\.tar tools:1/);
		assert.equal(await runCli(['import', 'state.json', 'tools:1'], ctx), 2);
		assert.equal(await runCli(['import', 'box.tar', '--change', 'CMD x'], ctx), 2);
		out.stderr = '';
		assert.equal(await runCli(['import', 'root.tar', 'x:1', '--change', 'RUN rm -rf /'], ctx), 2);
		assert.match(out.stderr, /invalid --change "RUN rm -rf \/": start it with one of CMD, ENTRYPOINT/);
		assert.deepEqual(calls, []);
	});

	it('an image archive is sent to c32 load; a missing file is named', async () => {
		const {ctx, out} = setup();
		assert.equal(await runCli(['import', 'img.tar'], ctx), 1);
		assert.equal(out.stderr, 'c32: error: img.tar is an oci-archive of images: store them with c32 load -i img.tar\n');
		out.stderr = '';
		assert.equal(await runCli(['import', 'nope.tar'], ctx), 1);
		assert.match(out.stderr, /^c32: error: nope\.tar does not exist/);
	});
});

describe('images, image, tag, rmi, prune, save, commit, system df, export', () => {
	const listed = [
		image(['localhost/tools:1', 'localhost/tools:latest'], {created: '2025-06-01T11:00:00.000Z'}),
		image(['127.0.0.1:5000/team/bot:2'], {id: `sha256:${hex('b')}`, created: '2025-05-01T00:00:00.000Z', size: 120_000_000}),
		image([], {id: `sha256:${hex('c')}`, created: null}),
	];
	const engine = (overrides: Partial<Engine> = {}) => imageEngine({listImages: async () => structuredClone(listed), ...overrides});

	it('images: a row per name, newest first, port kept in the repository; untagged only with -a', async () => {
		const {ctx, out} = fakeContext(engine().engine);
		assert.equal(await runCli(['images'], ctx), 0);
		const rows = out.stdout
			.trimEnd()
			.split('\n')
			.map((line) => line.split(/\s{3,}/));
		assert.deepEqual(rows, [
			['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
			['localhost/tools', '1', 'eeeeeeeeeeee', 'About an hour ago', '5.2MB'],
			['localhost/tools', 'latest', 'eeeeeeeeeeee', 'About an hour ago', '5.2MB'],
			['127.0.0.1:5000/team/bot', '2', 'bbbbbbbbbbbb', '5 weeks ago', '120MB'],
		]);
		out.stdout = '';
		await runCli(['image', 'ls', '-a'], ctx);
		assert.ok(out.stdout.split('\n').some((line) => /^<none>\s+<none>\s+cccccccccccc\s+-\s+5\.2MB$/.test(line)));
	});

	it('images -q, --no-trunc and --json', async () => {
		const {ctx, out} = fakeContext(engine().engine);
		await runCli(['images', '-q'], ctx);
		assert.equal(out.stdout, 'eeeeeeeeeeee\nbbbbbbbbbbbb\n');
		out.stdout = '';
		await runCli(['images', '-aq', '--no-trunc'], ctx);
		assert.ok(out.stdout.split('\n').includes(`sha256:${hex('c')}`));
		out.stdout = '';
		await runCli(['images', '--json'], ctx);
		const json = JSON.parse(out.stdout) as ImageSummary[];
		assert.deepEqual(
			json.map((i) => i.names),
			[['localhost/tools:1', 'localhost/tools:latest'], ['127.0.0.1:5000/team/bot:2']],
		);
		assert.deepEqual(Object.keys(json[0]!), ['id', 'names', 'digest', 'size', 'created', 'storedAt']);
	});

	it('images escapes names from an archive', async () => {
		const {ctx, out} = fakeContext(engine({listImages: async () => [image(['localhost/ev\x1b[2Jil:1'])]}).engine);
		await runCli(['images'], ctx);
		assert.ok(!out.stdout.includes('\x1b'));
		assert.match(out.stdout, /ev\\x1b\[2Jil/);
	});

	it('image: help without a subcommand (exit 2), unknown subcommands, usage hints name the subcommand', async () => {
		const {ctx, out} = fakeContext(engine().engine);
		assert.equal(await runCli(['image'], ctx), 2);
		assert.match(out.stdout, /ls, list\s+List images/);
		assert.equal(await runCli(['image', '--help'], ctx), 0);
		out.stderr = '';
		assert.equal(await runCli(['image', 'frobnicate'], ctx), 2);
		assert.match(out.stderr, /unknown command "c32 image frobnicate": use one of ls, inspect, pull/);
		out.stderr = '';
		assert.equal(await runCli(['image', 'inspect'], ctx), 2);
		assert.match(out.stderr, /See 'c32 image inspect --help'/);
	});

	it('image inspect prints what it found as a JSON array and fails for the rest', async () => {
		const details = {
			...image(['localhost/tools:1']),
			architecture: 'amd64',
			os: 'linux',
			layers: [],
			usedBy: ['bot'],
		} as unknown as ImageDetails;
		const {ctx, out} = fakeContext(
			engine({
				inspectImage: async (ref) => {
					if (ref !== 'tools:1') throw notFound(ref);
					return details;
				},
			}).engine,
		);
		assert.equal(await runCli(['image', 'inspect', 'tools:1', 'nope'], ctx), 1);
		assert.deepEqual(JSON.parse(out.stdout), [details]);
		assert.equal(out.stderr, 'c32: error: no image "nope": pull it first: c32 pull nope\n');
	});

	it('tag hands both names over; rmi prints docker lines, one image at a time, failing for the ones refused', async () => {
		const calls: unknown[][] = [];
		const {ctx, out} = fakeContext({
			tagImage: async (source, target) => {
				calls.push(['tag', source, target]);
			},
			removeImages: async (refs, options) => {
				calls.push(['rmi', refs, options]);
				const [ref] = refs as [string];
				if (ref === 'used') throw new C32Error('IMAGE_IN_USE', 'image used is used by container bot: remove it first, or rmi -f');
				return [{ref, id: `sha256:${hex('a')}`, untagged: [`localhost/${ref}:latest`], deleted: ref !== 'shared'}];
			},
		});
		assert.equal(await runCli(['tag', 'tools:1', 'tools:stable'], ctx), 0);
		assert.equal(await runCli(['tag', 'tools:1'], ctx), 2);
		assert.equal(await runCli(['rmi', 'a', 'used', 'shared'], ctx), 1);
		assert.equal(out.stdout, `Untagged: localhost/a:latest\nDeleted: sha256:${hex('a')}\nUntagged: localhost/shared:latest\n`);
		assert.match(out.stderr, /c32: error: image used is used by container bot: remove it first, or rmi -f\n$/);
		out.stdout = '';
		assert.equal(await runCli(['image', 'rm', '-f', '--json', 'a', 'used'], ctx), 1);
		assert.deepEqual(JSON.parse(out.stdout), [
			{ref: 'a', id: `sha256:${hex('a')}`, untagged: ['localhost/a:latest'], deleted: true},
			{ref: 'used', error: {code: 'IMAGE_IN_USE', message: 'image used is used by container bot: remove it first, or rmi -f'}},
		]);
		assert.deepEqual(calls.slice(0, 2), [
			['tag', 'tools:1', 'tools:stable'],
			['rmi', ['a'], {force: false}],
		]);
		assert.deepEqual(calls.at(-1), ['rmi', ['used'], {force: true}]);
	});

	it('image prune: --force without a terminal, asks y/N on one', async () => {
		let pruned = 0;
		const prune = engine({
			pruneImages: async () => {
				pruned++;
				return {deleted: [`sha256:${hex('c')}`], reclaimedBytes: 5_200_000};
			},
		}).engine;
		const script = fakeContext(prune);
		assert.equal(await runCli(['image', 'prune'], script.ctx), 1);
		assert.match(script.out.stderr, /no terminal to confirm on: add --force/);
		const no = fakeContext(prune, {stdinIsTTY: true, answers: ['n']});
		assert.equal(await runCli(['image', 'prune'], no.ctx), 0);
		assert.deepEqual(no.asked, ['Remove the untagged images no container uses (1 untagged image)? [y/N] ']);
		assert.equal(pruned, 0);
		const yes = fakeContext(prune, {stdinIsTTY: true, answers: ['y']});
		assert.equal(await runCli(['image', 'prune'], yes.ctx), 0);
		assert.equal(yes.out.stdout, `Deleted: sha256:${hex('c')}\nTotal reclaimed space: 5.2MB\n`);
		const forced = fakeContext(prune);
		assert.equal(await runCli(['image', 'prune', '-f', '--json'], forced.ctx), 0);
		assert.deepEqual(JSON.parse(forced.out.stdout), {deleted: [`sha256:${hex('c')}`], reclaimedBytes: 5_200_000});
		assert.equal(pruned, 2);
	});

	it('save needs -o and a known --format; the path is absolute', async () => {
		const calls: unknown[][] = [];
		const {ctx, out} = fakeContext({
			saveImage: async (ref, file, options) => {
				calls.push([ref, file, options]);
			},
		});
		assert.equal(await runCli(['save', 'tools:1'], ctx), 2);
		assert.match(out.stderr, /give it with -o FILE/);
		assert.equal(await runCli(['save', 'tools:1', '-o', 't.tar', '--format', 'zip'], ctx), 2);
		assert.equal(await runCli(['save', 'tools:1', '-o', 't.tar'], ctx), 0);
		assert.equal(await runCli(['image', 'save', '--format', 'docker-archive', '-o', '/tmp/d.tar', 'tools:1'], ctx), 0);
		assert.deepEqual(calls, [
			['tools:1', '/work/t.tar', {format: 'oci-archive'}],
			['tools:1', '/tmp/d.tar', {format: 'docker-archive'}],
		]);
	});

	it('commit passes --change and prints the new id; it needs CONTAINER and NAME', async () => {
		const calls: unknown[][] = [];
		const {ctx, out} = fakeContext({
			commitContainer: async (ref, name, options) => {
				calls.push([ref, name, options?.changes]);
				options?.onProgress?.({phase: 'writing', done: 10, total: null});
				return image([name]);
			},
		});
		assert.equal(await runCli(['commit', 'bot'], ctx), 2);
		assert.equal(await runCli(['commit', '--change', 'WORKDIR /app', 'bot', 'bot:2'], ctx), 0);
		assert.deepEqual(calls, [['bot', 'bot:2', ['WORKDIR /app']]]);
		assert.equal(out.stdout, `sha256:${hex('e')}\n`);
		assert.equal(out.stderr.split('\n').at(-2), 'writing');
	});

	it('system df: a table and --json', async () => {
		const usage = {
			images: {count: 3, size: 130_000_000, reclaimable: 5_000_000},
			layers: {count: 4, size: 300_000_000, shared: 80_000_000},
			containers: {count: 2, size: 1_000},
		};
		const {ctx, out} = fakeContext({diskUsage: async () => usage});
		assert.equal(await runCli(['system', 'df'], ctx), 0);
		assert.deepEqual(
			out.stdout
				.trimEnd()
				.split('\n')
				.map((line) => line.split(/\s{3,}/)),
			[
				['TYPE', 'TOTAL', 'SIZE', 'RECLAIMABLE', 'SHARED'],
				['Images', '3', '130MB', '5MB', '-'],
				['Layers', '4', '300MB', '-', '80MB'],
				['Containers', '2', '1kB', '-', '-'],
			],
		);
		out.stdout = '';
		await runCli(['system', 'df', '--json'], ctx);
		assert.deepEqual(JSON.parse(out.stdout), usage);
		assert.equal(await runCli(['system'], ctx), 2);
	});

	it('export --with-image writes the archive to -o, which it needs', async () => {
		const calls: unknown[][] = [];
		const {ctx, out} = fakeContext({
			exportContainerArchive: async (ref, file) => {
				calls.push([ref, file]);
			},
		});
		assert.equal(await runCli(['export', '--with-image', 'bot'], ctx), 2);
		assert.match(out.stderr, /--with-image writes a tar: give the file with -o FILE/);
		assert.equal(await runCli(['export', '--with-image', '-o', 'bot.tar', 'bot'], ctx), 0);
		assert.deepEqual(calls, [['bot', '/work/bot.tar']]);
	});

	it('ps shows the image name and tag of an OCI container', async () => {
		const bot = container('bot', {image: '127.0.0.1:5000/team/bot:1'});
		const {ctx, out} = fakeContext({
			listContainers: async () => [bot],
			inspectContainer: async () => ({
				...bot,
				config: {} as never,
				paths: {bundle: '/b', log: '/l', monitorPidFile: '/m'},
				userNamespace: null,
				network: null,
				networks: [],
			}),
		});
		await runCli(['ps'], ctx);
		assert.match(out.stdout.split('\n')[1]!, /\s{3}127\.0\.0\.1:5000\/team\/bot:1\s{3}/);
	});
});

describe('run and create with an image reference', () => {
	const created = (calls: unknown[][]) => calls.filter((call) => call[0] === 'create').map((call) => call[1] as ContainerConfig);

	it('pull a missing image first (inspect says IMAGE_NOT_FOUND), then create from the reference', async () => {
		const {engine, calls} = imageEngine();
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['create', '--tls-verify=false', '127.0.0.1:5000/team/bot:1', '--', 'sh'], ctx), 0);
		assert.deepEqual(calls.slice(0, 2), [
			['inspectImage', '127.0.0.1:5000/team/bot:1'],
			['pull', '127.0.0.1:5000/team/bot:1', {tlsVerify: false}],
		]);
		assert.deepEqual(created(calls), [{image: '127.0.0.1:5000/team/bot:1', args: ['sh']}]);
		assert.match(out.stderr, /^Image 127\.0\.0\.1:5000\/team\/bot:1 is not stored here: pulling it\n/);
	});

	it('a stored image is not pulled again; --pull always pulls, --pull never does not ask', async () => {
		const stored = imageEngine({inspectImage: async () => image(['localhost/tools:1']) as ImageDetails});
		assert.equal(await runCli(['run', '-d', 'tools:1'], fakeContext(stored.engine).ctx), 0);
		assert.deepEqual(
			stored.calls.map((call) => call[0]),
			['create'],
		);
		const always = imageEngine();
		await runCli(['create', '--pull', 'always', 'tools:1'], fakeContext(always.engine).ctx);
		assert.deepEqual(
			always.calls.map((call) => call[0]),
			['pull', 'create'],
		);
		const never = imageEngine();
		await runCli(['create', '--pull=never', 'tools:1'], fakeContext(never.engine).ctx);
		assert.deepEqual(
			never.calls.map((call) => call[0]),
			['create'],
		);
	});

	it('a host path is never looked up as an image; --base is, and pulled when missing', async () => {
		const {engine, calls} = imageEngine();
		const {ctx} = fakeContext(engine, {existing: ['/work/bot.py']});
		await runCli(['create', 'bot.py'], ctx);
		await runCli(['create', './job.sh'], ctx);
		await runCli(['create', '--base', 'tools:1', './job.sh'], ctx);
		assert.deepEqual(
			calls.map((call) => call[0]),
			['create', 'create', 'inspectImage', 'pull', 'create'],
		);
		assert.deepEqual(created(calls), [{image: '/work/bot.py'}, {image: '/work/job.sh'}, {image: '/work/job.sh', base: 'tools:1'}]);
	});

	it('a bad --pull is a usage error; a failed pull is run exit 125 and nothing is created', async () => {
		const {engine, calls} = imageEngine({
			pullImage: async () => {
				throw new C32Error('TRANSPORT_FAILED', 'manifest unknown: 127.0.0.1:5000/team/bot has no tag 9');
			},
		});
		const {ctx, out} = fakeContext(engine);
		assert.equal(await runCli(['run', '--pull', 'sometimes', 'tools:1'], ctx), 2);
		assert.match(out.stderr, /invalid --pull "sometimes": use missing, always or never/);
		out.stderr = '';
		assert.equal(await runCli(['run', '127.0.0.1:5000/team/bot:9'], ctx), 125);
		assert.match(out.stderr, /c32: error: manifest unknown: 127\.0\.0\.1:5000\/team\/bot has no tag 9\n$/);
		assert.equal(await runCli(['create', '127.0.0.1:5000/team/bot:9'], ctx), 125);
		assert.deepEqual(created(calls), []);
	});

	it('an inspect failure other than not found is not hidden by a pull', async () => {
		const {engine, calls} = imageEngine({
			inspectImage: async () => {
				throw new C32Error('IMAGE_INVALID', 'image localhost/tools:1 is damaged: blob sha256:ab… does not match its digest');
			},
		});
		assert.equal(await runCli(['run', '-d', 'tools:1'], fakeContext(engine).ctx), 125);
		assert.deepEqual(
			calls.map((call) => call[0]),
			[],
		);
	});
});
