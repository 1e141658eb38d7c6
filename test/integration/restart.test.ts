// Restart policies applied by the monitor's exit command (no daemon): on-failure:N, always,
// unless-stopped, exponential backoff, reset after 10 s of uptime, and a user stop that wins.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {type ContainerConfig, getEngine} from '../../engine/index.js';
import {engineFor, makeTempDir, needsRuntime, shell, waitFor} from '../helpers/engine.js';

/** A volume where each run of the container appends "<event> <epoch ms>". */
function runLog(t: {after(fn: () => void): void}): {dir: string; events: () => {event: string; at: number}[]} {
	const dir = makeTempDir('c32-restart-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'runs');
	return {
		dir,
		events: () => {
			try {
				return fs
					.readFileSync(file, 'utf8')
					.trim()
					.split('\n')
					.filter(Boolean)
					.map((line) => {
						const [event, at] = line.split(' ');
						return {event: event!, at: Number(at)};
					});
			} catch {
				return [];
			}
		},
	};
}

/** Logs "start", runs `body`, logs "end". */
function logged(dir: string, body: string, extra: ContainerConfig): ContainerConfig {
	return shell(`echo "start $(date +%s%3N)" >> /data/runs; ( ${body} ); rc=$?; echo "end $(date +%s%3N)" >> /data/runs; exit $rc`, {
		volumes: [{source: dir, destination: '/data'}],
		...extra,
	});
}

const starts = (events: {event: string; at: number}[]) => events.filter((e) => e.event === 'start').map((e) => e.at);

test('on-failure:3 restarts a failing container three times with growing backoff, then gives up', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {dir, events} = runLog(t);
	await engine.createContainer(logged(dir, 'exit 3', {name: 'flaky', restartPolicy: 'on-failure:3'}));
	await engine.startContainer('flaky');
	const final = await waitFor(
		async () => {
			const m = await engine.getContainer('flaky');
			return m.restartCount === 3 && m.state === 'exited' ? m : null;
		},
		20_000,
		'three restarts',
	);
	await sleep(1500); // a fourth restart would come after 800 ms of backoff
	const meta = await engine.getContainer('flaky');
	assert.equal(meta.state, 'exited');
	assert.equal(meta.exitCode, 3);
	assert.equal(meta.restartCount, 3);
	assert.equal(final?.restartCount, 3);
	const all = events();
	const runs = starts(all);
	assert.equal(runs.length, 4, `the container ran ${runs.length} times: ${JSON.stringify(all)}`);
	// Backoff: at least 100, 200 and 400 ms between an exit and the next start.
	const ends = all.filter((e) => e.event === 'end').map((e) => e.at);
	const waits = runs.slice(1).map((start, i) => start - ends[i]!);
	t.diagnostic(`waits between runs (ms): ${waits.join(', ')}`);
	assert.ok(waits[0]! >= 100, `first restart after ${waits[0]} ms`);
	assert.ok(waits[1]! >= 200, `second restart after ${waits[1]} ms`);
	assert.ok(waits[2]! >= 400, `third restart after ${waits[2]} ms`);
	// Only lower bounds here: a loaded host adds start-up time to every wait. The exact
	// 100/200/400 sequence is checked on a fake clock in test/unit/lifecycle-restart.test.ts.
});

test('on-failure does not restart a container that exits 0; "no" never restarts', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const a = runLog(t);
	const b = runLog(t);
	await engine.createContainer(logged(a.dir, 'exit 0', {name: 'clean', restartPolicy: 'on-failure'}));
	await engine.createContainer(logged(b.dir, 'exit 1', {name: 'never', restartPolicy: 'no'}));
	await Promise.all([engine.startContainer('clean'), engine.startContainer('never')]);
	await Promise.all([engine.waitContainer('clean'), engine.waitContainer('never')]);
	await sleep(800);
	for (const [name, log, code] of [
		['clean', a, 0],
		['never', b, 1],
	] as const) {
		const meta = await engine.getContainer(name);
		assert.equal(meta.state, 'exited', name);
		assert.equal(meta.exitCode, code, name);
		assert.equal(meta.restartCount, 0, name);
		assert.equal(starts(log.events()).length, 1, `${name} ran more than once`);
	}
});

test("the seed's autoRestart/maxRestartCount map onto on-failure:N", async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {dir, events} = runLog(t);
	await engine.createContainer(logged(dir, 'exit 5', {name: 'seed', autoRestart: true, maxRestartCount: 1}));
	await engine.startContainer('seed');
	await waitFor(async () => (await engine.getContainer('seed')).restartCount === 1, 10_000, 'one restart');
	await sleep(800);
	const meta = await engine.getContainer('seed');
	assert.equal(meta.restartCount, 1);
	assert.equal(meta.state, 'exited');
	assert.equal(starts(events()).length, 2);
});

