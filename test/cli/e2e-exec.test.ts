// `c32 exec` end to end: the built binary against real containers, exit codes, stdin, the
// environment and user flags, -d; and -t in a real terminal (tmux): a pts, its size and
// resizes, Ctrl-C to the command, the terminal restored.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {after, describe, it} from 'node:test';
import {hostPidsWith, makeTempDir, marker, needsRuntime, waitFor} from '../helpers/engine.js';
import {type C32Sandbox, CLI_PATH, finished, suiteSandbox, waitForOutput} from './binary.js';
import {hasTmux, quote, TmuxServer} from './tmux.js';

/** Nothing exec writes stays in the storage root once it returned. */
function execLeftovers(box: C32Sandbox): string[] {
	const containers = path.join(box.dir, 'containers');
	if (!fs.existsSync(containers)) return [];
	return fs
		.readdirSync(containers)
		.flatMap((id) => {
			const userdata = path.join(containers, id, 'userdata');
			return fs.existsSync(userdata) ? fs.readdirSync(userdata).map((name) => `${id}/${name}`) : [];
		})
		.filter((name) => name.includes('/exec-'));
}

function oneLine(stderr: string, pattern: RegExp): void {
	assert.match(stderr, /^c32: error: /);
	assert.equal(stderr.trimEnd().split('\n').length, stderr.includes("See 'c32 exec --help'") ? 2 : 1, stderr);
	assert.match(stderr, pattern);
}

