// The state machine as pure functions (engine/lifecycle/transitions.ts): every transition of
// the diagram in docs/architecture.md, and the restart timing math, with no clock, disk or process.
import assert from 'node:assert/strict';
import {test} from 'node:test';
import {resolveConfig} from '../../engine/config.js';
import {
	type EndFacts,
	ended,
	exitCodeForStartError,
	isLive,
	newRecord,
	paused,
	renamed,
	restartBegins,
	restartScheduled,
	restartStillDue,
	restartWanted,
	started,
	startFailed,
	startInterrupted,
	starting,
	stoppedWhileDown,
	stopRequestExpired,
	stopRequested,
	stopRequestVoided,
	userStart,
} from '../../engine/lifecycle/transitions.js';
import {type ContainerRecord, parseRecord} from '../../engine/record.js';
import type {ContainerConfig, RestartPolicyText} from '../../engine/types.js';
import {fakeHost} from '../helpers/fake-host.js';

const ID = 'c'.repeat(64);
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const RUN = {pid: 4242, pidStartTime: 77, monitorPid: 4241, monitorStartTime: 76, bootId: 'boot-a'};

function created(input: ContainerConfig = {}): ContainerRecord {
	return newRecord(ID, resolveConfig({entrypoint: 'sh', args: ['-c', 'true'], ...input}, 'web', fakeHost()), null, 'runc', at(0));
}

/** A record running since `since` ms. */
function running(input: ContainerConfig = {}, since = 0): ContainerRecord {
	return started(starting(userStart(created(input)), 'runc', at(since)), RUN, at(since));
}

const exit = (code: number | null, atMs: number, cause: EndFacts['cause'] = 'exited', stopperGone = false): EndFacts => ({
	exitCode: code,
	oomKilled: false,
	finishedAt: at(atMs),
	cause,
	stopperGone,
});
const STOPPER = {pid: 321, startTime: 5};

test('newRecord: created, generation 0, nothing run yet, the current format', () => {
	const record = created();
	assert.equal(record.metadata.state, 'created');
	assert.equal(record.formatVersion, 2);
	assert.equal(record.internal.generation, 0);
	assert.equal(record.metadata.restartCount, 0);
	assert.equal(record.metadata.pid, null);
	assert.equal(isLive(record), false);
});

test('starting → started: a new generation; the last outcome shows until the new run runs', () => {
	const before = {
		...created(),
		metadata: {...created().metadata, state: 'exited' as const, exitCode: 3, oomKilled: true, errorMessage: 'x'},
	};
	const begun = starting(before, 'crun', at(10));
	assert.equal(begun.internal.generation, 1);
	assert.equal(begun.internal.startingAt, at(10));
	assert.deepEqual([begun.metadata.exitCode, begun.metadata.oomKilled, begun.metadata.errorMessage], [3, true, 'x']);
	assert.equal(begun.metadata.runtime, 'crun');
	assert.equal(begun.metadata.state, 'exited', 'the state changes only once the start succeeded');
	const run = started(begun, RUN, at(20));
	assert.deepEqual(
		[run.metadata.exitCode, run.metadata.oomKilled, run.metadata.errorMessage, run.metadata.nextRestartAt],
		[null, false, null, null],
	);
	assert.equal(run.metadata.state, 'running');
	assert.equal(run.metadata.pid, 4242);
	assert.equal(run.metadata.startedAt, at(20));
	assert.equal(run.internal.startingAt, null);
	assert.deepEqual(
		[run.internal.monitorPid, run.internal.monitorStartTime, run.internal.pidStartTime, run.internal.bootId],
		[4241, 76, 77, 'boot-a'],
	);
	assert.ok(isLive(run));
	assert.equal(before.metadata.state, 'exited', 'transitions do not change their input');
});

