// c32 generate systemd end to end: the units of real containers pass systemd-analyze verify,
// and their Exec lines, run as the argv systemd would run (no shell), start the container with
// the PIDFile naming its live conmon, stop it, and (--new) make the same container again.
import assert from 'node:assert/strict';
import {execFile, execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it, type TestContext} from 'node:test';
import {IN_CI, makeTempDir, needsRuntime, waitFor} from '../helpers/engine.js';
import {needsNetworkStack} from '../helpers/network.js';
import {type ExecCommand, execCommand, setting, unitEnvironment, unitSettings} from '../helpers/systemd-words.js';
import {CLI_PATH, readmeBlock, suiteSandbox} from './binary.js';

/** Whether systemd-analyze is here; in CI its absence fails the test. */
function needsSystemdAnalyze(t: TestContext): boolean {
	try {
		execFileSync('systemd-analyze', ['--version'], {stdio: 'ignore'});
		return true;
	} catch {
		if (IN_CI) assert.fail('systemd-analyze is missing: CI must have the systemd package (apt-get install systemd)');
		t.skip('systemd-analyze is not installed (the systemd package)');
		return false;
	}
}

/**
 * systemd-analyze's verify, offline: PID 1 here need not be systemd; --man=no skips the man
 * pages of Documentation=. Its warnings go to stderr with exit code 0: both are returned.
 */
