// Shared helpers for the engine's integration tests: temporary storage roots, the
// "needs runc" gate, running a container to completion, and leftover checks.
// Not a test file: `npm test` runs only *.test.js files.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type {TestContext} from 'node:test';
import {setTimeout as sleep} from 'node:timers/promises';
import {
	type C32ErrorCode,
	type ContainerConfig,
	type ContainerEngine,
	type ContainerMetadata,
	getEngine,
	isC32Error,
} from '../../engine/index.js';
import {mountsDir} from '../../engine/paths.js';

export const IN_CI = /^(1|true|yes)$/i.test(process.env['CI'] ?? '');

/** Where temporary storage roots go: a directory on a real block device (not a tmpfs). */
export const TEST_BASE_DIR = process.env['C32_TEST_DIR'] ?? '/var/tmp';

function which(name: string): string | null {
	for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {
			// keep looking
		}
	}
	return null;
}

let runtimeProblemCache: string | null | undefined;

/** Why real containers cannot run here (not root, no runc, no conmon), or null when they can. */
export function runtimeProblem(): string | null {
	if (runtimeProblemCache !== undefined) return runtimeProblemCache;
	const problems: string[] = [];
	if (process.getuid?.() !== 0) problems.push('not running as root');
	if (!which('runc')) problems.push('runc is not installed (apt-get install -y runc)');
	if (!which('conmon')) problems.push('conmon is not installed (apt-get install -y conmon)');
	runtimeProblemCache = problems.length ? problems.join('; ') : null;
	return runtimeProblemCache;
}

/**
 * Gate for a test that runs real containers. Returns false (and skips the test) when the
 * host cannot run them; in CI it fails the test instead, so a broken CI host is noticed.
 */
export function needsRuntime(t: TestContext): boolean {
	const problem = runtimeProblem();
	if (problem === null) return true;
	if (IN_CI) assert.fail(`this test needs real containers and CI must provide them: ${problem}`);
	t.skip(problem);
	return false;
}

/** A unique marker for a container's command line, so its processes can be found on the host. */
export function marker(prefix = 'c32t'): string {
	return `${prefix}${process.pid}x${Math.random().toString(36).slice(2, 10)}`;
}

export interface TempEngine {
	engine: ContainerEngine;
	dir: string;
	/** Force-removes every container of this engine, then deletes the storage root. */
	dispose(): Promise<void>;
}

export function makeTempDir(prefix = 'c32-test-'): string {
	fs.mkdirSync(TEST_BASE_DIR, {recursive: true});
	return fs.mkdtempSync(path.join(TEST_BASE_DIR, prefix));
}

export function tempEngine(): TempEngine {
	const dir = makeTempDir();
	const engine = getEngine({storageDir: dir});
	return {
		engine,
		dir,
		async dispose() {
			await removeAll(engine);
			// The default network is made on first use: its bridge (and any other this root made) goes too.
			if (fs.existsSync(path.join(dir, 'networks.json'))) await (await import('./network.js')).removeNetworksOf(engine.layout);
			fs.rmSync(dir, {recursive: true, force: true});
		},
	};
}

/** Force-removes every container the engine knows. Errors are reported but do not stop the sweep. */
export async function removeAll(engine: ContainerEngine): Promise<void> {
	let containers: ContainerMetadata[] = [];
	try {
		containers = await engine.listContainers();
	} catch (error) {
		process.stderr.write(`cleanup: listContainers failed: ${String(error)}\n`);
	}
	for (const c of containers) {
		await engine.removeContainer(c.id, {force: true}).catch((error) => {
			process.stderr.write(`cleanup: removing ${c.name} failed: ${String(error)}\n`);
		});
	}
}

/** A temporary engine for one test, disposed after it. */
export function engineFor(t: TestContext): TempEngine {
	const te = tempEngine();
	t.after(() => te.dispose());
	return te;
}

export interface RunResult {
	meta: ContainerMetadata;
	exitCode: number;
	stdout: string;
	stderr: string;
}

/** Resolves with `promise`, or rejects after `ms` with `what` in the message. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** stdout and stderr of a container as text (whole lines joined with \n). */
export async function readLogs(engine: ContainerEngine, ref: string): Promise<{stdout: string; stderr: string}> {
	const out: string[] = [];
	const err: string[] = [];
	for await (const entry of engine.getLogs(ref)) (entry.stream === 'stdout' ? out : err).push(entry.line);
	return {stdout: out.join('\n'), stderr: err.join('\n')};
}

