// execInContainer against real containers: an exec'd process shares the main process's
// namespaces, cgroup, capabilities, no_new_privs and seccomp filter; it gets the container's
// user, environment and working directory unless told otherwise; exit codes, stdin, detach,
// minimal isolation; and bad input that leaves nothing behind.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {PassThrough, Readable} from 'node:stream';
import {describe, type TestContext, test} from 'node:test';
import {cgroupDirs} from '../../engine/cgroups/index.js';
import type {ExecOptions} from '../../engine/index.js';
import {cgroupPathFor} from '../../engine/paths.js';
import {
	engineFor,
	expectCode,
	get,
	hostNamespace,
	hostPidsWith,
	keyValues,
	marker,
	needsRuntime,
	type TempEngine,
	waitFor,
	withTimeout,
} from '../helpers/engine.js';

type Engine = TempEngine['engine'];

/** Runs the command with its output captured. */
async function execCapture(
	engine: Engine,
	ref: string,
	command: string[],
	options: Omit<ExecOptions, 'command' | 'stdio'> & {stdin?: Readable} = {},
): Promise<{code: number; stdout: string; stderr: string}> {
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	let err = '';
	stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
	stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
	const {stdin, ...rest} = options;
	const code = await withTimeout(
		engine.execInContainer(ref, {...rest, command, stdio: {stdin: stdin ?? null, stdout, stderr}}),
		30_000,
		`exec of ${command.join(' ')}`,
	);
	return {code, stdout: out, stderr: err};
}

/** A running container that sleeps; its metadata. */
async function running(engine: Engine, config: Parameters<Engine['createContainer']>[0] = {}) {
	const created = await engine.createContainer({entrypoint: 'sleep', args: ['3600'], ...config});
	return engine.startContainer(created.id);
}

/** Files exec leaves in the container's userdata while it runs (none once it returned). */
function execLeftovers(dir: string, id: string): string[] {
	const userdata = path.join(dir, 'containers', id, 'userdata');
	return fs.existsSync(userdata) ? fs.readdirSync(userdata).filter((name) => name.startsWith('exec-')) : [];
}

/** The host pids whose command line holds `tag`; null (not an empty, truthy list) while there are none. */
function pidsWith(tag: string): number[] | null {
	const pids = hostPidsWith(tag);
	return pids.length > 0 ? pids : null;
}

const NAMESPACES = ['pid', 'mnt', 'ipc', 'uts', 'net', 'cgroup', 'user'];
const STATUS_KEYS = /^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):/;

function hostStatus(pid: number): Map<string, string> {
	const lines = fs
		.readFileSync(`/proc/${pid}/status`, 'utf8')
		.split('\n')
		.filter((line) => STATUS_KEYS.test(line));
	return keyValues(lines.map((line) => line.replace(/:\s*/, '=')).join('\n'));
}