describe('c32 exec', () => {
	const box = suiteSandbox();
	let started: Promise<void> | undefined;
	/** One running container for the suite, started by the first test that needs it. */
	const web = async () => {
		started ??= box.run(['run', '-d', '--name', 'web', '-e', 'FROM=container', '--', 'sleep', '3600']).then((r) => {
			assert.equal(r.code, 0, r.stderr);
		});
		await started;
		return 'web';
	};

	it("exits with the command's code; 127 not found, 126 not runnable, 125 when c32 fails, 2 for usage", async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		const ok = await box.run(['exec', ref, '--', 'sh', '-c', 'echo out; echo err >&2']);
		assert.deepEqual([ok.code, ok.stdout, ok.stderr], [0, 'out\n', 'err\n']);
		assert.equal((await box.run(['exec', ref, 'sh', '-c', 'exit 3'])).code, 3);
		const notFound = await box.run(['exec', ref, 'no-such-program']);
		assert.equal(notFound.code, 127);
		oneLine(notFound.stderr, /no-such-program: executable file not found in \$PATH/);
		const denied = await box.run(['exec', ref, '/etc/hostname']);
		assert.equal(denied.code, 126);
		oneLine(denied.stderr, /\/etc\/hostname: permission denied/);
		const unknown = await box.run(['exec', 'no-such-container', 'true']);
		assert.equal(unknown.code, 125);
		oneLine(unknown.stderr, /no such container: no-such-container/);
		const noCommand = await box.run(['exec', ref]);
		assert.equal(noCommand.code, 2);
		oneLine(noCommand.stderr, /needs a command to run in web/);
		const nothing = await box.run(['exec']);
		assert.equal(nothing.code, 2);
		oneLine(nothing.stderr, /needs a container and a command/);
		assert.deepEqual(execLeftovers(box), []);
	});

	it('-i passes stdin through to EOF; without it the command reads nothing', async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		const piped = await box.run(['exec', '-i', ref, 'cat'], {input: 'hi\n'});
		assert.deepEqual([piped.code, piped.stdout], [0, 'hi\n']);
		const unpiped = await box.run(['exec', ref, 'cat'], {input: 'hi\n'});
		assert.deepEqual([unpiped.code, unpiped.stdout], [0, '']);
	});

	it("-e, --env-file, -u and -w over the container's environment, user and directory", async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		fs.writeFileSync(path.join(box.dir, 'exec.env'), '# comment\nFROM_FILE=file\nFROM=file\n');
		const script = 'echo "$FROM $FROM_FILE $FROM_FLAG $(id -un) $(pwd)"';
		const defaults = await box.run(['exec', ref, 'sh', '-c', script]);
		assert.equal(defaults.stdout, 'container   root /app\n');
		const changed = await box.run(
			['exec', '--env-file', 'exec.env', '-e', 'FROM_FLAG=flag', '-u', 'nobody', '-w', '/tmp', ref, '--', 'sh', '-c', script],
			{cwd: box.dir},
		);
		assert.equal(changed.stdout, 'file file flag nobody /tmp\n', changed.stderr);
		const badUser = await box.run(['exec', '-u', 'no-such-user', ref, 'true']);
		assert.equal(badUser.code, 125);
		oneLine(badUser.stderr, /unknown user "no-such-user"/);
		const badDir = await box.run(['exec', '-w', '/no/such/dir', ref, 'true']);
		assert.equal(badDir.code, 125);
		oneLine(badDir.stderr, /working directory \/no\/such\/dir of container web: no such file or directory/);
		const relative = await box.run(['exec', '-w', 'tmp', ref, 'true']);
		assert.equal(relative.code, 125);
		oneLine(relative.stderr, /must be an absolute path/);
		assert.deepEqual(execLeftovers(box), []);
	});

	it('-t without a terminal is one line saying so; -d with -i or -t is a usage error', async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		const tty = await box.run(['exec', '-t', ref, 'sh']);
		assert.equal(tty.code, 125);
		oneLine(tty.stderr, /the input device is not a TTY: drop -t/);
		const both = await box.run(['exec', '-d', '-t', ref, 'sh']);
		assert.equal(both.code, 2);
		oneLine(both.stderr, /-d runs the command in the background/);
	});

	it('a c32 killed while its command runs leaves no exec file behind', async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		const child = box.spawn(['exec', ref, 'sh', '-c', 'echo started; sleep 30']);
		await waitForOutput(child, /started/);
		// runc writes the pid file just after the command starts (its output may come first).
		await waitFor(() => execLeftovers(box).length === 0, 2000, 'the exec files to go once the command runs');
		child.kill('SIGKILL');
	});

	it('a SIGTERM to c32 reaches the command, whose exit code c32 returns', async (t) => {
		if (!needsRuntime(t)) return;
		const ref = await web();
		const child = box.spawn(['exec', ref, 'sh', '-c', "trap 'echo term; exit 3' TERM; echo ready; while :; do sleep 0.1; done"]);
		const result = finished(child, 20_000);
		await waitForOutput(child, /ready/);
		child.kill('SIGTERM');
		const {code, stdout} = await result;
		assert.deepEqual([code, stdout], [3, 'ready\nterm\n']);
	});

	it('-d prints nothing, leaves the command running, and the container stop ends it', async (t) => {
		if (!needsRuntime(t)) return;
		const name = `bg-${marker()}`;
		assert.equal((await box.run(['run', '-d', '--name', name, '--', 'sleep', '3600'])).code, 0);
		const tag = marker();
		const detached = await box.run(['exec', '-d', name, 'sh', '-c', `sleep 3600; : ${tag}`]);
		assert.deepEqual([detached.code, detached.stdout, detached.stderr], [0, '', '']);
		await waitFor(() => hostPidsWith(tag).length === 1, 5000, 'the detached command');
		assert.equal((await box.run(['stop', '-t', '1', name])).code, 0);
		await waitFor(() => hostPidsWith(tag).length === 0, 5000, 'the command to end with the container');
	});

	it('a stopped or paused container is one line that says what to do; nothing is left behind', async (t) => {
		if (!needsRuntime(t)) return;
		const name = `idle-${marker()}`;
		assert.equal((await box.run(['run', '-d', '--name', name, '--', 'sleep', '3600'])).code, 0);
		assert.equal((await box.run(['pause', name])).code, 0);
		const paused = await box.run(['exec', name, 'true']);
		assert.equal(paused.code, 125);
		oneLine(paused.stderr, new RegExp(`${name} is paused: resume it \\(c32 resume ${name}\\)`));
		assert.equal((await box.run(['stop', '-t', '0', name])).code, 0);
		const stopped = await box.run(['exec', name, 'true']);
		assert.equal(stopped.code, 125);
		oneLine(stopped.stderr, new RegExp(`${name} is stopped, not running: start it`));
		assert.deepEqual(execLeftovers(box), []);
	});
});