test("→ failed: a start error maps to docker's exit codes (127 not found, 126 cannot run); an interrupted start says so", () => {
	const begun = starting(created(), 'runc', at(0));
	const notFound = startFailed(begun, 'exec: "nosuch": executable file not found in $PATH', at(5));
	assert.equal(notFound.metadata.state, 'failed');
	assert.equal(notFound.metadata.exitCode, 127);
	assert.equal(notFound.internal.startingAt, null);
	assert.equal(startFailed(begun, 'exec: "/app/x": permission denied', at(5)).metadata.exitCode, 126);
	assert.equal(startFailed(begun, 'cgroup: device busy', at(5)).metadata.exitCode, null);
	assert.equal(exitCodeForStartError('open /x: No such file or directory'), 127);
	assert.equal(exitCodeForStartError('exec format error'), 126);
	const interrupted = startInterrupted(begun, at(5));
	assert.equal(interrupted.metadata.state, 'failed');
	assert.match(interrupted.metadata.errorMessage ?? '', /interrupted while starting/);
	assert.equal(interrupted.internal.startingAt, null);
	assert.equal(interrupted.internal.monitorPid, null);
	// A policy that restarts an end without a code gets its restart instead.
	const restartable = startInterrupted(starting(created({restartPolicy: 'always'}), 'runc', at(0)), at(5));
	assert.equal(restartable.metadata.state, 'exited');
	assert.equal(restartWanted(restartable), true);
	assert.equal(startInterrupted(starting(created({restartPolicy: 'on-failure:1'}), 'runc', at(0)), at(5)).metadata.state, 'exited');
});

test('running → exited by itself; → stopped when a stop request was in force; the reason of an end without a code', () => {
	const record = running();
	const exited = ended(record, exit(3, 100));
	assert.deepEqual(
		[exited.metadata.state, exited.metadata.exitCode, exited.metadata.pid, exited.metadata.stopRequested],
		['exited', 3, null, false],
	);
	assert.equal(exited.metadata.finishedAt, at(100));

	const requested = stopRequested(record, at(1000), STOPPER);
	const stopped = ended(requested, exit(0, 999));
	assert.deepEqual([stopped.metadata.state, stopped.metadata.stopRequested, stopped.internal.stopRequest], ['stopped', true, null]);
	const late = ended(requested, exit(0, 1001));
	assert.equal(late.metadata.state, 'exited', "an end after the deadline is not the stop's");
	const abandoned = ended(requested, exit(0, 999, 'exited', true));
	assert.equal(abandoned.metadata.state, 'exited', 'nor one whose stopper is gone (Ctrl-C)');
	assert.equal(abandoned.internal.stopRequest, null);
	assert.equal(
		ended(stopRequested(record, at(1000), null), exit(137, 999)).metadata.state,
		'stopped',
		"a kill's request has no stopper to wait for",
	);
	assert.equal(ended({...record, metadata: {...record.metadata, stopRequested: true}}, exit(1, 5)).metadata.state, 'stopped');

	assert.match(ended(record, exit(null, 5, 'monitor-lost')).metadata.errorMessage ?? '', /monitor \(conmon\) was killed/);
	assert.match(ended(record, exit(null, 5, 'rebooted')).metadata.errorMessage ?? '', /rebooted/);
	assert.equal(ended(record, exit(null, 5, 'monitor-lost')).metadata.state, 'exited', 'not failed: the restart policy still applies');
	assert.equal(ended(record, {...exit(137, 5), oomKilled: true}).metadata.oomKilled, true);
});

test('a stop request expires only while the container still runs past its deadline; voiding it keeps the policy', () => {
	const requested = stopRequested(running(), at(1000), STOPPER);
	assert.equal(stopRequestExpired(requested, at(999)), false);
	assert.equal(stopRequestExpired(requested, at(1001)), true);
	assert.equal(stopRequestExpired(running(), at(1001)), false, 'no request, nothing expires');
	const down = ended(requested, exit(0, 500));
	assert.equal(stopRequestExpired(down, at(5000)), false, 'an ended container has no request left');
	const voided = stopRequestVoided(requested);
	assert.equal(voided.internal.stopRequest, null);
	assert.equal(voided.metadata.stopRequested, false);
	assert.equal(ended(voided, exit(1, 2000)).metadata.state, 'exited');
});

test('running ⇄ paused', () => {
	const record = paused(running(), true);
	assert.equal(record.metadata.state, 'paused');
	assert.ok(isLive(record));
	assert.equal(paused(record, false).metadata.state, 'running');
});