describe('exec: the same process context as the main process', () => {
	for (const [level, config] of [
		['standard (own network)', {network: 'none' as const}],
		['strict (user namespace)', {isolationLevel: 'strict' as const}],
	] as const) {
		test(`${level}: every namespace of the main process, not the host's`, async (t) => {
			if (!needsRuntime(t)) return;
			const {engine} = engineFor(t);
			const c = await running(engine, config);
			const probe = NAMESPACES.map((ns) => `echo ${ns}=$(readlink /proc/self/ns/${ns})`).join('; ');
			const result = await execCapture(engine, c.id, ['sh', '-c', probe]);
			assert.equal(result.code, 0, result.stderr);
			const inside = keyValues(result.stdout);
			for (const ns of NAMESPACES) {
				assert.equal(get(inside, ns), fs.readlinkSync(`/proc/${c.pid}/ns/${ns}`), `${ns} namespace`);
				if (ns !== 'user' || config.isolationLevel === 'strict') assert.notEqual(get(inside, ns), hostNamespace(ns), `${ns} is the host's`);
			}
		});
	}

	test("capabilities, no_new_privs and seccomp equal the main process's (filter mode 2)", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		for (const config of [{}, {isolationLevel: 'strict' as const}, {capDrop: ['ALL' as const], capAdd: ['NET_RAW' as const]}]) {
			const c = await running(engine, config);
			const result = await execCapture(engine, c.id, [
				'sh',
				'-c',
				"grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/:[[:space:]]*/=/'",
			]);
			const inside = keyValues(result.stdout);
			const main = hostStatus(c.pid!);
			for (const key of ['CapEff', 'CapPrm', 'CapBnd', 'NoNewPrivs', 'Seccomp']) {
				assert.equal(get(inside, key), get(main, key), `${key} of ${JSON.stringify(config)}`);
			}
			assert.equal(get(inside, 'Seccomp'), '2');
			assert.equal(get(inside, 'NoNewPrivs'), '1');
		}
	});

	test("its cgroup is the main process's, and it counts against pids.current", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine);
		const inside = await execCapture(engine, c.id, ['sh', '-c', 'cat /proc/self/cgroup; echo ---; cat /proc/1/cgroup']);
		const [own, main] = inside.stdout.split('---\n');
		assert.equal(own, main, "inside: /proc/self/cgroup differs from the main process's");

		const dirs = cgroupDirs(cgroupPathFor(c.id));
		const pidsDir = dirs.version === 2 ? dirs.unified : dirs.controllers.pids!;
		const pidsCurrent = () => Number(fs.readFileSync(path.join(pidsDir, 'pids.current'), 'utf8'));
		const before = pidsCurrent();
		const tag = marker();
		assert.equal(await engine.execInContainer(c.id, {command: ['sh', '-c', `sleep 3600; : ${tag}`], detach: true}), 0);
		const [pid] = (await waitFor(() => pidsWith(tag), 5000, "the exec'd shell"))!;
		assert.equal(
			fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'),
			fs.readFileSync(`/proc/${c.pid}/cgroup`, 'utf8'),
			'host view of its cgroup',
		);
		// The shell and its sleep.
		await waitFor(() => pidsCurrent() === before + 2, 5000, `pids.current to go from ${before} to ${before + 2}`);
		const procs = fs.readFileSync(path.join(pidsDir, 'cgroup.procs'), 'utf8').split('\n').map(Number);
		assert.ok(procs.includes(pid!), "the exec'd process is not in the container's cgroup.procs");
	});
});

describe('exec: user, environment and working directory', () => {
	test("the container's user by default; -u by name, uid or uid:gid; an unknown name is refused", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await running(engine, {user: '1000:1000'});
		const ids = async (user?: string) => {
			const result = await execCapture(engine, c.id, ['sh', '-c', 'echo "$(id -u):$(id -g) $HOME"'], user === undefined ? {} : {user});
			assert.equal(result.code, 0, result.stderr);
			return result.stdout.trim();
		};
		assert.equal(await ids(), '1000:1000 /tmp');
		assert.equal(await ids('nobody'), '65534:65534 /nonexistent');
		assert.equal(await ids('0'), '0:0 /root');
		assert.equal(await ids('4321:99'), '4321:99 /tmp');
		const error = await expectCode(engine.execInContainer(c.id, {command: ['id'], user: 'no-such-user'}), 'INVALID_CONFIG');
		assert.match(error.message, /unknown user "no-such-user" in the \/etc\/passwd of container/);
		await expectCode(engine.execInContainer(c.id, {command: ['id'], user: 'a:b'}), 'INVALID_CONFIG');
		assert.deepEqual(execLeftovers(dir, c.id), []);
	});

	test("the container's environment plus env, later wins, no key twice", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine, {name: 'envy', environment: {A: 'from-container', B: 'kept'}});
		const result = await execCapture(engine, c.id, ['env'], {env: {A: 'from-exec', C: 'new'}});
		const lines = result.stdout.trim().split('\n');
		const keys = lines.map((line) => line.slice(0, line.indexOf('=')));
		assert.deepEqual(keys, [...new Set(keys)], `a key twice: ${lines.join(' ')}`);
		const env = keyValues(result.stdout);
		assert.equal(get(env, 'A'), 'from-exec');
		assert.equal(get(env, 'B'), 'kept');
		assert.equal(get(env, 'C'), 'new');
		assert.equal(get(env, 'HOSTNAME'), 'envy');
		assert.equal(get(env, 'PATH'), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
	});

	test("the container's working directory by default, workingDir otherwise; a missing one is refused", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await running(engine, {workingDir: '/tmp'});
		assert.equal((await execCapture(engine, c.id, ['pwd'])).stdout, '/tmp\n');
		assert.equal((await execCapture(engine, c.id, ['pwd'], {workingDir: '/etc/'})).stdout, '/etc\n');
		const missing = await expectCode(engine.execInContainer(c.id, {command: ['pwd'], workingDir: '/no/such/dir'}), 'INVALID_CONFIG');
		assert.match(missing.message, /working directory \/no\/such\/dir of container .*: no such file or directory/);
		await expectCode(engine.execInContainer(c.id, {command: ['pwd'], workingDir: 'relative'}), 'INVALID_CONFIG');
		assert.deepEqual(execLeftovers(dir, c.id), []);
	});
});