/** Creates, starts and waits for a container; returns its final metadata and output. */
export async function runToExit(engine: ContainerEngine, config: ContainerConfig, timeoutMs = 30_000): Promise<RunResult> {
	const created = await engine.createContainer(config);
	await engine.startContainer(created.id);
	const exitCode = await withTimeout(engine.waitContainer(created.id), timeoutMs, `container ${created.name} to exit`);
	const meta = await engine.getContainer(created.id);
	return {meta, exitCode, ...(await readLogs(engine, created.id))};
}

/** A container running `sh -c script`, with optional extra config. */
export function shell(script: string, extra: ContainerConfig = {}): ContainerConfig {
	return {entrypoint: 'sh', args: ['-c', script], ...extra};
}

/** Parses "key=value" lines (the probes' output format). Later keys win. */
export function keyValues(text: string): Map<string, string> {
	const map = new Map<string, string>();
	for (const line of text.split('\n')) {
		const eq = line.indexOf('=');
		if (eq > 0) map.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
	}
	return map;
}

export function get(map: Map<string, string>, key: string): string {
	const value = map.get(key);
	assert.ok(value !== undefined, `the probe printed no "${key}=" line; it printed: ${JSON.stringify([...map])}`);
	return value;
}

/** Asserts that `action` rejects (or throws) a C32Error with `code`; returns the error. */
export async function expectCode(action: Promise<unknown> | (() => unknown), code: C32ErrorCode): Promise<Error & {code: string}> {
	let caught: unknown;
	try {
		await (typeof action === 'function' ? action() : action);
	} catch (error) {
		caught = error;
	}
	assert.ok(caught !== undefined, `expected a C32Error ${code}, but the call succeeded`);
	assert.ok(isC32Error(caught), `expected a C32Error ${code}, got ${String(caught)}`);
	assert.equal(caught.code, code, `expected ${code}, got ${caught.code}: ${caught.message}`);
	assert.ok(caught.message.length > 10 && !caught.message.includes('\n'), `message should be one useful line: ${caught.message}`);
	return caught;
}