describe('c32 exec in a minimal container of a non-root c32', () => {
	const dir = makeTempDir('c32-exec-nonroot-');
	after(() => fs.rmSync(dir, {recursive: true, force: true}));
	/** c32 run by the user nobody, with its own storage root. */
	const asNobody = (args: string[]) =>
		finished(
			spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', '--', process.execPath, CLI_PATH, ...args], {
				cwd: dir,
				env: {PATH: process.env['PATH'], HOME: dir, C32_STORAGE_DIR: dir},
				stdio: ['ignore', 'pipe', 'pipe'],
			}),
			30_000,
		);

	it('runs as the caller; another user and -d (no cgroup to end it) are refused in one line', async (t) => {
		if (!needsRuntime(t)) return;
		fs.chownSync(dir, 65534, 65534);
		const run = await asNobody(['run', '-d', '--name', 'mine', '--isolation', 'minimal', '--', 'sleep', '3600']);
		assert.equal(run.code, 0, run.stderr);
		t.after(() => asNobody(['rm', '-f', 'mine']));
		const id = await asNobody(['exec', 'mine', 'id', '-u']);
		assert.deepEqual([id.code, id.stdout], [0, '65534\n']);
		const other = await asNobody(['exec', '-u', 'root', 'mine', 'id']);
		assert.equal(other.code, 125);
		oneLine(other.stderr, /only root can run it as another user/);
		const detached = await asNobody(['exec', '-d', 'mine', 'sleep', '60']);
		assert.equal(detached.code, 125);
		oneLine(detached.stderr, /could outlive it: it has no cgroup/);
	});
});

describe('c32 exec -t in a terminal', {skip: hasTmux() ? false : 'tmux is not installed'}, () => {
	const box = suiteSandbox();
	const tmux = new TmuxServer();
	after(() => tmux.kill());

	/** `c32 exec ...args` in a pane; `stty -a` runs in the pane after it, to show the terminal's modes. */
	const execPane = (name: string, args: string[]) => {
		const command = ['env', `C32_STORAGE_DIR=${box.dir}`, 'TERM=xterm-256color', process.execPath, CLI_PATH, 'exec', ...args]
			.map(quote)
			.join(' ');
		return tmux.open(name, command, {after: 'stty -a'});
	};
	let started: Promise<void> | undefined;
	const ttyBox = async () => {
		started ??= box.run(['run', '-d', '--name', 'tty-box', '--', 'sleep', '3600']).then((r) => assert.equal(r.code, 0, r.stderr));
		await started;
	};

	it('a pts of the container, the pane size, resizes followed; exit code and terminal modes come back', async (t) => {
		if (!needsRuntime(t)) return;
		await ttyBox();
		const pane = execPane('shell', ['-it', 'tty-box', 'sh']);
		await tmux.waitFor(pane, /^# ?$/m);
		tmux.keys(pane, 'tty; stty size', 'Enter');
		const screen = await tmux.waitFor(pane, /^\d+ \d+$/m);
		assert.match(screen, /^\/dev\/pts\/\d+$/m, 'tty printed no pts path');
		assert.match(screen, /^40 120$/m, 'stty size is not the pane size');
		tmux.run('resize-window', '-t', pane, '-x', '90', '-y', '25');
		await new Promise((resolve) => setTimeout(resolve, 300));
		tmux.keys(pane, 'clear; stty size', 'Enter');
		await tmux.waitFor(pane, /^25 90$/m);
		// An interactive sh survives Ctrl-C: it went to the sleep, not to c32.
		tmux.keys(pane, 'sleep 100', 'Enter');
		await new Promise((resolve) => setTimeout(resolve, 500));
		tmux.keys(pane, 'C-c');
		tmux.keys(pane, 'echo still-$((40+2))', 'Enter');
		await tmux.waitFor(pane, /^still-42$/m);
		tmux.keys(pane, 'exit 5', 'Enter');
		assert.equal(await tmux.exitStatus(pane), 5);
		const modes = await tmux.waitFor(pane, /icanon/);
		assert.match(modes, /(^|\s)icanon(\s|$)/m, `the terminal was left without icanon:\n${modes}`);
		assert.match(modes, /(^|\s)echo(\s|$)/m, `the terminal was left without echo:\n${modes}`);
	});

	it("Ctrl-C reaches the command, whose handler decides c32's exit code; an untrapped one is 130", async (t) => {
		if (!needsRuntime(t)) return;
		await ttyBox();
		const trapped = execPane('trapped', ['-t', 'tty-box', 'sh', '-c', "trap 'echo got-int; exit 7' INT; echo ready; sleep 100 & wait"]);
		await tmux.waitFor(trapped, /^ready$/m);
		tmux.keys(trapped, 'C-c');
		assert.equal(await tmux.exitStatus(trapped), 7);
		assert.match(tmux.screen(trapped), /(\^C)?got-int$/m);
		const plain = execPane('plain', ['-it', 'tty-box', 'sh', '-c', 'echo ready; exec sleep 100']);
		await tmux.waitFor(plain, /^ready$/m);
		tmux.keys(plain, 'C-c');
		assert.equal(await tmux.exitStatus(plain), 130);
	});
});
