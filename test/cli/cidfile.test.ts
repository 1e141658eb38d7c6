// run --cidfile/--replace, stop and rm --cidfile/--ignore, in process against an engine double.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import {C32Error} from '../../engine/errors.js';
import type {Engine} from '../../engine/index.js';
import {main as rm} from '../../source/commands/rm.js';
import {main as run} from '../../source/commands/run.js';
import {main as stop} from '../../source/commands/stop.js';
import {reportError} from '../../source/lib/errors.js';
import {makeTempDir} from '../helpers/engine.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const ID = `${'ab'.repeat(32)}`;

/** Runs a command module's main as the CLI does: an error thrown is reported and gives the exit code. */
async function invoke(main: typeof stop, argv: string[], ctx: ReturnType<typeof fakeContext>['ctx']): Promise<number> {
	try {
		return await main(argv, ctx);
	} catch (error) {
		return reportError(error, ctx.stderr, {command: 'x', failureCode: 1, debug: false});
	}
}

describe('stop and rm --cidfile', () => {
	test('act on the id the file holds; rm takes the file along', async () => {
		const acted: string[] = [];
		const engine: Partial<Engine> = {
			stopContainer: async (ref) => {
				acted.push(`stop ${ref}`);
				return container('web');
			},
			removeContainer: async (ref) => {
				acted.push(`rm ${ref}`);
			},
		};
		const dir = makeTempDir('c32-cid-');
		try {
			const file = path.join(dir, 'web.ctr-id');
			fs.writeFileSync(file, `${ID}\n`);
			const {ctx, out} = fakeContext(engine, {files: {[file]: `${ID}\n`}});
			assert.equal(await invoke(stop, ['--cidfile', file], ctx), 0);
			assert.equal(await invoke(rm, ['-f', '--cidfile', file], ctx), 0);
			assert.deepEqual(acted, [`stop ${ID}`, `rm ${ID}`]);
			assert.equal(out.stdout, `${ID}\n${ID}\n`);
			assert.equal(fs.existsSync(file), false);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	test('a missing file or container is an error, or nothing at all with --ignore', async () => {
		const engine: Partial<Engine> = {
			stopContainer: async (ref) => {
				throw new C32Error('NOT_FOUND', `no such container: ${ref}`);
			},
		};
		const missing = fakeContext(engine);
		assert.equal(await invoke(stop, ['--cidfile', '/nope/web.ctr-id'], missing.ctx), 1);
		assert.match(missing.out.stderr, /no container id file \/nope\/web\.ctr-id: give an existing --cidfile, or --ignore/);
		const ignored = fakeContext(engine);
		assert.equal(await invoke(stop, ['--ignore', '--cidfile', '/nope/web.ctr-id'], ignored.ctx), 0);
		assert.deepEqual(ignored.out, {stdout: '', stderr: ''});
		const gone = fakeContext(engine, {files: {'/run/web.ctr-id': ID}});
		assert.equal(await invoke(stop, ['--ignore', '--cidfile', '/run/web.ctr-id'], gone.ctx), 0);
		assert.deepEqual(gone.out, {stdout: '', stderr: ''});
		assert.equal(await invoke(stop, ['--cidfile', '/run/web.ctr-id'], gone.ctx), 1, 'without --ignore the container is missed');
	});

	test('no container and no --cidfile is the usage error it always was', async () => {
		const {ctx, out} = fakeContext({});
		assert.equal(await invoke(stop, [], ctx), 2);
		assert.match(out.stderr, /"c32 stop" needs a container/);
	});
});

describe('run --replace and --cidfile', () => {
	test('--replace removes the container of that name exactly, never one whose id starts with it', async () => {
		const removed: string[] = [];
		const prefixOfOther = container('other', {id: `abcdef${'0'.repeat(58)}`});
		const engine: Partial<Engine> = {
			listContainers: async () => [prefixOfOther, container('web')],
			removeContainer: async (ref) => {
				removed.push(ref);
			},
			createContainer: async () => container('new'),
			startContainer: async () => container('new'),
		};
		const {ctx} = fakeContext(engine);
		assert.equal(await invoke(run, ['-d', '--replace', '--name', 'abcdef', '--', 'sleep', '1'], ctx), 0);
		assert.deepEqual(removed, [], 'no container is named abcdef');
		assert.equal(await invoke(run, ['-d', '--replace', '--name', 'web', '--', 'sleep', '1'], ctx), 0);
		assert.deepEqual(removed, [container('web').id]);
	});

	test('--cidfile writes the id of the started container; without -d, and --replace without --name, are usage errors', async () => {
		const dir = makeTempDir('c32-cid-');
		try {
			const file = path.join(dir, 'web.ctr-id');
			const engine: Partial<Engine> = {createContainer: async () => container('web'), startContainer: async () => container('web')};
			const {ctx} = fakeContext(engine);
			assert.equal(await invoke(run, ['-d', '--cidfile', file, '--', 'sleep', '1'], ctx), 0);
			assert.equal(fs.readFileSync(file, 'utf8'), `${container('web').id}\n`);
			const usage = fakeContext(engine);
			assert.equal(await invoke(run, ['--cidfile', file, '--', 'true'], usage.ctx), 2);
			assert.equal(await invoke(run, ['-d', '--replace', '--', 'true'], usage.ctx), 2);
			assert.match(usage.out.stderr, /--cidfile goes with -d/);
			assert.match(usage.out.stderr, /--replace goes with --name/);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});
});