test('restartWanted: no never; on-failure on a non-zero code within its budget; always and unless-stopped after any end; a user stop never', () => {
	const endWith = (policy: RestartPolicyText, code: number | null, restarts = 0) => {
		const record = ended(running({restartPolicy: policy}), exit(code, 100));
		return restartWanted({...record, internal: {...record.internal, restartsSinceStart: restarts}});
	};
	assert.equal(endWith('no', 1), false);
	assert.equal(endWith('on-failure', 0), false);
	assert.equal(endWith('on-failure', 1), true);
	assert.equal(endWith('on-failure', null), true, 'an end without a code is a failure');
	assert.equal(endWith('on-failure:2', 1, 1), true);
	assert.equal(endWith('on-failure:2', 1, 2), false, 'on-failure:N gives up after N restarts');
	assert.equal(endWith('always', 0), true, 'always restarts after exit 0');
	assert.equal(endWith('unless-stopped', 0), true);
	const stopped = ended(stopRequested(running({restartPolicy: 'always'}), at(1000), STOPPER), exit(0, 100));
	assert.equal(restartWanted(stopped), false);
	assert.equal(restartWanted(running({restartPolicy: 'always'})), false, 'a running container wants nothing');
});

test('restartScheduled: restarting until nextRestartAt; the backoff doubles from 100 ms in a crash loop up to 30 s', () => {
	let record = ended(running({restartPolicy: 'always'}), exit(1, 50));
	const delays: number[] = [];
	for (let i = 0; i < 11; i++) {
		const scheduled = restartScheduled(record, at(50), {pid: 9, startTime: 1});
		assert.equal(scheduled.metadata.state, 'restarting');
		assert.deepEqual(scheduled.internal.scheduler, {pid: 9, startTime: 1});
		delays.push(Date.parse(scheduled.metadata.nextRestartAt!) - Date.parse(at(50)));
		// The restart runs 50 ms and crashes again.
		record = ended(started(starting(restartBegins(scheduled), 'runc', at(0)), RUN, at(0)), exit(1, 50));
	}
	assert.deepEqual(delays, [100, 200, 400, 800, 1600, 3200, 6400, 12_800, 25_600, 30_000, 30_000]);
	assert.equal(record.metadata.restartCount, 11);
	assert.equal(record.internal.restartsSinceStart, 11);
});

test('restartScheduled: a run that lasted 10 s resets the backoff; a shorter one does not', () => {
	const loop = (uptimeMs: number) => {
		const record = ended(running({restartPolicy: 'always'}, 0), exit(1, uptimeMs));
		const deep = {...record, internal: {...record.internal, backoffAttempt: 6}};
		const scheduled = restartScheduled(deep, at(uptimeMs), null);
		return {delay: Date.parse(scheduled.metadata.nextRestartAt!) - T0 - uptimeMs, attempt: scheduled.internal.backoffAttempt};
	};
	assert.deepEqual(loop(9_999), {delay: 6400, attempt: 7});
	assert.deepEqual(loop(10_000), {delay: 100, attempt: 1});
	assert.deepEqual(loop(3_600_000), {delay: 100, attempt: 1});
});

test('restartStillDue: only the generation it was planned for, still restarting, not stopped', () => {
	const scheduled = restartScheduled(ended(running({restartPolicy: 'always'}), exit(1, 50)), at(50), null);
	const generation = scheduled.internal.generation;
	assert.equal(restartStillDue(scheduled, generation), true);
	assert.equal(restartStillDue(scheduled, generation - 1), false, 'overtaken by a newer generation');
	const overtaken = started(starting(userStart(scheduled), 'runc', at(60)), RUN, at(60));
	assert.equal(overtaken.internal.generation, generation + 1);
	assert.equal(restartStillDue(overtaken, generation), false, 'a user start overtook it');
	assert.equal(restartStillDue(stoppedWhileDown(scheduled), generation), false, 'a user stop overtook it');
});

test('restarting → stopped by a stop; an exited container whose restart is about to be planned too; others unchanged', () => {
	const exited = ended(running({restartPolicy: 'always'}), exit(1, 50));
	const scheduled = restartScheduled(exited, at(50), {pid: 9, startTime: 1});
	const stopped = stoppedWhileDown(scheduled);
	assert.deepEqual(
		[stopped.metadata.state, stopped.metadata.stopRequested, stopped.metadata.nextRestartAt, stopped.internal.scheduler],
		['stopped', true, null, null],
	);
	assert.equal(stoppedWhileDown(exited).metadata.state, 'stopped', 'the exit command has not planned it yet');
	const done = ended(running({restartPolicy: 'no'}), exit(1, 50));
	assert.equal(stoppedWhileDown(done), done, 'nothing to cancel: the record is returned as it is');
	assert.equal(stoppedWhileDown(created()).metadata.state, 'created');
});

