// exec's pure parts: checking a request, merging environments, users by name or id, the
// process spec runc exec gets, runc's failures as errors, and reading a container's
// /etc/passwd without following a symlink out of its root.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {PassThrough} from 'node:stream';
import {describe, test} from 'node:test';
import type {ExecOptions} from '../../engine/api.js';
import type {ExecProcess} from '../../engine/drivers/driver.js';
import {type BundleProcess, execError, execProcessSpec} from '../../engine/drivers/oci-exec.js';
import {isC32Error} from '../../engine/errors.js';
import {execRequest, mergeEnvironment, parseUserSpec} from '../../engine/exec/request.js';
import {homeOf, parsePasswd, resolveUser} from '../../engine/exec/users.js';
import {readFileInRoot} from '../../engine/fs/in-root.js';
import type {ResolvedConfig} from '../../engine/types.js';

function rejects(options: ExecOptions, pattern: RegExp, stdinIsTerminal = false): void {
	assert.throws(
		() => execRequest(options, stdinIsTerminal),
		(error: unknown) =>
			isC32Error(error) && error.code === 'INVALID_CONFIG' && pattern.test(error.message) && !error.message.includes('\n'),
	);
}

describe('execRequest', () => {
	test('a command alone: the container decides the rest, stdio is /dev/null', () => {
		const {request, io} = execRequest({command: ['ls', '-l']}, false);
		assert.deepEqual(request, {args: ['ls', '-l'], env: {}, user: null, cwd: null, terminal: false, detach: false});
		assert.deepEqual(io, {stdio: {stdin: null, stdout: null, stderr: null}});
	});

	test('no command, an empty program, NUL bytes, not strings: one-line INVALID_CONFIG', () => {
		rejects({command: []}, /needs a command/);
		rejects({command: ['']}, /needs a command/);
		rejects({} as ExecOptions, /needs a command/);
		rejects({command: ['echo', 'a\0b']}, /without NUL/);
		rejects({command: ['echo', 3 as unknown as string]}, /strings/);
	});

	test('env keys as create checks them; values without NUL', () => {
		rejects({command: ['x'], env: {'1A': 'x'}}, /invalid environment variable name "1A"/);
		rejects({command: ['x'], env: {'A=B': 'x'}}, /invalid environment variable name/);
		rejects({command: ['x'], env: {A: 'a\0'}}, /NUL/);
		rejects({command: ['x'], env: ['A=1'] as unknown as Record<string, string>}, /object/);
		assert.deepEqual(execRequest({command: ['x'], env: {A_1: ''}}, false).request.env, {A_1: ''});
	});

	test('the user in one of its four forms; ids in range', () => {
		for (const user of ['0', '1000', '1000:100', 'nobody', 'www-data:33']) {
			assert.equal(execRequest({command: ['x'], user}, false).request.user, user);
		}
		for (const user of ['', ':1', 'a:b', 'a b', '1:2:3', 'x\0']) rejects({command: ['x'], user}, /invalid user/);
		rejects({command: ['x'], user: String(2 ** 32)}, /ids go from 0/);
	});

	test('the working directory is absolute, normalized', () => {
		assert.equal(execRequest({command: ['x'], workingDir: '/srv//app/../data/'}, false).request.cwd, '/srv/data');
		rejects({command: ['x'], workingDir: 'tmp'}, /must be an absolute path/);
		rejects({command: ['x'], workingDir: ''}, /must be an absolute path/);
	});

	test('a terminal needs stdio inherit and a TTY stdin', () => {
		rejects({command: ['sh'], tty: true}, /needs stdio "inherit"/, true);
		rejects({command: ['sh'], tty: true, stdio: 'inherit'}, /the input device is not a TTY/, false);
		assert.deepEqual(execRequest({command: ['sh'], tty: true, stdio: 'inherit'}, true).io, {stdio: 'inherit'});
	});

	test('detach excludes a terminal and stdio', () => {
		rejects({command: ['sleep', '1'], detach: true, tty: true, stdio: 'inherit'}, /detach and tty exclude/, true);
		rejects({command: ['sleep', '1'], detach: true, stdio: 'inherit'}, /a detached command has no stdio/);
		assert.equal(execRequest({command: ['sleep', '1'], detach: true}, false).request.detach, true);
	});

	test('streams and the abort signal are handed on', () => {
		const stdout = new PassThrough();
		const signal = new AbortController().signal;
		const {io} = execRequest({command: ['x'], stdio: {stdout}, signal}, false);
		assert.deepEqual(io, {stdio: {stdin: null, stdout, stderr: null}, signal});
	});
});