/** Polls `probe` until it returns a truthy value or the time runs out. */
export async function waitFor<T>(probe: () => Promise<T> | T, timeoutMs: number, what: string, intervalMs = 50): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value) return value;
			last = value;
		} catch (error) {
			last = error;
		}
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`);
		await sleep(intervalMs);
	}
}

// ---- what a container can leave behind on the host -----------------------------------

/** Host pids whose command line contains `token`. */
export function hostPidsWith(token: string): number[] {
	const pids: number[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
		try {
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			if (cmdline.includes(token)) pids.push(Number(entry));
		} catch {
			// exited meanwhile
		}
	}
	return pids;
}

export function isAlive(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
	} catch {
		return false;
	}
}

/** cgroup directories of a container id on any mounted hierarchy (v1 controllers, v2 unified). */
export function cgroupDirsOf(id: string): string[] {
	const found: string[] = [];
	const roots = ['/sys/fs/cgroup'];
	try {
		for (const entry of fs.readdirSync('/sys/fs/cgroup')) roots.push(path.join('/sys/fs/cgroup', entry));
	} catch {
		return found;
	}
	for (const root of roots) {
		try {
			const hits = execFileSync('find', [root, '-maxdepth', '4', '-type', 'd', '-name', `*${id}*`], {
				encoding: 'utf8',
				stdio: ['ignore', 'pipe', 'ignore'],
			});
			for (const line of hits.split('\n')) if (line) found.push(line);
		} catch {
			// not a directory, or find failed on an odd hierarchy: look at the next one
		}
	}
	return [...new Set(found)];
}

/** Lines of the host's mount table that mention `text` (an id or a storage path). */
export function hostMountsWith(text: string): string[] {
	return fs
		.readFileSync('/proc/self/mountinfo', 'utf8')
		.split('\n')
		.filter((line) => line.includes(text));
}

export function readIndexNames(storageDir: string): Record<string, string> {
	try {
		const data = JSON.parse(fs.readFileSync(path.join(storageDir, 'index.json'), 'utf8')) as {names?: Record<string, string>};
		return data.names ?? {};
	} catch {
		return {};
	}
}

export function listDir(dir: string): string[] {
	try {
		return fs.readdirSync(dir).filter((name) => !name.startsWith('.'));
	} catch {
		return [];
	}
}

/**
 * Every trace of one container: processes (its monitor and exit command name its id; its own
 * processes are found by a marker), cgroups, runtime state, files, mounts, index entry.
 */
export function tracesOf(storageDir: string, id: string, token?: string): string[] {
	const traces: string[] = [];
	for (const pid of hostPidsWith(id)) traces.push(`process ${pid} naming the container still runs: ${cmdline(pid)}`);
	if (token) for (const pid of hostPidsWith(token)) traces.push(`process ${pid} with ${token} still runs: ${cmdline(pid)}`);
	for (const dir of cgroupDirsOf(id)) traces.push(`cgroup ${dir}`);
	for (const dir of [
		path.join(storageDir, 'containers', id),
		path.join(storageDir, 'run', 'runtime', id),
		path.join(storageDir, 'run', 'sockets', id),
		path.join(storageDir, 'run', 'exits', id),
		// Where its root is mounted while it runs (outside the storage root).
		path.join(mountsDir({storageDir, runtimeDir: path.join(storageDir, 'run')}), id),
	]) {
		if (fs.existsSync(dir)) traces.push(`path ${dir}`);
	}
	for (const line of hostMountsWith(id)) traces.push(`mount ${line}`);
	if (Object.values(readIndexNames(storageDir)).includes(id)) traces.push(`index entry for ${id}`);
	return traces;
}

/**
 * tracesOf (minus those `keep` accepts), after giving processes that are already on their way
 * out (a monitor, its exit command) `graceMs` to finish.
 */
export async function settledTracesOf(
	storageDir: string,
	id: string,
	token?: string,
	keep: (trace: string) => boolean = () => false,
	graceMs = 3000,
): Promise<string[]> {
	const deadline = Date.now() + graceMs;
	const current = () => tracesOf(storageDir, id, token).filter((trace) => !keep(trace));
	let traces = current();
	while (traces.length > 0 && Date.now() < deadline) {
		await sleep(100);
		traces = current();
	}
	return traces;
}

/** For settledTracesOf: the container still exists, so its directory and index entry stay. */
export const stillRegistered = (id: string) => (trace: string) => trace.startsWith('index') || trace.endsWith(`/containers/${id}`);

function cmdline(pid: number): string {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120);
	} catch {
		return '(gone)';
	}
}

/** After a refused create: no container directory, no index entry, no image snapshot, no runtime state. */
export function assertStorageEmpty(storageDir: string, what: string): void {
	assert.deepEqual(listDir(path.join(storageDir, 'containers')), [], `${what}: a container directory was left behind`);
	assert.deepEqual(readIndexNames(storageDir), {}, `${what}: the index kept an entry`);
	assert.deepEqual(listDir(path.join(storageDir, 'images')), [], `${what}: an image snapshot was left behind`);
	assert.deepEqual(listDir(path.join(storageDir, 'run', 'runtime')), [], `${what}: runtime state was left behind`);
	assert.deepEqual(hostMountsWith(storageDir), [], `${what}: a mount under the storage root was left behind`);
}

// ---- facts about this host ------------------------------------------------------------

/** The namespace inode link of this (host) process, e.g. "pid:[4026531836]". */
export function hostNamespace(kind: string): string {
	return fs.readlinkSync(`/proc/self/ns/${kind}`);
}

/** Whether the kernel lets a process create user namespaces. */
export function kernelAllowsUserNamespaces(): boolean {
	try {
		if (Number(fs.readFileSync('/proc/sys/user/max_user_namespaces', 'utf8').trim()) <= 0) return false;
	} catch {
		return false;
	}
	try {
		return fs.readFileSync('/proc/sys/kernel/unprivileged_userns_clone', 'utf8').trim() !== '0' || process.getuid?.() === 0;
	} catch {
		return true;
	}
}

/** A program exists where a standard container can see it (the host's /usr, /bin, ...). */
export function visibleInContainer(program: string): boolean {
	return ['/usr/bin', '/bin', '/usr/local/bin', '/usr/sbin', '/sbin'].some((dir) => fs.existsSync(path.join(dir, program)));
}
