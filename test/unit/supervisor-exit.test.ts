// The process driver's supervisor exits with its container's exit code, as conmon does: a
// systemd unit whose main process it is (generate systemd) tells a failure from a clean end by
// it. No root needed: no cgroup, no exit command.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import type {SupervisorPlan} from '../../engine/drivers/process.js';
import {makeTempDir} from '../helpers/engine.js';

const SUPERVISOR = fileURLToPath(new URL('../../engine/drivers/supervisor.js', import.meta.url));

function supervise(t: {after(fn: () => void): void}, script: string): Promise<{code: number | null; exitFile: string}> {
	const dir = makeTempDir('c32-supervisor-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const plan: SupervisorPlan = {
		argv: ['sh', '-c', script],
		openFiles: null,
		env: {PATH: process.env['PATH'] ?? '/usr/bin:/bin'},
		cwd: dir,
		log: path.join(dir, 'ctr.log'),
		logSizeMax: 1024 * 1024,
		exitFile: path.join(dir, 'exit'),
		oomFile: path.join(dir, 'oom'),
		pidFile: path.join(dir, 'pid'),
		monitorPidFile: path.join(dir, 'monitor.pid'),
		cgroup: null,
		exitCommand: [],
		debugLog: path.join(dir, 'debug.log'),
	};
	const planFile = path.join(dir, 'supervisor.json');
	fs.writeFileSync(planFile, JSON.stringify(plan));
	const child = spawn(process.execPath, [SUPERVISOR, planFile], {stdio: ['ignore', 'ignore', 'ignore', 'pipe']});
	(child.stdio[3] as NodeJS.ReadableStream).resume();
	return new Promise((resolve) => child.on('exit', (code) => resolve({code, exitFile: fs.readFileSync(plan.exitFile, 'utf8')})));
}

test('the supervisor exits with the code of its container', async (t) => {
	assert.deepEqual(await supervise(t, 'exit 3'), {code: 3, exitFile: '3'});
	assert.deepEqual(await supervise(t, 'exit 0'), {code: 0, exitFile: '0'});
});

test('a container killed by a signal: 128 + its number, as the exit file says', async (t) => {
	assert.deepEqual(await supervise(t, 'kill -TERM $$'), {code: 143, exitFile: '143'});
});