function verify(file: string): {code: number | null; output: string} {
	const result = spawnSync('systemd-analyze', ['verify', '--man=no', file], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
	return {code: result.status, output: `${result.stdout}${result.stderr}`};
}

/** Runs one Exec line as systemd would: its argv, the unit's environment and a plain PATH, no shell. */
function runExec(command: ExecCommand, env: Record<string, string>): Promise<{code: number; stdout: string; stderr: string}> {
	const [program, ...args] = command.argv;
	return new Promise((resolve) => {
		execFile(
			program!,
			args,
			{env: {PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', ...env}, timeout: 60_000},
			(error, stdout, stderr) => resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout, stderr}),
		);
	});
}

const alive = (pid: number) => fs.existsSync(`/proc/${pid}`);
const comm = (pid: number) => fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

describe('c32 generate systemd', () => {
	const box = suiteSandbox();
	const inspect = async (ref: string) => {
		const result = await box.run(['inspect', ref]);
		assert.equal(result.code, 0, result.stderr);
		return JSON.parse(result.stdout)[0];
	};
	const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 0.1; done'];

	it('an existing container: the unit verifies, its ExecStart starts it with the PIDFile naming its conmon, its ExecStop stops it', async (t) => {
		if (!needsRuntime(t) || !needsSystemdAnalyze(t)) return;
		const created = await box.run(['create', '--name', 'plain', '--network', 'none', '--stop-timeout', '3', '--', ...LOOP]);
		assert.equal(created.code, 0, created.stderr);
		const dir = makeTempDir('c32-units-');
		t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
		const written = await box.run(['generate', 'systemd', '--files', dir, 'plain']);
		assert.equal(written.code, 0, written.stderr);
		const file = path.join(dir, 'c32-plain.service');
		assert.equal(written.stdout, `${file}\n`);
		assert.deepEqual(verify(file), {code: 0, output: ''}, 'systemd-analyze verify passes without a warning');
		// The check has teeth: a setting systemd ignores is a warning (exit 0), a broken ExecStart an error.
		const broken = path.join(dir, 'c32-broken.service');
		fs.writeFileSync(broken, fs.readFileSync(file, 'utf8').replace('Restart=on-failure', 'Restart=sometimes'));
		assert.match(verify(broken).output, /Failed to parse service restart specifier/);
		fs.writeFileSync(broken, fs.readFileSync(file, 'utf8').replace(/^ExecStart=/m, 'ExecStart="'));
		assert.notEqual(verify(broken).code, 0);

		const text = fs.readFileSync(file, 'utf8');
		const {id} = await inspect('plain');
		const specifiers = {t: '/run', n: 'c32-plain.service'};
		const env = unitEnvironment(text, specifiers);
		assert.deepEqual(env, {C32_STORAGE_DIR: box.dir});
		assert.equal(setting(text, 'Service', 'Restart'), 'on-failure', 'the default of --restart-policy');
		assert.equal(setting(text, 'Service', 'TimeoutStopSec'), '63');
		const start = execCommand(setting(text, 'Service', 'ExecStart'), specifiers);
		assert.deepEqual(start.argv.slice(1), [fs.realpathSync(CLI_PATH), 'start', id], 'by id');
		assert.ok(path.isAbsolute(start.argv[0]!));

		const started = await runExec(start, env);
		assert.equal(started.code, 0, started.stderr);
		assert.equal((await inspect(id)).state, 'running');
		const pidFile = setting(text, 'Service', 'PIDFile');
		const monitor = Number(fs.readFileSync(pidFile, 'utf8').trim());
		assert.ok(alive(monitor), 'the PIDFile names a live process');
		assert.equal(comm(monitor), 'conmon');
		assert.equal(pidFile, (await inspect(id)).paths.monitorPidFile);

		const stopped = await runExec(execCommand(setting(text, 'Service', 'ExecStop'), specifiers), env);
		assert.equal(stopped.code, 0, stopped.stderr);
		assert.equal((await inspect(id)).state, 'stopped');
		await waitFor(() => !alive(monitor), 10_000, 'conmon to exit once the container stopped');
		// systemd starts it again the same way.
		assert.equal((await runExec(start, env)).code, 0);
		assert.equal((await inspect(id)).state, 'running');
		assert.equal((await runExec(execCommand(setting(text, 'Service', 'ExecStop'), specifiers), env)).code, 0);
	});

	it('a minimal container: the PIDFile names its conmon, which exits once the container stopped', async (t) => {
		if (!needsRuntime(t)) return;
		const created = await box.run(['create', '--name', 'bare', '--isolation', 'minimal', '--', ...LOOP]);
		assert.equal(created.code, 0, created.stderr);
		const printed = await box.run(['generate', 'systemd', '--name', 'bare']);
		assert.equal(printed.code, 0, printed.stderr);
		const text = printed.stdout;
		const specifiers = {t: '/run', n: 'c32-bare.service'};
		const env = unitEnvironment(text, specifiers);
		const start = execCommand(setting(text, 'Service', 'ExecStart'), specifiers);
		assert.deepEqual(start.argv.slice(2), ['start', 'bare'], '--name: by name');
		assert.equal((await runExec(start, env)).code, 0);
		const monitor = Number(fs.readFileSync(setting(text, 'Service', 'PIDFile'), 'utf8').trim());
		assert.ok(alive(monitor));
		assert.equal(fs.readFileSync(`/proc/${monitor}/comm`, 'utf8').trim(), 'conmon');
		assert.equal((await runExec(execCommand(setting(text, 'Service', 'ExecStop'), specifiers), env)).code, 0);
		await waitFor(() => !alive(monitor), 10_000, 'conmon to exit once the container stopped');
	});

	it('--new: the unit verifies, and its Exec lines remove, recreate with the same config, stop and remove the container', async (t) => {
		if (!needsRuntime(t) || !needsSystemdAnalyze(t)) return;
		const created = await box.run([
			'run',
			'-d',
			'--name',
			'web',
			'--network',
			'none',
			'--restart',
			'on-failure:2',
			'-e',
			'GREETING=100% "$HOME" it\'s a b',
			'-l',
			'team=ops',
			'-m',
			'64m',
			'--stop-timeout',
			'2',
			'--',
			...LOOP,
		]);
		assert.equal(created.code, 0, created.stderr);
		const original = await inspect('web');
		const dir = makeTempDir('c32-units-');
		const runtime = makeTempDir('c32-run-');
		t.after(() => {
			fs.rmSync(dir, {recursive: true, force: true});
			fs.rmSync(runtime, {recursive: true, force: true});
		});
		const written = await box.run(['generate', 'systemd', '--new', '--files', dir, 'web']);
		assert.equal(written.code, 0, written.stderr);
		const file = path.join(dir, 'c32-web.service');
		assert.deepEqual(verify(file), {code: 0, output: ''}, 'systemd-analyze verify passes without a warning');

		const text = fs.readFileSync(file, 'utf8');
		assert.equal(setting(text, 'Service', 'Restart'), 'on-failure', "the container's policy, now systemd's");
		assert.equal(setting(text, 'Unit', 'StartLimitBurst'), '2');
		assert.match(text, new RegExp(`^# container ${original.id}, `, 'm'));
		const specifiers = {t: runtime, n: 'c32-web.service'};
		const env = unitEnvironment(text, specifiers);
		const line = (key: string) => execCommand(setting(text, 'Service', key), specifiers);

		assert.equal(unitSettings(text).get('Service')?.has('ExecStartPre'), false);
		// The container of that name (here: the original) is replaced by a fresh one of the same config.
		const started = await runExec(line('ExecStart'), env);
		assert.equal(started.code, 0, started.stderr);
		const fresh = await inspect('web');
		assert.notEqual(fresh.id, original.id);
		assert.equal(fresh.state, 'running');
		assert.deepEqual(fresh.config.restartPolicy, {name: 'no', maxRetries: 0}, "restarts are the unit's alone");
		assert.equal(fresh.config.monitorPidFile, path.join(runtime, 'c32-web.service.pid'));
		const same = (config: Record<string, unknown>) => ({...config, restartPolicy: null, monitorPidFile: null});
		assert.deepEqual(same(fresh.config), same(original.config), 'every other config field is the same');
		assert.equal(fresh.config.environment.GREETING, '100% "$HOME" it\'s a b');

		const pidFile = path.join(runtime, 'c32-web.service.pid');
		assert.equal(setting(text, 'Service', 'PIDFile'), '%t/%n.pid');
		const monitor = Number(fs.readFileSync(pidFile, 'utf8').trim());
		assert.equal(comm(monitor), 'conmon');
		assert.equal(String(monitor), fs.readFileSync(fresh.paths.monitorPidFile, 'utf8').trim());

		assert.equal((await runExec(line('ExecStop'), env)).code, 0);
		assert.equal((await inspect('web')).state, 'stopped');
		assert.equal(fs.existsSync(pidFile), false, 'the ended run took its pid file along');
		assert.equal((await runExec(line('ExecStopPost'), env)).code, 0);
		assert.equal((await box.run(['inspect', 'web'])).code, 1, 'stopped and removed');
		assert.equal(fs.existsSync(path.join(runtime, 'c32-web.service.ctr-id')), false, 'rm --cidfile took the id file along');
		for (const key of ['ExecStop', 'ExecStopPost']) {
			const again = await runExec(line(key), env);
			assert.deepEqual([again.code, again.stdout], [0, ''], `${key} with nothing left to act on: ${again.stderr}`);
		}
	});

	it("--new with a name that is also an id prefix: start, stop and remove touch only the unit's container", async (t) => {
		if (!needsRuntime(t)) return;
		const decoy = await box.run(['create', '--name', 'decoy', '--network', 'none', '--', ...LOOP]);
		assert.equal(decoy.code, 0, decoy.stderr);
		const decoyId = decoy.stdout.trim();
		const name = decoyId.slice(0, 6);
		const created = await box.run(['create', '--name', name, '--network', 'none', '--', ...LOOP]);
		assert.equal(created.code, 0, created.stderr);
		const printed = await box.run(['generate', 'systemd', '--new', name]);
		assert.equal(printed.code, 0, printed.stderr);
		const runtime = makeTempDir('c32-run-');
		t.after(() => fs.rmSync(runtime, {recursive: true, force: true}));
		const specifiers = {t: runtime, n: `c32-${name}.service`};
		const env = unitEnvironment(printed.stdout, specifiers);
		const line = (key: string) => execCommand(setting(printed.stdout, 'Service', key), specifiers);
		// Gone before the unit's first start: --replace must not take the name for the decoy's id prefix.
		assert.equal((await box.run(['rm', name])).code, 0);
		assert.equal((await runExec(line('ExecStart'), env)).code, 0);
		assert.equal((await inspect(name)).state, 'running');
		// Removed by hand while the unit runs: its stop and remove find nothing, and leave the decoy be.
		assert.equal((await box.run(['rm', '-f', name])).code, 0);
		for (const key of ['ExecStop', 'ExecStopPost']) assert.equal((await runExec(line(key), env)).code, 0, key);
		assert.equal((await inspect(decoyId)).name, 'decoy', 'the decoy is still there');
	});

	it('bad input: one line, exit code, nothing written', async (t) => {
		const dir = makeTempDir('c32-units-');
		t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
		const cases: [string[], number, RegExp][] = [
			[['generate', 'systemd', '--files', dir, 'nosuch'], 1, /^c32: error: no such container: nosuch/],
			[
				['generate', 'systemd', '--restart-policy', 'sometimes', '--files', dir, 'nosuch'],
				2,
				/invalid --restart-policy "sometimes": use no, on-success/,
			],
			[['generate', 'systemd', '--files', path.join(dir, 'missing'), 'nosuch'], 2, /is not a directory/],
			[['generate', 'systemd', '--new', '--name', 'nosuch'], 2, /--name goes without --new/],
			[['generate', 'systemd'], 2, /container/],
		];
		for (const [args, code, message] of cases) {
			const result = await box.run(args);
			assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
			assert.match(result.stderr, message);
			assert.equal(result.stdout, '');
		}
		if (!needsRuntime(t)) return;
		const created = await box.run(['create', '--name', 'looping', '--network', 'none', '--restart', 'always', '--', 'true']);
		assert.equal(created.code, 0, created.stderr);
		const refused = await box.run(['generate', 'systemd', '--files', dir, 'looping']);
		assert.equal(refused.code, 1);
		assert.match(refused.stderr, /^c32: error: looping has restart policy always, and systemd would restart it too: use --new/);
		assert.deepEqual(fs.readdirSync(dir), [], 'nothing was written');
	});
});

describe("the README's systemd block", () => {
	const box = suiteSandbox();

	it('runs as written from the root of a clone: the unit it writes verifies', async (t) => {
		if (!needsNetworkStack(t)) return;
		if (!needsSystemdAnalyze(t)) return;
		const block = readmeBlock('**systemd units**');
		const {clone, ...result} = await box.runInClone(block, 'clone');
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.equal(result.stderr, '', 'systemd-analyze verify said nothing');
		assert.match(result.stdout, /^ExecStart=.* start [0-9a-f]{64}$/m, 'the first unit, printed');
		const unit = fs.readFileSync(path.join(clone, 'units', 'c32-counter.service'), 'utf8');
		assert.equal(setting(unit, 'Service', 'Restart'), 'always');
		assert.match(
			setting(unit, 'Service', 'ExecStart'),
			/ run --detach --replace --cidfile=%t\/%n\.ctr-id --monitor-pidfile=%t\/%n\.pid\s+--name=counter\s/,
		);
	});
});
