// The runtime script of minimal isolation, run as conmon runs it, without conmon or root: its
// create starts the program held (its own session, working directory, open-files limit) and
// writes its pid; a line on the start fifo lets it run, with exactly its argv and environment,
// whatever bytes they hold (nothing is parsed as shell code).
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {pickSeparator, type RuntimePlan, runtimeFiles, writeRuntimeDir} from '../../engine/drivers/minimal-runtime.js';
import {makeTempDir, waitFor} from '../helpers/engine.js';

/** The program: prints its argv, environment, working directory, session and open-files limit as JSON. */
const REPORT = `const fs = require('fs');
const stat = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
const nofile = /Max open files\\s+(\\d+)\\s+(\\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
fs.writeFileSync(process.env.C32_TEST_OUT, JSON.stringify({argv: process.argv.slice(1), env: process.env, cwd: process.cwd(),
  pid: process.pid, pgrp: Number(stat[2]), sid: Number(stat[3]), nofile: [Number(nofile[1]), Number(nofile[2])]}));`;

interface Report {
	argv: string[];
	env: Record<string, string>;
	cwd: string;
	pid: number;
	pgrp: number;
	sid: number;
	nofile: [number, number];
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

async function run(t: {after(fn: () => void): void}, plan: RuntimePlan): Promise<{report: Report; pidFile: string; sep: string}> {
	const dir = makeTempDir('c32-minimal-runtime-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const runDir = path.join(dir, 'runtime');
	const out = path.join(dir, 'out.json');
	const written = writeRuntimeDir(runDir, {...plan, env: {...plan.env, C32_TEST_OUT: out}});
	assert.ok(!('error' in written));
	const pidFile = path.join(dir, 'pid');
	const create = spawnSync('/bin/sh', [written.script, written.sep, 'create', '--bundle', runDir, '--pid-file', pidFile, 'the-id'], {
		cwd: dir,
		encoding: 'utf8',
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin', NOT_PASSED_ON: 'leak'},
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 10_000,
	});
	assert.equal(create.status, 0, create.stderr);
	const pid = Number(fs.readFileSync(pidFile, 'utf8'));
	assert.ok(alive(pid), 'the held process runs');
	await new Promise((resolve) => setTimeout(resolve, 50));
	assert.ok(!fs.existsSync(out), 'the program ran before its start');
	const fd = fs.openSync(path.join(runDir, 'start'), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
	fs.writeSync(fd, '\n');
	fs.closeSync(fd);
	await waitFor(() => !alive(pid) && fs.existsSync(out), 10_000, 'the program to run and end');
	const report = JSON.parse(fs.readFileSync(out, 'utf8')) as Report;
	delete report.env['C32_TEST_OUT'];
	return {report, pidFile, sep: written.sep};
}

test('argv and environment arrive byte for byte, in a session of its own, in its directory, with its limit', async (t) => {
	const cwd = makeTempDir('c32 minimal cwd ');
	t.after(() => fs.rmSync(cwd, {recursive: true, force: true}));
	const args = ['', 'two words', 'line\nbreak', '*', '-n', 'trailing\n\n', 'back\\slash', '$(touch /tmp/c32-pwned)', `'"`, '\x01'];
	const env = {
		PATH: '/nowhere',
		MULTI: 'a\nb\n',
		GLOB: '*',
		EMPTY: '',
		IFS: ':',
		sep: 'x',
		bundle: 'y',
		c32_entry: 'last',
		CONTROL: '\x01\x02',
	};
	const {report, pidFile, sep} = await run(t, {
		cwd,
		openFiles: 64,
		cgroupProcs: [],
		argv: [process.execPath, '-e', REPORT, ...args],
		env,
	});
	assert.notEqual(sep, '\x01', 'a separator found in a field');
	assert.deepEqual(report.argv, args);
	assert.deepEqual(report.env, {...env, PWD: cwd});
	assert.equal(report.cwd, cwd);
	assert.equal(report.pid, Number(fs.readFileSync(pidFile, 'utf8')), 'the pid file names the program');
	assert.equal(report.sid, report.pid, 'not its own session leader');
	assert.equal(report.pgrp, report.pid, 'not its own process group leader');
	assert.deepEqual(report.nofile, [64, 64]);
	assert.ok(!fs.existsSync('/tmp/c32-pwned'));
});

test('a working directory that is missing fails the create with a message and no pid file', (t) => {
	const dir = makeTempDir('c32-minimal-runtime-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const runDir = path.join(dir, 'runtime');
	const written = writeRuntimeDir(runDir, {cwd: path.join(dir, 'gone'), openFiles: null, cgroupProcs: [], argv: ['/bin/true'], env: {}});
	assert.ok(!('error' in written));
	const pidFile = path.join(dir, 'pid');
	const create = spawnSync('/bin/sh', [written.script, written.sep, 'create', '--bundle', runDir, '--pid-file', pidFile, 'id'], {
		encoding: 'utf8',
		timeout: 10_000,
	});
	assert.notEqual(create.status, 0);
	assert.match(create.stderr, /cannot enter the working directory .*gone/);
	assert.ok(!fs.existsSync(pidFile));
});

test('the separator is a byte no field holds; the fields come back in order, the loop variable last', (t) => {
	assert.equal(pickSeparator(['a', 'b']), '\x01');
	assert.equal(pickSeparator(['a\x01']), '\x02');
	const every = Array.from({length: 128}, (_, i) => String.fromCharCode(i)).join('');
	assert.equal(pickSeparator([every]), null);
	const dir = makeTempDir('c32-sep-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	assert.deepEqual(writeRuntimeDir(dir, {cwd: '/', openFiles: null, cgroupProcs: [], argv: [every], env: {}}), {
		error: 'the command, environment or working directory holds every control character: drop some',
	});
	const files = runtimeFiles(
		{cwd: '/w', openFiles: null, cgroupProcs: ['/cg/a', '/cg/b'], argv: ['/p', ''], env: {c32_entry: '1', A: '2'}},
		'|',
	);
	assert.deepEqual(files, {settings: '/w||/cg/a|/cg/b|', argv: '/p||', env: 'A=2|c32_entry=1|'});
});