describe('mergeEnvironment', () => {
	test('later layers win, in the place of the first; no key twice', () => {
		const merged = mergeEnvironment(['PATH=/bin', 'A=1', 'B=2', 'A=dup'], {B: 'x', C: '3'}, {C: '4', D: 'a=b'});
		assert.deepEqual(merged, ['PATH=/bin', 'A=dup', 'B=x', 'C=4', 'D=a=b']);
	});
});

describe('users', () => {
	const passwd = parsePasswd(
		[
			'root:x:0:0:root:/root:/bin/bash',
			'broken line',
			'nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin',
			'app:x:1000:1001::/home/app:/bin/sh',
		].join('\n'),
	);

	test('parsePasswd skips malformed lines', () => {
		assert.deepEqual(
			passwd.map((e) => e.name),
			['root', 'nobody', 'app'],
		);
	});

	test('a name must exist; its entry gives uid, gid and home; a gid given wins', () => {
		assert.deepEqual(resolveUser(parseUserSpec('app')!, passwd, 'x'), {uid: 1000, gid: 1001, home: '/home/app'});
		assert.deepEqual(resolveUser(parseUserSpec('app:5')!, passwd, 'x'), {uid: 1000, gid: 5, home: '/home/app'});
		assert.throws(
			() => resolveUser(parseUserSpec('ghost')!, passwd, 'the /etc/passwd of container c'),
			/unknown user "ghost" in the \/etc\/passwd of container c/,
		);
	});

	test('a uid need not exist; without an entry the group is the uid and there is no home', () => {
		assert.deepEqual(resolveUser(parseUserSpec('1000')!, passwd, 'x'), {uid: 1000, gid: 1001, home: '/home/app'});
		assert.deepEqual(resolveUser(parseUserSpec('4242')!, passwd, 'x'), {uid: 4242, gid: 4242, home: null});
		assert.deepEqual(resolveUser(parseUserSpec('4242:7')!, [], 'x'), {uid: 4242, gid: 7, home: null});
	});

	test("HOME follows the user unless the container's config sets it", () => {
		const config = {environment: {}} as unknown as ResolvedConfig;
		assert.deepEqual(homeOf({uid: 1000, gid: 1000, home: '/home/app'}, config), {HOME: '/home/app'});
		assert.deepEqual(homeOf({uid: 0, gid: 0, home: null}, config), {HOME: '/root'});
		assert.deepEqual(homeOf({uid: 5, gid: 5, home: null}, config), {HOME: '/tmp'});
		assert.deepEqual(homeOf({uid: 5, gid: 5, home: null}, {environment: {HOME: '/data'}} as unknown as ResolvedConfig), {});
	});
});

describe('execProcessSpec', () => {
	const container: BundleProcess = {
		terminal: true,
		consoleSize: {height: 24, width: 80},
		user: {uid: 0, gid: 0, additionalGids: [10]},
		args: ['sleep', 'infinity'],
		env: ['PATH=/usr/bin', 'HOME=/root', 'A=1'],
		cwd: '/app',
		capabilities: {bounding: ['CAP_CHOWN'], effective: ['CAP_CHOWN'], permitted: ['CAP_CHOWN'], inheritable: [], ambient: []},
		rlimits: [{type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096}],
		noNewPrivileges: true,
		apparmorProfile: 'c32-default',
		selinuxLabel: 'system_u:system_r:container_t:s0',
	};
	const request: ExecProcess = {args: ['id'], env: {A: '2'}, user: null, cwd: null, terminal: false, detach: false};

	test("the container's process with the command, env, cwd and terminal of the request", () => {
		const spec = execProcessSpec(container, request, null, {});
		const {consoleSize: _size, ...kept} = container;
		assert.deepEqual(spec, {...kept, terminal: false, args: ['id'], env: ['PATH=/usr/bin', 'HOME=/root', 'A=2']});
	});

	test('another user: its ids, no supplementary groups, its HOME; a terminal gets TERM', () => {
		const spec = execProcessSpec(
			container,
			{...request, cwd: '/tmp', terminal: true},
			{uid: 1000, gid: 1000, home: '/home/a'},
			{
				HOME: '/home/a',
			},
		);
		assert.deepEqual(spec.user, {uid: 1000, gid: 1000});
		assert.equal(spec.cwd, '/tmp');
		assert.equal(spec.terminal, true);
		assert.deepEqual(spec.env, ['PATH=/usr/bin', 'HOME=/home/a', 'A=2', 'TERM=xterm']);
		assert.equal(spec['apparmorProfile'], 'c32-default');
		assert.deepEqual(spec['capabilities'], container['capabilities']);
	});
});

