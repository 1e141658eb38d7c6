// rm -f of a running container ends what its monitor started for the exit it just saw (the
// exit command), and the monitor: engine/lifecycle/remove.ts endExitCommands, on real processes.
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {test} from 'node:test';
import {processStartTime} from '../../engine/host-facts.js';
import {endExitCommands} from '../../engine/lifecycle/remove.js';
import {waitFor} from '../helpers/engine.js';

const alive = (pid: number) => {
	try {
		// A zombie is dead: only its parent has not collected it yet.
		return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
};

const childrenOf = (pid: number) =>
	fs
		.readdirSync(`/proc/${pid}/task`)
		.flatMap((tid) => fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));

test('the children of the monitor (its exit command) and the monitor itself are ended', async (t) => {
	// A stand-in monitor that has started two commands.
	const monitor = spawn('sh', ['-c', 'sleep 300 & sleep 300 & wait'], {stdio: 'ignore'});
	t.after(() => monitor.kill('SIGKILL'));
	const pid = monitor.pid!;
	await waitFor(() => childrenOf(pid).length === 2, 5000, 'the two children');
	const children = childrenOf(pid);
	endExitCommands({pid, startTime: processStartTime(pid)});
	await waitFor(() => !children.some(alive), 5000, 'the children ended');
	await waitFor(() => monitor.exitCode !== null || monitor.signalCode !== null, 5000, 'the monitor ended');
	assert.equal(monitor.signalCode, 'SIGKILL');
});

test('a monitor that is gone, or another process with its pid, is left alone', () => {
	endExitCommands(null);
	// This process's own pid with a start time that is not its own: not the monitor recorded.
	endExitCommands({pid: process.pid, startTime: 1});
	assert.ok(alive(process.pid));
});
