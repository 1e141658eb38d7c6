// Health checks on real containers: starting → healthy → unhealthy, the schedule's process
// (one per container with a check, none without, gone after stop and rm), a hanging check's
// timeout, --health-on-failure restart, stop and kill, and an image's HEALTHCHECK.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {readEvents} from '../../engine/events/log.js';
import {addHealthcheck} from '../../engine/image/keep-healthcheck.js';
import type {ContainerConfig, ContainerEngine, ContainerHealth, HealthcheckInput} from '../../engine/index.js';
import {engineFor, expectCode, hostPidsWith, isAlive, makeTempDir, needsRuntime, waitFor} from '../helpers/engine.js';
import {needsImageTools, ociFixtures, startRegistry} from '../helpers/oci-fixtures.js';

/** A container that sleeps, with `healthcheck`; loopback only, so no bridge is made. */
function sleeper(healthcheck: HealthcheckInput | undefined, extra: ContainerConfig = {}): ContainerConfig {
	return {entrypoint: 'sleep', args: ['3600'], network: 'none', stopTimeout: 1, ...(healthcheck ? {healthcheck} : {}), ...extra};
}

/** The schedule's shell loops of a container (alive ones: a killed loop may stay a zombie where PID 1 does not reap). */
export function scheduleLoops(id: string): number[] {
	return hostPidsWith(`c32-health`).filter((pid) => isAlive(pid) && cmdline(pid).includes(id) && cmdline(pid).startsWith('/bin/sh'));
}

function cmdline(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
	} catch {
		return '';
	}
}

async function health(engine: ContainerEngine, id: string): Promise<ContainerHealth | undefined> {
	return (await engine.getContainer(id)).health;
}

const waitStatus = (engine: ContainerEngine, id: string, status: string, ms = 30_000) =>
	waitFor(async () => (await health(engine, id))?.status === status, ms, `health ${status}`);