describe('exec: exit codes, stdin, detach', () => {
	test("the exit code is the command's; a missing or unrunnable program is START_FAILED", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await running(engine);
		assert.equal((await execCapture(engine, c.id, ['true'])).code, 0);
		const failed = await execCapture(engine, c.id, ['sh', '-c', 'echo out; echo err >&2; exit 42']);
		assert.deepEqual(failed, {code: 42, stdout: 'out\n', stderr: 'err\n'});
		// 255 is the command's too: runc's own failures leave no pid file.
		assert.equal((await execCapture(engine, c.id, ['sh', '-c', 'exit 255'])).code, 255);
		assert.equal((await execCapture(engine, c.id, ['sh', '-c', 'kill -TERM $$'])).code, 143);
		const notFound = await expectCode(engine.execInContainer(c.id, {command: ['no-such-program']}), 'START_FAILED');
		assert.equal(notFound.message, 'no-such-program: executable file not found in $PATH');
		const denied = await expectCode(engine.execInContainer(c.id, {command: ['/etc/hostname']}), 'START_FAILED');
		assert.equal(denied.message, '/etc/hostname: permission denied');
		assert.deepEqual(execLeftovers(dir, c.id), []);
		assert.equal((await engine.getContainer(c.id)).state, 'running', "an exec confused the container's state");
	});

	test('stdin is forwarded and its EOF ends the command; without stdin the command reads nothing', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine);
		const piped = await execCapture(engine, c.id, ['cat'], {stdin: Readable.from(['hi\n', 'there\n'])});
		assert.deepEqual(piped, {code: 0, stdout: 'hi\nthere\n', stderr: ''});
		const counted = await execCapture(engine, c.id, ['wc', '-c'], {stdin: Readable.from([Buffer.alloc(1 << 20, 120)])});
		assert.equal(counted.stdout.trim(), String(1 << 20));
		assert.equal((await execCapture(engine, c.id, ['cat'])).stdout, '');
	});

	test('detach resolves 0 at once; the command keeps running and ends when the container stops', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await running(engine);
		const tag = marker();
		const t0 = Date.now();
		assert.equal(await engine.execInContainer(c.id, {command: ['sh', '-c', `sleep 3600; : ${tag}`], detach: true}), 0);
		assert.ok(Date.now() - t0 < 5000);
		await waitFor(() => hostPidsWith(tag).length === 1, 5000, 'the detached command');
		assert.deepEqual(execLeftovers(dir, c.id), [], 'a detached exec left its files');
		// Reconcile watches the main process only: the container is as it was.
		assert.equal((await engine.getContainer(c.id)).state, 'running');
		const notFound = await expectCode(engine.execInContainer(c.id, {command: ['no-such-program'], detach: true}), 'START_FAILED');
		assert.match(notFound.message, /no-such-program: executable file not found/);

		const stopped = await engine.stopContainer(c.id, {timeout: 1});
		assert.equal(stopped.state, 'stopped');
		await waitFor(() => hostPidsWith(tag).length === 0, 5000, 'the detached command to end with the container');
		await waitFor(() => hostPidsWith(c.id).length === 0, 5000, 'the runc exec of the detached command to end');
	});

	test('a foreground command ends when the container is stopped, and exec resolves', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine);
		const pending = execCapture(engine, c.id, ['sleep', '3600']);
		await waitFor(async () => (await engine.getContainerMetrics(c.id)).pids >= 2, 5000, 'the exec to run');
		await engine.stopContainer(c.id, {timeout: 1});
		assert.equal((await pending).code, 137);
	});

	test('aborting the signal sends the command SIGTERM', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine);
		const controller = new AbortController();
		const stdout = new PassThrough();
		let out = '';
		stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
		const script = "trap 'echo term; exit 3' TERM; echo ready; while :; do sleep 0.1; done";
		const pending = engine.execInContainer(c.id, {command: ['sh', '-c', script], stdio: {stdout}, signal: controller.signal});
		await waitFor(() => out.includes('ready'), 5000, 'the trap');
		controller.abort();
		assert.equal(await withTimeout(pending, 5000, 'the command to end'), 3);
		assert.equal(out, 'ready\nterm\n');
	});
});