test('a user start clears the remembered stop and the crash-loop counters; a restart is counted', () => {
	const stopped = ended(stopRequested(running({restartPolicy: 'always'}), at(1000), STOPPER), exit(0, 100));
	const looped = {...stopped, internal: {...stopped.internal, backoffAttempt: 5, restartsSinceStart: 7}};
	const again = userStart(looped);
	assert.equal(again.metadata.stopRequested, false);
	assert.equal(again.internal.backoffAttempt, 0);
	assert.equal(again.internal.restartsSinceStart, 0);
	const restart = restartBegins(looped);
	assert.equal(restart.metadata.restartCount, looped.metadata.restartCount + 1);
	assert.equal(restart.internal.restartsSinceStart, 8);
	assert.equal(restart.internal.scheduler, null);
});

test('renamed changes the name in the metadata and the config, nothing else', () => {
	const record = renamed(running(), 'other');
	assert.equal(record.metadata.name, 'other');
	assert.equal(record.config.name, 'other');
	assert.equal(record.config.hostname, 'web');
	assert.equal(record.metadata.state, 'running');
});

test('parseRecord: format 1 with internal.nextRestartAt on an exited record is restarting; damaged shapes are named', () => {
	const current = ended(running({restartPolicy: 'always'}), exit(1, 50));
	const {nextRestartAt: _, ...oldMetadata} = current.metadata;
	const {stopRequest: _s, scheduler: _t, ...oldInternal} = current.internal;
	const v1 = parseRecord({
		formatVersion: 1,
		metadata: oldMetadata,
		config: current.config,
		internal: {...oldInternal, nextRestartAt: at(500)},
	});
	assert.ok(!('damaged' in v1));
	assert.equal(v1.formatVersion, 2);
	assert.equal(v1.metadata.state, 'restarting');
	assert.equal(v1.metadata.nextRestartAt, at(500));
	assert.equal(v1.internal.stopRequest, null);
	assert.equal(v1.internal.scheduler, null);
	assert.equal('nextRestartAt' in v1.internal, false);
	const v1Done = parseRecord({
		formatVersion: 1,
		metadata: oldMetadata,
		config: current.config,
		internal: {...oldInternal, nextRestartAt: null},
	});
	assert.ok(!('damaged' in v1Done) && v1Done.metadata.state === 'exited');

	const damaged = (data: unknown) => {
		const parsed = parseRecord(data);
		return 'damaged' in parsed ? parsed.damaged : null;
	};
	assert.equal(damaged([]), 'not a JSON object');
	assert.equal(damaged({}), 'no formatVersion');
	assert.equal(damaged({formatVersion: 2}), 'no metadata');
	assert.equal(damaged({formatVersion: 2, metadata: {...current.metadata, id: 'x'}}), 'metadata.id is not an id');
	assert.equal(damaged({formatVersion: 2, metadata: {...current.metadata, name: ''}}), 'metadata.name is not a name');
	assert.match(damaged({formatVersion: 2, metadata: {...current.metadata, state: 'zombie'}}) ?? '', /not a state/);
	assert.equal(damaged({formatVersion: 2, metadata: current.metadata, config: {entrypoint: 1}}), 'config is missing or incomplete');
	assert.equal(damaged({formatVersion: 2, metadata: current.metadata, config: current.config}), 'no internal state');
});

test('restartWanted: the end of a run a health check restarts is restarted whatever the policy, once, unless the user stopped it', () => {
	const run = running({restartPolicy: 'no'});
	const marked = {...run, internal: {...run.internal, healthRestart: run.internal.generation}};
	assert.equal(restartWanted(ended(marked, exit(143, 100))), true, 'policy no, yet restarted');
	const scheduled = restartScheduled(ended(marked, exit(143, 100)), at(100), STOPPER);
	assert.equal(scheduled.metadata.state, 'restarting', 'with the backoff of any restart');
	assert.equal(restartBegins(scheduled).metadata.restartCount, 1, 'and counted');
	const next = started(starting(restartBegins(scheduled), 'runc', at(200)), RUN, at(200));
	assert.equal(restartWanted(ended(next, exit(1, 300))), false, 'the next run is not marked');
	const userStopped = ended(stopRequested(marked, at(1000), STOPPER), exit(143, 100));
	assert.equal(restartWanted(userStopped), false, 'a user stop wins');
});
