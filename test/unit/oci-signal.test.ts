// The OCI driver signals a container's recorded init itself, without spawning the runtime,
// when that is what `runc kill` would do; everything else still goes to the runtime. The
// runtime here is a path that does not exist, so any call to it fails the signal.
import assert from 'node:assert/strict';
import {type ChildProcess, spawn} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import type {DriverContext} from '../../engine/drivers/driver.js';
import {OciDriver} from '../../engine/drivers/oci.js';
import {processStartTime} from '../../engine/host-facts.js';
import {containerPaths, resolveStorage} from '../../engine/paths.js';
import {makeTempDir} from '../helpers/engine.js';

const ID = 'a'.repeat(64);

function setup(t: {after: (fn: () => void) => void}) {
	const dir = makeTempDir('c32-oci-signal-');
	const layout = resolveStorage({storageDir: path.join(dir, 'storage'), runtimeDir: path.join(dir, 'run')});
	const children: ChildProcess[] = [];
	t.after(() => {
		for (const child of children) child.kill('SIGKILL');
		fs.rmSync(dir, {recursive: true, force: true});
	});
	const driver = new OciDriver({
		layout,
		runtime: {name: 'runc', path: path.join(dir, 'no-runc')},
		conmonPath: '/bin/false',
		conmonRotates: false,
	});
	const sleeper = () => {
		const child = spawn('sleep', ['30'], {stdio: 'ignore'});
		children.push(child);
		const ended = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
		return {child, ended};
	};
	const ctx = (pid: number, startTime: number | null) =>
		({id: ID, paths: containerPaths(layout, ID), mainProcess: {pid, startTime}}) as unknown as DriverContext;
	return {driver, sleeper, ctx};
}

test('a signal to the main process reaches it without the runtime', async (t) => {
	const {driver, sleeper, ctx} = setup(t);
	const {child, ended} = sleeper();
	await driver.signal(ctx(child.pid!, processStartTime(child.pid!)), 'SIGTERM', false);
	assert.equal(await ended, 'SIGTERM');
});

test('SIGKILL to all processes goes to the init of the PID namespace without the runtime', async (t) => {
	const {driver, sleeper, ctx} = setup(t);
	const {child, ended} = sleeper();
	await driver.signal(ctx(child.pid!, processStartTime(child.pid!)), 'SIGKILL', true);
	assert.equal(await ended, 'SIGKILL');
});

test('another signal to all, or a pid that is no longer the recorded process, is left to the runtime', async (t) => {
	const {driver, sleeper, ctx} = setup(t);
	const {child} = sleeper();
	const startTime = processStartTime(child.pid!)!;
	await assert.rejects(driver.signal(ctx(child.pid!, startTime), 'SIGTERM', true), 'SIGTERM to all is runc kill --all');
	await assert.rejects(driver.signal(ctx(child.pid!, startTime + 1), 'SIGKILL', true), 'a reused pid is not signalled');
	assert.equal(child.exitCode, null);
	assert.equal(child.signalCode, null, 'the process was not signalled');
});