/** PSS in kB of a process group (the loop and its sleep), from smaps_rollup. */
function groupPss(leader: number): number {
	let total = 0;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== leader) continue;
			const match = /^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${entry}/smaps_rollup`, 'utf8'));
			total += Number(match?.[1] ?? 0);
		} catch {
			// gone meanwhile
		}
	}
	return total;
}

test('a check goes starting → healthy → unhealthy, with events; its schedule ends with stop and rm', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	// Failures in the start period do not count until the first success: so the order of events is fixed.
	const {id} = await engine.createContainer(sleeper({command: 'test -e /tmp/ok', interval: 1, retries: 2, startPeriod: 300}));
	await engine.startContainer(id);
	assert.equal((await health(engine, id))?.status, 'starting');
	assert.equal(scheduleLoops(id).length, 1, 'one schedule loop while it runs');
	const [loop] = scheduleLoops(id);
	// Loose bound only: the issue allows 2 MB per container with a check (measured ~0.5 MB).
	assert.ok(groupPss(loop!) < 2048, `the schedule costs ${groupPss(loop!)} kB PSS`);

	await engine.execInContainer(id, {command: ['touch', '/tmp/ok']});
	await waitStatus(engine, id, 'healthy');
	await engine.execInContainer(id, {command: ['rm', '/tmp/ok']});
	await waitStatus(engine, id, 'unhealthy');
	const unhealthy = (await engine.inspectContainer(id)).health!;
	assert.ok(unhealthy.failingStreak >= 2, `failing streak ${unhealthy.failingStreak}`);
	assert.ok(unhealthy.log.length >= 3 && unhealthy.log.length <= 5, `log of ${unhealthy.log.length}`);
	for (const entry of unhealthy.log) {
		assert.ok(Date.parse(entry.end) >= Date.parse(entry.start));
		assert.equal(typeof entry.output, 'string');
	}
	assert.equal(unhealthy.log.at(-1)!.exitCode, 1);
	const events = readEvents(engine.layout).filter((e) => e.id === id && e.event === 'health_status');
	assert.deepEqual(
		events.map((e) => e.attributes['health']),
		['healthy', 'unhealthy'],
	);
	assert.equal(events[1]!.attributes['failingStreak'], 2);

	await engine.stopContainer(id, {timeout: 1});
	assert.deepEqual(scheduleLoops(id), [], 'stop ends the schedule');
	assert.equal(isAlive(loop!), false);

	// A new run: a new schedule, starting again, the earlier results kept to look at.
	await engine.startContainer(id);
	assert.equal((await health(engine, id))?.status, 'starting');
	assert.equal(scheduleLoops(id).length, 1);
	await engine.removeContainer(id, {force: true});
	assert.deepEqual(scheduleLoops(id), [], 'rm ends the schedule');
});

test('a container without a check has no schedule process and no health', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {id} = await engine.createContainer(sleeper(undefined));
	await engine.startContainer(id);
	assert.deepEqual(
		hostPidsWith('c32-health').filter((pid) => cmdline(pid).includes(id)),
		[],
	);
	assert.equal((await engine.inspectContainer(id)).health, undefined);
	await expectCode(engine.runHealthcheck(id), 'BAD_STATE');
	// interval 0: checks only on demand, so no process either.
	const manual = await engine.createContainer(sleeper({command: 'true', interval: 0}, {name: 'manual'}));
	await engine.startContainer(manual.id);
	assert.deepEqual(scheduleLoops(manual.id), []);
	const run = await engine.runHealthcheck(manual.id);
	assert.deepEqual([run.status, run.result.exitCode], ['healthy', 0]);
	await engine.stopContainer(manual.id, {timeout: 0});
	await expectCode(engine.runHealthcheck(manual.id), 'BAD_STATE');
});

test('a check that hangs past its timeout is killed, with what it started, and counts as a failure', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const token = `37.${process.pid}${Date.now() % 1000}`;
	const {id} = await engine.createContainer(sleeper({command: `sleep ${token}; true`, timeout: 1, interval: 0, retries: 1}));
	await engine.startContainer(id);
	const started = Date.now();
	const run = await engine.runHealthcheck(id);
	assert.ok(Date.now() - started < 20_000, 'the timeout ended the check');
	assert.equal(run.result.exitCode, -1);
	assert.match(run.result.output, /exceeded its timeout \(1s\)/);
	assert.equal(run.status, 'unhealthy');
	// The shell and its sleep child are gone (the check's process group was killed).
	await waitFor(() => hostPidsWith(token).filter(isAlive).length === 0, 10_000, 'the hanging check to be gone');
});

test('--health-on-failure restart restarts an unhealthy container, counted, even with no restart policy', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {id} = await engine.createContainer(sleeper({command: 'test -e /tmp/ok', interval: 1, retries: 1, onFailure: 'restart'}));
	await engine.startContainer(id);
	const first = (await engine.getContainer(id)).pid;
	await waitFor(async () => (await engine.getContainer(id)).restartCount >= 1, 30_000, 'a health restart');
	await waitFor(async () => (await engine.getContainer(id)).state === 'running', 30_000, 'the restarted run');
	const after = await engine.getContainer(id);
	assert.notEqual(after.pid, first);
	assert.equal(after.stopRequested, false);
	// The new run is checked by a new schedule (one at a time).
	await waitFor(() => scheduleLoops(id).length === 1, 10_000, 'the new schedule');
	await engine.removeContainer(id, {force: true});
	assert.deepEqual(scheduleLoops(id), []);
});

test('--health-on-failure stop stops it as a user stop; kill leaves it to its restart policy', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const stopped = await engine.createContainer(
		sleeper({command: ['test', '-e', '/tmp/ok'], interval: 1, retries: 1, onFailure: 'stop'}, {name: 'stops', restartPolicy: 'always'}),
	);
	const killed = await engine.createContainer(
		sleeper({command: 'exit 1', interval: 1, retries: 1, onFailure: 'kill'}, {name: 'killed', restartPolicy: 'no'}),
	);
	await engine.startContainer(stopped.id);
	await engine.startContainer(killed.id);
	await waitFor(async () => (await engine.getContainer(stopped.id)).state === 'stopped', 30_000, 'the health stop');
	await waitFor(async () => (await engine.getContainer(killed.id)).state === 'exited', 30_000, 'the health kill');
	const s = await engine.getContainer(stopped.id);
	assert.deepEqual([s.stopRequested, s.restartCount, s.health?.status], [true, 0, 'unhealthy']);
	const k = await engine.getContainer(killed.id);
	assert.deepEqual([k.exitCode, k.stopRequested, k.restartCount], [137, false, 0]);
	// The state shows as soon as it is observed; the exit command may still be tearing the run down.
	await waitFor(() => [...scheduleLoops(stopped.id), ...scheduleLoops(killed.id)].length === 0, 15_000, 'the schedules to end');
});

/**
 * An oci-archive of the fixtures' two-layer image whose config carries docker's Healthcheck
 * (OCI defines none; skopeo keeps an OCI config as it is): the layout cut to that image, its
 * config rewritten with new digests (by the engine's own rewrite, addHealthcheck).
 */
function archiveWithHealthcheck(dir: string, healthcheck: object): string {
	const layout = path.join(dir, 'layout');
	fs.cpSync(ociFixtures().layout, layout, {recursive: true});
	const indexFile = path.join(layout, 'index.json');
	const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
	const refName = 'org.opencontainers.image.ref.name';
	const entry = index.manifests.find((m: {annotations?: Record<string, string>}) => m.annotations?.[refName] === 'two-layer');
	index.manifests = [{...entry, annotations: {[refName]: 'localhost/test/checked:1'}}];
	fs.writeFileSync(indexFile, JSON.stringify(index));
	addHealthcheck(layout, healthcheck);
	const archive = path.join(dir, 'checked.oci.tar');
	execFileSync('tar', ['-C', layout, '-cf', archive, '.']);
	return archive;
}

test("an image's HEALTHCHECK gives its containers a check; options override it and --no-healthcheck drops it", async (t) => {
	if (!needsRuntime(t) || !needsImageTools(t)) return;
	const {engine} = engineFor(t);
	const dir = makeTempDir('c32-health-image-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const archive = archiveWithHealthcheck(dir, {Test: ['CMD-SHELL', 'test -e /tmp/ok'], Interval: 1e9, Retries: 1, Timeout: 5e9});
	const [image] = await engine.loadImage(archive);
	assert.ok(image!.names.includes('localhost/test/checked:1'));
	const base: ContainerConfig = {image: 'localhost/test/checked:1', entrypoint: 'sleep', args: ['3600'], network: 'none', stopTimeout: 1};

	const fromImage = await engine.createContainer({...base, name: 'from-image'});
	assert.deepEqual((await engine.inspectContainer(fromImage.id)).config.healthcheck, {
		command: ['/bin/sh', '-c', 'test -e /tmp/ok'],
		interval: 1,
		timeout: 5,
		retries: 1,
		startPeriod: 0,
		onFailure: 'none',
	});
	await engine.startContainer(fromImage.id);
	await waitStatus(engine, fromImage.id, 'unhealthy');
	await engine.execInContainer(fromImage.id, {command: ['touch', '/tmp/ok']});
	await waitStatus(engine, fromImage.id, 'healthy');

	const overridden = await engine.createContainer({...base, name: 'overridden', healthcheck: {interval: 0, retries: 4}});
	const check = (await engine.inspectContainer(overridden.id)).config.healthcheck;
	assert.deepEqual([check?.command.at(-1), check?.interval, check?.retries], ['test -e /tmp/ok', 0, 4]);
	const off = await engine.createContainer({...base, name: 'off', healthcheck: null});
	assert.equal((await engine.inspectContainer(off.id)).config.healthcheck, null);
	await engine.startContainer(off.id);
	assert.deepEqual(scheduleLoops(off.id), []);
});

test('a minimal container is checked too: its command runs as exec does there, and its schedule ends with it', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const {id} = await engine.createContainer({
		entrypoint: 'sleep',
		args: ['3600'],
		isolationLevel: 'minimal',
		healthcheck: {command: 'echo checked-$$; exit 3', interval: 1, retries: 2},
	});
	await engine.startContainer(id);
	assert.equal(scheduleLoops(id).length, 1);
	await waitStatus(engine, id, 'unhealthy');
	const last = (await engine.inspectContainer(id)).health!.log.at(-1)!;
	assert.deepEqual([last.exitCode, /^checked-\d+\n$/.test(last.output)], [3, true]);
	await engine.stopContainer(id, {timeout: 1});
	await waitFor(() => scheduleLoops(id).length === 0, 15_000, 'the schedule to end');
});

/** The fixtures' docker-archive with docker's Healthcheck in its config, as `docker save` writes one of a HEALTHCHECK image. */
function dockerArchiveWithHealthcheck(dir: string, healthcheck: object): string {
	const tree = path.join(dir, 'docker');
	fs.mkdirSync(tree);
	execFileSync('tar', ['-C', tree, '-xf', ociFixtures().dockerArchive]);
	const manifest = JSON.parse(fs.readFileSync(path.join(tree, 'manifest.json'), 'utf8'));
	const config = JSON.parse(fs.readFileSync(path.join(tree, manifest[0].Config), 'utf8'));
	config.config = {...config.config, Healthcheck: healthcheck};
	const data = Buffer.from(JSON.stringify(config));
	fs.rmSync(path.join(tree, manifest[0].Config));
	manifest[0].Config = `${createHash('sha256').update(data).digest('hex')}.json`;
	manifest[0].RepoTags = ['localhost/test/docker-checked:1'];
	fs.writeFileSync(path.join(tree, manifest[0].Config), data);
	fs.writeFileSync(path.join(tree, 'manifest.json'), JSON.stringify(manifest));
	fs.rmSync(path.join(tree, 'repositories'), {force: true});
	const archive = path.join(dir, 'checked.docker.tar');
	execFileSync('tar', ['-C', tree, '-cf', archive, '.']);
	return archive;
}

test("a docker-archive's HEALTHCHECK survives skopeo's conversion to OCI", async (t) => {
	if (!needsRuntime(t) || !needsImageTools(t)) return;
	const {engine} = engineFor(t);
	const dir = makeTempDir('c32-health-docker-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const test = ['CMD', 'test', '-e', '/etc/added'];
	const archive = dockerArchiveWithHealthcheck(dir, {Test: test, Interval: 3e9, Retries: 5});
	const [image] = await engine.loadImage(archive);
	assert.deepEqual((await engine.inspectImage(image!.id)).config.healthcheck, {test, interval: 3, timeout: 0, startPeriod: 0, retries: 5});
	const {id} = await engine.createContainer({
		image: 'localhost/test/docker-checked:1',
		entrypoint: 'sleep',
		args: ['3600'],
		network: 'none',
	});
	const check = (await engine.inspectContainer(id)).config.healthcheck;
	assert.deepEqual([check?.command, check?.interval, check?.retries], [['test', '-e', '/etc/added'], 3, 5]);
	await engine.startContainer(id);
	const run = await engine.runHealthcheck(id);
	assert.deepEqual([run.status, run.result.exitCode], ['healthy', 0]);
	// An archive without one loads as before.
	const [plain] = await engine.loadImage(ociFixtures().dockerArchive);
	assert.equal((await engine.inspectImage(plain!.id)).config.healthcheck, undefined);

	// Pulled from a registry in docker's format (v2s2), the same.
	const registry = await startRegistry(t);
	const ref = `${registry.host}/team/docker-checked:1`;
	execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `docker-archive:${archive}`, `docker://${ref}`]);
	const pulled = await engine.pullImage(ref, {tlsVerify: false});
	assert.deepEqual((await engine.inspectImage(pulled.id)).config.healthcheck?.test, test);
});
