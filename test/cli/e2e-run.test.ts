// `c32 run` and `c32 create` end to end: the built binary against real containers.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {needsRuntime} from '../helpers/engine.js';
import {FULL_ID, finished, suiteSandbox, waitForOutput} from './binary.js';

describe('c32 run', () => {
	const box = suiteSandbox();

	it('streams stdout and stderr to their own streams and exits with the container code', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '--name', 'attached', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
		assert.equal(result.code, 3, result.stderr);
		assert.equal(result.stdout, 'out\n');
		assert.equal(result.stderr, 'err\n');
		const ps = await box.run(['ps', '-a', '--json']);
		const container = JSON.parse(ps.stdout).find((c: {name: string}) => c.name === 'attached');
		assert.equal(container.state, 'exited');
		assert.equal(container.exitCode, 3);
	});

	it('works as the first command of a storage root that does not exist yet, at every isolation level', async (t) => {
		if (!needsRuntime(t)) return;
		for (const isolation of ['minimal', 'standard', 'strict']) {
			const fresh = path.join(box.dir, `fresh-${isolation}`, 'storage');
			const network = isolation === 'minimal' ? [] : ['--network', 'none'];
			const result = await box.run(['run', '--rm', ...network, '--isolation', isolation, '--', 'echo', 'hi'], {
				env: {C32_STORAGE_DIR: fresh},
			});
			assert.equal(result.code, 0, `${isolation}: ${result.stderr}`);
			assert.equal(result.stdout, 'hi\n');
		}
	});

	it('removes the container after it exits with --rm', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '--rm', '--name', 'gone', '--', 'true']);
		assert.equal(result.code, 0, result.stderr);
		const ps = await box.run(['ps', '-a', '--json']);
		assert.equal(
			JSON.parse(ps.stdout).some((c: {name: string}) => c.name === 'gone'),
			false,
		);
	});

	it('run -d --rm and create --rm: the engine removes the container once it ends', async (t) => {
		if (!needsRuntime(t)) return;
		const detached = await box.run(['run', '-d', '--rm', '--name', 'short-lived', '--', 'sh', '-c', 'sleep 0.3']);
		assert.equal(detached.code, 0, detached.stderr);
		const created = await box.run(['create', '--rm', '--name', 'one-shot', '--', 'true']);
		assert.equal(created.code, 0, created.stderr);
		const names = async () => JSON.parse((await box.run(['ps', '-a', '--json'])).stdout).map((c: {name: string}) => c.name);
		assert.ok((await names()).includes('one-shot'), 'a created --rm container stays until it has run');
		assert.equal((await box.run(['start', 'one-shot'])).code, 0);
		const deadline = Date.now() + 10_000;
		while (Date.now() < deadline && (await names()).some((n: string) => n === 'short-lived' || n === 'one-shot')) {
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		assert.deepEqual(
			(await names()).filter((n: string) => n === 'short-lived' || n === 'one-shot'),
			[],
		);
	});

	it('prints only the id with -d and leaves the container running', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '-d', '--name', 'background', '--', 'sleep', '60']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout.trim(), FULL_ID);
		assert.equal(result.stdout.split('\n').length, 2);
		const ps = await box.run(['ps', '-q', '--no-trunc']);
		assert.ok(ps.stdout.split('\n').includes(result.stdout.trim()));
		await box.run(['rm', '-f', 'background']);
	});

	it('runs an image file by its kind, with the words after the image as its arguments', async (t) => {
		if (!needsRuntime(t)) return;
		const script = path.join(box.dir, 'hello.sh');
		fs.writeFileSync(script, 'echo "hello from $0 in $(pwd) with $# args: $*"\n');
		const byKind = await box.run(['run', '--rm', 'hello.sh']);
		assert.equal(byKind.code, 0, byKind.stderr);
		assert.equal(byKind.stdout, 'hello from ./hello.sh in /app with 0 args: \n');
		const seedStyle = await box.run(['run', '--rm', '--image', script, '--entrypoint', 'sh', '--args', './hello.sh', '--args', 'a b']);
		assert.equal(seedStyle.stdout, 'hello from ./hello.sh in /app with 1 args: a b\n', seedStyle.stderr);
		const dockerStyle = await box.run(['run', '--rm', '--entrypoint', 'sh', 'hello.sh', './hello.sh', '-x', 'y']);
		assert.equal(dockerStyle.stdout, 'hello from ./hello.sh in /app with 2 args: -x y\n', dockerStyle.stderr);
	});

	it('hands environment, env files, volumes, working dir and hostname to the container', async (t) => {
		if (!needsRuntime(t)) return;
		const data = path.join(box.dir, 'data');
		fs.mkdirSync(data);
		fs.writeFileSync(path.join(data, 'in.txt'), 'from the host\n');
		fs.writeFileSync(path.join(box.dir, 'vars.env'), '# settings\nFROM_FILE=file\nBOTH=file\n');
		const result = await box.run(
			[
				'run',
				'--rm',
				'--env-file',
				'vars.env',
				'-e',
				'BOTH=flag',
				'-e',
				'PASSED',
				'-v',
				`${data}:/data:ro`,
				'-v',
				`${data}:/rw`,
				'-w',
				'/data',
				'--hostname',
				'box1',
				'--',
				'sh',
				'-c',
				'echo $FROM_FILE $BOTH $PASSED $(hostname) $(pwd); cat in.txt; touch /data/x 2>/dev/null || echo ro; touch /rw/y && echo rw',
			],
			{env: {PASSED: 'passed'}},
		);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stdout, 'file flag passed box1 /data\nfrom the host\nro\nrw\n');
		assert.ok(fs.existsSync(path.join(data, 'y')));
	});

	it('maps the seed and docker limit options onto the stored config', async (t) => {
		if (!needsRuntime(t)) return;
		const id = (
			await box.run([
				'create',
				'--name',
				'limited',
				'-m',
				'64m',
				'--cpus',
				'0.5',
				'--pids-limit',
				'32',
				'--max-open-files',
				'256',
				'--auto-restart',
				'--max-restarts',
				'3',
				'-l',
				'team=bots',
				'--stop-timeout',
				'2',
				'--stop-signal',
				'INT',
				'--',
				'true',
			])
		).stdout.trim();
		assert.match(id, FULL_ID);
		const [info] = JSON.parse((await box.run(['inspect', 'limited'])).stdout);
		assert.deepEqual(info.config.resourceLimits, {memoryLimitMb: 64, cpuLimitPercent: 50, maxProcesses: 32, maxOpenFiles: 256});
		assert.deepEqual(info.config.restartPolicy, {name: 'on-failure', maxRetries: 3});
		assert.deepEqual(info.labels, {team: 'bots'});
		assert.equal(info.config.stopTimeout, 2);
		assert.equal(info.config.stopSignal, 'SIGINT');
		const seed = await box.run([
			'create',
			'--name',
			'seed-limits',
			'--memory-limit',
			'128',
			'--cpu-limit',
			'25',
			'--max-processes',
			'16',
			'--',
			'true',
		]);
		assert.equal(seed.code, 0, seed.stderr);
		const [seedInfo] = JSON.parse((await box.run(['inspect', 'seed-limits'])).stdout);
		assert.deepEqual(seedInfo.config.resourceLimits, {memoryLimitMb: 128, cpuLimitPercent: 25, maxProcesses: 16, maxOpenFiles: 4096});
	});

	it('stops the container on Ctrl-C and exits with its code', async (t) => {
		if (!needsRuntime(t)) return;
		const child = box.spawn([
			'run',
			'--name',
			'interrupted',
			'--',
			'sh',
			'-c',
			'trap "echo bye; exit 42" TERM; echo ready; while :; do sleep 0.1; done',
		]);
		child.stdin!.end();
		const done = finished(child, 30_000);
		await waitForOutput(child, /ready/);
		child.kill('SIGINT');
		const result = await done;
		assert.equal(result.code, 42, result.stderr);
		assert.equal(result.stdout, 'ready\nbye\n');
		assert.equal(result.stderr, 'c32: stopping interrupted (Ctrl-C again to kill it)\n');
		const [info] = JSON.parse((await box.run(['inspect', 'interrupted'])).stdout);
		assert.ok(['stopped', 'exited'].includes(info.state), info.state);
	});

	it('exits 127 when the command is not found and 126 when it cannot be executed', async (t) => {
		if (!needsRuntime(t)) return;
		const missing = await box.run(['run', '--name', 'never-ran', '--', 'no-such-program-c32']);
		assert.equal(missing.code, 127, missing.stderr);
		assert.match(missing.stderr, /^c32: error: /);
		const removed = await box.run(['run', '--rm', '--name', 'never-ran-rm', '--', 'no-such-program-c32']);
		assert.equal(removed.code, 127, removed.stderr);
		assert.match(removed.stderr, /^c32: error: no-such-program-c32: [^\n]*not found[^\n]*\n$/, 'only the real error, once');
		const detached = await box.run(['run', '-d', '--name', 'never-ran-d', '--', 'no-such-program-c32']);
		assert.equal(detached.code, 127, detached.stderr);
		assert.equal(detached.stdout, '');
		const names = JSON.parse((await box.run(['ps', '-a', '--json'])).stdout).map((c: {name: string}) => c.name);
		assert.deepEqual(
			names.filter((n: string) => n.startsWith('never-ran')),
			[],
			'run left a container that could not start',
		);
		const plain = path.join(box.dir, 'not-executable');
		fs.mkdirSync(plain);
		fs.writeFileSync(path.join(plain, 'script'), 'echo hi\n', {mode: 0o644});
		const notExecutable = await box.run(['run', '--rm', '-v', `${plain}:/x`, '--', '/x/script']);
		assert.equal(notExecutable.code, 126, notExecutable.stderr);
	});

	it('exits 125 with a one-line error, no stack trace, when c32 cannot create the container', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['run', '--name', 'bad name!', '--', 'true']);
		assert.equal(result.code, 125);
		assert.match(result.stderr, /^c32: error: invalid container name "bad name!".*\n$/);
		const clash = await box.run(['run', '--name', 'attached', '--', 'true']);
		assert.equal(clash.code, 125);
		assert.match(clash.stderr, /^c32: error: .*attached/);
		const debug = await box.run(['run', '--name', 'bad name!', '--', 'true'], {env: {C32_DEBUG: '1'}});
		assert.match(debug.stderr, /\n\s+at /);
	});

	it('exits 2 with a hint for usage errors', async () => {
		for (const args of [
			['run', '--bogus', 'x'],
			['run', '--cpus', 'lots', '--', 'true'],
			['create', '--isolation', 'tight', '--', 'true'],
			['run', '-it', '--', 'sh'],
		]) {
			const result = await box.run(args);
			assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, /^c32: error: .+\nSee 'c32 (run|create) --help'\.\n$/);
		}
	});

	it('create prints the id and leaves the container created', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['create', '--name', 'later', '--', 'echo', 'hi']);
		assert.match(result.stdout.trim(), FULL_ID);
		const [info] = JSON.parse((await box.run(['inspect', 'later'])).stdout);
		assert.equal(info.state, 'created');
		assert.equal(info.id, result.stdout.trim());
	});
});