describe('exec: containers that are not running, and bad input', () => {
	test('stopped, paused, created, unknown, damaged: one-line errors that say what to do; nothing left behind', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await running(engine, {name: 'idle'});
		await engine.pauseContainer('idle');
		const paused = await expectCode(engine.execInContainer('idle', {command: ['true']}), 'BAD_STATE');
		assert.match(paused.message, /is paused: resume it \(c32 resume idle\)/);
		await engine.resumeContainer('idle');
		await engine.stopContainer('idle', {timeout: 0});
		const stopped = await expectCode(engine.execInContainer('idle', {command: ['true']}), 'BAD_STATE');
		assert.match(stopped.message, /is stopped, not running: start it \(c32 start idle\)/);
		await engine.createContainer({name: 'fresh', entrypoint: 'true'});
		await expectCode(engine.execInContainer('fresh', {command: ['true']}), 'BAD_STATE');
		await expectCode(engine.execInContainer('nobody-here', {command: ['true']}), 'NOT_FOUND');
		const broken = await running(engine, {name: 'broken'});
		fs.writeFileSync(path.join(dir, 'containers', broken.id, 'state.json'), '{}');
		const damaged = await expectCode(engine.execInContainer('broken', {command: ['true']}), 'DAMAGED_RECORD');
		assert.match(damaged.message, /state\.json/);
		await expectCode(engine.execInContainer('idle', {command: []}), 'INVALID_CONFIG');
		await expectCode(engine.execInContainer('idle', {command: ['true'], tty: true}), 'INVALID_CONFIG');
		assert.deepEqual(execLeftovers(dir, c.id), []);
	});

	test('a terminal without a TTY stdin is refused before anything runs', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await running(engine);
		// The test runner's stdin is not a terminal.
		const error = await expectCode(engine.execInContainer(c.id, {command: ['sh'], tty: true, stdio: 'inherit'}), 'INVALID_CONFIG');
		assert.match(error.message, /the input device is not a TTY/);
	});
});

describe('exec: minimal isolation', () => {
	const minimal = {isolationLevel: 'minimal' as const};

	async function mainProcess(engine: Engine, t: TestContext, extra = {}) {
		const c = await running(engine, {...minimal, ...extra});
		t.after(() => engine.removeContainer(c.id, {force: true}).catch(() => undefined));
		return c;
	}

	test("a host process in the container's cgroup, with its open-files limit, environment and /app", async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const c = await mainProcess(engine, t, {environment: {A: '1'}, resourceLimits: {maxOpenFiles: 321}});
		const result = await execCapture(engine, c.id, ['sh', '-c', 'cat /proc/self/cgroup; echo ---; ulimit -n; echo "$A $B"; pwd'], {
			env: {B: '2'},
		});
		assert.equal(result.code, 0, result.stderr);
		const [cgroup, rest] = result.stdout.split('---\n');
		assert.equal(cgroup, fs.readFileSync(`/proc/${c.pid}/cgroup`, 'utf8'), "not in the main process's cgroup");
		assert.match(cgroup!, new RegExp(`/c32/${c.id}`));
		assert.equal(rest, `321\n1 2\n${path.join(dir, 'containers', c.id, 'app')}\n`);
		assert.equal((await execCapture(engine, c.id, ['id', '-un'], {user: 'nobody'})).stdout, 'nobody\n');
		assert.equal((await execCapture(engine, c.id, ['pwd'], {workingDir: '/tmp'})).stdout, '/tmp\n');
		assert.equal((await execCapture(engine, c.id, ['sh', '-c', 'exit 9'])).code, 9);
		assert.equal((await execCapture(engine, c.id, ['cat'], {stdin: Readable.from(['piped\n'])})).stdout, 'piped\n');
		await expectCode(engine.execInContainer(c.id, {command: ['no-such-program']}), 'START_FAILED');
		await expectCode(engine.execInContainer(c.id, {command: ['pwd'], workingDir: '/no/such/dir'}), 'INVALID_CONFIG');
		await expectCode(engine.execInContainer(c.id, {command: ['id'], user: 'no-such-user'}), 'INVALID_CONFIG');
	});

	test('detach: the command runs in the cgroup and ends when the container stops', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const c = await mainProcess(engine, t);
		const tag = marker();
		assert.equal(await engine.execInContainer(c.id, {command: ['sh', '-c', `sleep 3600; : ${tag}`], detach: true}), 0);
		const [pid] = (await waitFor(() => pidsWith(tag), 5000, 'the detached command'))!;
		assert.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), new RegExp(`/c32/${c.id}`));
		await engine.stopContainer(c.id, {timeout: 1});
		await waitFor(() => hostPidsWith(tag).length === 0, 5000, 'the detached command to end with the container');
	});
});
