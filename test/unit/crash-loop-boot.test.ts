// Crash loops (restart.ts, transitions.ts), which containers `c32 system boot` starts, the
// boot id's file, and the systemd unit install-boot writes. Pure, plus a fake-driver engine.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {resolveConfig} from '../../engine/config.js';
import {readBootId} from '../../engine/host-facts.js';
import {
	bootStartWanted,
	crashLoopEntered,
	ended,
	newRecord,
	restartBegins,
	restartScheduled,
	started,
	starting,
	userStart,
} from '../../engine/lifecycle/transitions.js';
import type {ContainerRecord} from '../../engine/record.js';
import {
	BACKOFF_MAX_MS,
	backoffDelayMs,
	CRASH_LOOP_RESTARTS,
	enteredCrashLoop,
	isCrashLoop,
	parseRestartPolicy,
	startsAtBoot,
} from '../../engine/restart.js';
import type {ContainerConfig, ContainerMetadata} from '../../engine/types.js';
import {statusText} from '../../source/lib/container-view.js';
import {bootUnitText} from '../../source/lib/systemd-unit.js';
import {editRecord, fakeEngine, sh, UNTIL_TERM} from '../helpers/fake-driver.js';
import {fakeHost} from '../helpers/fake-host.js';

const ID = 'd'.repeat(64);
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const RUN = {pid: 4242, pidStartTime: 77, monitorPid: 4241, monitorStartTime: 76, bootId: 'boot-a'};

function created(input: ContainerConfig = {}): ContainerRecord {
	return newRecord(ID, resolveConfig({entrypoint: 'sh', args: ['-c', 'exit 1'], ...input}, 'looper', fakeHost()), null, 'runc', at(0));
}

/** One quick run (1 s) that exits 1 and gets its restart planned; returns the record and the clock. */
function quickCrash(record: ContainerRecord, clock: number): {record: ContainerRecord; clock: number} {
	let next = started(starting(record, 'runc', at(clock)), RUN, at(clock));
	next = ended(next, {exitCode: 1, oomKilled: false, finishedAt: at(clock + 1000), cause: 'exited', stopperGone: false});
	next = restartScheduled(next, at(clock + 1000), null);
	return {record: next, clock: clock + 1000 + Date.parse(next.metadata.nextRestartAt!) - (T0 + clock + 1000)};
}

test('a crash loop is CRASH_LOOP_RESTARTS short runs in a row, entered once', () => {
	assert.equal(CRASH_LOOP_RESTARTS, 5);
	assert.deepEqual([0, 4, 5, 9].map(isCrashLoop), [false, false, true, true]);
	assert.equal(enteredCrashLoop(4, 5), true);
	assert.equal(enteredCrashLoop(5, 6), false);
	assert.equal(enteredCrashLoop(0, 1), false);
});

test('the record enters the loop on the fifth quick restart, says so once, and a long run or a user start leaves it', () => {
	let record = created({restartPolicy: 'always'});
	let clock = 0;
	const entered: number[] = [];
	for (let run = 1; run <= 8; run++) {
		const before = record;
		({record, clock} = quickCrash(record, clock));
		if (crashLoopEntered(before, record)) entered.push(run);
		assert.equal(record.metadata.crashLoop, run >= 5, `run ${run}`);
		record = restartBegins(record);
	}
	assert.deepEqual(entered, [5]);
	// A run of 10 s resets the count: out of the loop.
	let long = started(starting(record, 'runc', at(clock)), RUN, at(clock));
	long = ended(long, {exitCode: 1, oomKilled: false, finishedAt: at(clock + 20_000), cause: 'exited', stopperGone: false});
	long = restartScheduled(long, at(clock + 20_000), null);
	assert.equal(long.metadata.crashLoop, false);
	assert.equal(userStart(record).metadata.crashLoop, false);
});

test('--restart-max-delay caps the backoff', () => {
	assert.equal(backoffDelayMs(20), BACKOFF_MAX_MS);
	assert.equal(backoffDelayMs(20, 2000), 2000);
	assert.equal(backoffDelayMs(1000, 2000), 2000);
	let record = created({restartPolicy: 'always', restartMaxDelayMs: 1500});
	let clock = 0;
	const delays: number[] = [];
	for (let run = 0; run < 6; run++) {
		({record, clock} = quickCrash(record, clock));
		delays.push(Date.parse(record.metadata.nextRestartAt!) - Date.parse(record.metadata.finishedAt!));
		record = restartBegins(record);
	}
	assert.deepEqual(delays, [100, 200, 400, 800, 1500, 1500]);
	for (const bad of [50, 0, -1, Number.NaN, 25 * 3600 * 1000]) {
		assert.throws(() => created({restartMaxDelayMs: bad}), /invalid restart max delay .*: give 100 ms to 24 hours/);
	}
});

test('ps says a crash loop and when the next restart is', () => {
	const meta = {
		...created().metadata,
		state: 'restarting',
		crashLoop: true,
		restartCount: 7,
		nextRestartAt: at(30_000),
	} satisfies ContainerMetadata;
	assert.equal(statusText(meta, new Date(T0)), 'Restarting (crash loop, next in 30s), 7 restarts');
	assert.match(statusText({...meta, crashLoop: false}, new Date(T0)), /^Restarting \(\?\) in 30 seconds/);
});