test('always restarts even after exit 0; a user stop wins and is remembered', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {dir, events} = runLog(t);
	await engine.createContainer(logged(dir, 'sleep 0.2', {name: 'forever', restartPolicy: 'always', stopTimeout: 1}));
	await engine.startContainer('forever');
	await waitFor(async () => (await engine.getContainer('forever')).restartCount >= 2, 15_000, 'two restarts');
	const stopped = await engine.stopContainer('forever');
	assert.equal(stopped.state, 'stopped');
	assert.equal(stopped.stopRequested, true);
	const runsAtStop = starts(events()).length;
	const countAtStop = stopped.restartCount;
	await sleep(2000); // longer than any backoff reached so far
	const later = await engine.getContainer('forever');
	assert.equal(later.state, 'stopped', 'a stopped "always" container came back');
	assert.equal(later.restartCount, countAtStop);
	assert.equal(starts(events()).length, runsAtStop, 'the container ran again after the user stopped it');
	// Another engine on the same storage (as another c32 process would) agrees.
	assert.equal((await getEngine({storageDir: engine.storageDir}).getContainer('forever')).state, 'stopped');
	// A user start clears the stop.
	const restarted = await engine.startContainer('forever');
	assert.equal(restarted.state, 'running');
	assert.equal(restarted.stopRequested, false);
});

test('a stop during the backoff wait cancels the pending restart', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {dir, events} = runLog(t);
	// Crashes at once; after a few restarts the backoff wait is long enough to stop inside it.
	await engine.createContainer(logged(dir, 'exit 1', {name: 'crashloop', restartPolicy: 'unless-stopped'}));
	await engine.startContainer('crashloop');
	await waitFor(async () => (await engine.getContainer('crashloop')).restartCount >= 3, 15_000, 'three restarts');
	// The next wait is at least 800 ms: the container is (almost surely) exited and waiting.
	await waitFor(async () => (await engine.getContainer('crashloop')).state === 'restarting', 5000, 'the pending restart');
	const stopped = await engine.stopContainer('crashloop');
	assert.equal(stopped.state, 'stopped');
	const runs = starts(events()).length;
	await sleep(2500);
	assert.equal(starts(events()).length, runs, 'the pending restart ran after the stop');
	assert.equal((await engine.getContainer('crashloop')).state, 'stopped');
});

test('the backoff resets once a run has stayed up for 10 s', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {dir, events} = runLog(t);
	// Runs 1-4 crash at once (backoff 100, 200, 400, 800 ms); run 5 stays up 10.5 s, then crashes;
	// run 6 must come after the initial 100 ms, not after 1.6 s.
	const body = `n=$(grep -c start /data/runs); if [ "$n" -eq 5 ]; then sleep 10.5; fi; if [ "$n" -ge 6 ]; then sleep 30; fi; exit 1`;
	await engine.createContainer(logged(dir, body, {name: 'steady', restartPolicy: 'on-failure', stopTimeout: 1}));
	await engine.startContainer('steady');
	await waitFor(() => starts(events()).length >= 6, 30_000, 'the sixth run', 100);
	await engine.stopContainer('steady');
	const all = events();
	const ends = all.filter((e) => e.event === 'end').map((e) => e.at);
	const runs = starts(all);
	const longRunEnd = ends[4]!;
	assert.ok(runs[4]! && longRunEnd - runs[4]! >= 10_000, `run 5 lasted ${longRunEnd - runs[4]!} ms`);
	const waits = runs.slice(1).map((start, i) => start - ends[i]!);
	t.diagnostic(`waits between runs (ms): ${waits.join(', ')}`);
	// Each wait is the backoff plus the time to notice the exit and start again, which a loaded
	// host stretches (two seconds have been seen). Without a reset run 6 waits 1600 ms plus that
	// overhead, with it 100 ms plus it: the line between them is halfway, over the overhead the
	// first four restarts took (their backoffs 100, 200, 400 and 800 ms taken off).
	assert.ok(waits[3]! >= 800, `the fourth restart waited only ${waits[3]} ms`);
	const overheads = [100, 200, 400, 800].map((backoff, i) => waits[i]! - backoff).sort((x, y) => x - y);
	const overhead = (overheads[1]! + overheads[2]!) / 2;
	assert.ok(
		waits[4]! < overhead + 850,
		`after a 10 s run the restart waited ${waits[4]} ms (the others' overhead ${overhead} ms): the backoff of 1600 ms was not reset`,
	);
});