describe('execError', () => {
	const classify = (message: string) => {
		const error = execError(message, 'web', 'runc');
		return [error.code, error.message];
	};
	const prefix = 'exec failed: unable to start container process: ';

	test('a program not found or not runnable is START_FAILED "<program>: <reason>"', () => {
		assert.deepEqual(classify(`${prefix}exec: "nope": executable file not found in $PATH`), [
			'START_FAILED',
			'nope: executable file not found in $PATH',
		]);
		assert.deepEqual(classify(`${prefix}exec: "/etc/passwd": permission denied`), ['START_FAILED', '/etc/passwd: permission denied']);
		assert.deepEqual(classify(`${prefix}exec: "/x/y": no such file or directory`), ['START_FAILED', '/x/y: no such file or directory']);
		assert.deepEqual(classify(`${prefix}exec: "/bin/sh.txt": exec format error`), ['START_FAILED', '/bin/sh.txt: exec format error']);
	});

	test('a missing working directory is INVALID_CONFIG, not a missing program', () => {
		const [code, message] = classify(`${prefix}chdir to cwd ("/nope") set in config.json failed: no such file or directory`);
		assert.equal(code, 'INVALID_CONFIG');
		assert.match(message!, /^working directory \/nope of container web: no such file or directory/);
	});

	test("the container's state, and anything else as the runtime's error", () => {
		assert.equal(classify('cannot exec in a paused container')[0], 'BAD_STATE');
		assert.equal(classify('cannot exec in a stopped container')[0], 'BAD_STATE');
		assert.deepEqual(classify('something odd\nhappened'), ['RUNTIME_ERROR', 'runc exec failed: happened']);
	});
});

describe('readFileInRoot', () => {
	function tree(t: {after(fn: () => void): void}): {root: string; outside: string} {
		const base = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-exec-root-'));
		t.after(() => fs.rmSync(base, {recursive: true, force: true}));
		const root = path.join(base, 'root');
		const outside = path.join(base, 'outside');
		fs.mkdirSync(path.join(root, 'etc'), {recursive: true});
		fs.mkdirSync(outside);
		fs.writeFileSync(path.join(outside, 'passwd'), 'host:x:0:0::/:/bin/sh\n');
		return {root, outside};
	}

	test('a plain file is read, up to the cap', (t) => {
		const {root} = tree(t);
		fs.writeFileSync(path.join(root, 'etc', 'passwd'), 'app:x:1:1::/:/bin/sh\n');
		assert.equal(readFileInRoot(root, '/etc/passwd', 1024)?.toString(), 'app:x:1:1::/:/bin/sh\n');
		assert.equal(readFileInRoot(root, '/etc/passwd', 3)?.toString(), 'app');
		assert.equal(readFileInRoot(root, '/etc/missing', 1024), null);
	});

	test('symlinks resolve inside the root, never to the host file they name', (t) => {
		const {root, outside} = tree(t);
		fs.symlinkSync(path.join(outside, 'passwd'), path.join(root, 'etc', 'passwd'));
		// Resolved as the container sees it: <root>/<outside>/passwd, which does not exist.
		assert.equal(readFileInRoot(root, '/etc/passwd', 1024), null);
		fs.rmSync(path.join(root, 'etc'), {recursive: true});
		fs.symlinkSync('../../outside', path.join(root, 'etc'));
		assert.equal(readFileInRoot(root, '/etc/passwd', 1024), null);
		// A link within the root is followed there.
		fs.rmSync(path.join(root, 'etc'));
		fs.mkdirSync(path.join(root, 'real'));
		fs.writeFileSync(path.join(root, 'real', 'passwd'), 'inside\n');
		fs.symlinkSync('/real', path.join(root, 'etc'));
		assert.equal(readFileInRoot(root, '/etc/passwd', 1024)?.toString(), 'inside\n');
	});

	test('a directory is not read as the file', (t) => {
		const {root} = tree(t);
		fs.mkdirSync(path.join(root, 'etc', 'passwd'));
		assert.equal(readFileInRoot(root, '/etc/passwd', 1024), null);
	});
});