test('at boot: always and unless-stopped start unless the user stopped them; no and on-failure never', () => {
	const policy = (text: string) => parseRestartPolicy(text);
	assert.equal(startsAtBoot(policy('always'), false), true);
	assert.equal(startsAtBoot(policy('unless-stopped'), false), true);
	assert.equal(startsAtBoot(policy('always'), true), false);
	assert.equal(startsAtBoot(policy('unless-stopped'), true), false);
	assert.equal(startsAtBoot(policy('on-failure'), false), false);
	assert.equal(startsAtBoot(policy('no'), false), false);

	const ran = (input: ContainerConfig, bootId: string) => {
		const record = started(starting(created(input), 'runc', at(0)), {...RUN, bootId}, at(0));
		return ended(record, {exitCode: null, oomKilled: false, finishedAt: at(5000), cause: 'rebooted', stopperGone: false});
	};
	assert.equal(bootStartWanted(ran({restartPolicy: 'always'}, 'boot-a'), 'boot-b'), true);
	assert.equal(bootStartWanted(ran({restartPolicy: 'always'}, 'boot-b'), 'boot-b'), false, 'already run in this boot');
	assert.equal(bootStartWanted(ran({restartPolicy: 'on-failure'}, 'boot-a'), 'boot-b'), false);
	const stopped = ran({restartPolicy: 'unless-stopped'}, 'boot-a');
	assert.equal(bootStartWanted({...stopped, metadata: {...stopped.metadata, stopRequested: true}}, 'boot-b'), false);
	assert.equal(bootStartWanted(created({restartPolicy: 'always'}), 'boot-b'), false, 'never started');
});

test('C32_BOOT_ID_FILE names the boot id; unset, the kernel gives it', (t) => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'c32-bootid-'));
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const file = path.join(dir, 'boot_id');
	fs.writeFileSync(file, 'first\n');
	assert.equal(readBootId({C32_BOOT_ID_FILE: file}), 'first');
	fs.writeFileSync(file, 'second\n');
	assert.equal(readBootId({C32_BOOT_ID_FILE: file}), 'second', 'read again, not cached');
	assert.equal(readBootId({}), fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
});

test('system boot on a fake driver: starts the right ones once', async (t) => {
	const {engine, dir} = fakeEngine(t);
	const make = async (name: string, restartPolicy: string) => {
		const {id} = await engine.createContainer(sh(UNTIL_TERM, {name, restartPolicy: restartPolicy as 'no'}));
		await engine.startContainer(id);
		return id;
	};
	const always = await make('always', 'always');
	const unless = await make('unless', 'unless-stopped');
	const userStopped = await make('user-stopped', 'unless-stopped');
	const onFailure = await make('on-failure', 'on-failure');
	const no = await make('no', 'no');
	const all = [always, unless, userStopped, onFailure, no];
	for (const id of all) await engine.stopContainer(id, {timeout: 5});
	// As a reboot leaves them: ended under another boot id; only one was stopped by the user.
	for (const id of all) {
		editRecord(dir, id, (record) => {
			record.internal.bootId = '00000000-0000-0000-0000-000000000000';
			record.metadata.stopRequested = id === userStopped;
			record.metadata.state = id === userStopped ? 'stopped' : 'exited';
		});
	}
	const first = await engine.bootContainers();
	assert.deepEqual(first.started.map((s) => s.name).sort(), ['always', 'unless']);
	assert.deepEqual(first.failed, []);
	const second = await engine.bootContainers();
	assert.deepEqual(second, {started: [], failed: []});
	for (const id of [always, unless]) assert.equal((await engine.getContainer(id)).state, 'running');
	for (const id of [userStopped, onFailure, no]) assert.notEqual((await engine.getContainer(id)).state, 'running');
	for (const id of [always, unless]) await engine.stopContainer(id, {timeout: 5});
});

test('the boot unit: a oneshot after network-online.target running this c32 by absolute path', () => {
	const text = bootUnitText({node: '/usr/bin/node', cli: '/opt/c32/dist/source/cli.js', environment: {}});
	assert.match(text, /^\[Unit\]\n/);
	assert.match(text, /\nAfter=network-online\.target local-fs\.target\n/);
	assert.match(text, /\nWants=network-online\.target\n/);
	assert.match(text, /\nType=oneshot\n/);
	assert.match(text, /\nExecStart=\/usr\/bin\/node \/opt\/c32\/dist\/source\/cli\.js system boot\n/);
	assert.match(text, /\n\[Install\]\nWantedBy=multi-user\.target\n$/);
	assert.doesNotMatch(text, /Environment=/);
	const odd = bootUnitText({node: '/usr/bin/node', cli: '/opt/my c32/cli.js', environment: {C32_STORAGE_DIR: '/srv/a "b" 100%$x'}});
	assert.match(odd, /\nEnvironment="C32_STORAGE_DIR=\/srv\/a \\"b\\" 100%%\$x"\n/);
	assert.match(odd, /\nExecStart=\/usr\/bin\/node "\/opt\/my c32\/cli\.js" system boot\n/);
	assert.throws(() => bootUnitText({node: 'node', cli: '/x', environment: {}}), /not an absolute path/);
	assert.throws(() => bootUnitText({node: '/n', cli: '/x', environment: {C32_STORAGE_DIR: 'a\nb'}}), /control character/);
});
