// What this host can do, for doctor() and for choosing an OCI runtime. Each fact is checked
// for real (a binary run, a kernel file read, a throw-away container started), once per
// process: the result is cached, since create asks for it every time.
import {execFile} from 'node:child_process';
import {
	accessSync,
	constants,
	existsSync,
	lstatSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readlinkSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {detectCgroupHost} from './cgroups/detect.js';
import {cgroupDirs} from './cgroups/paths.js';
import {removeCgroup} from './cgroups/remove.js';
import {debugLogFile} from './debug-log.js';
import {isStaticExecutable} from './elf.js';
import {C32Error} from './errors.js';
import {detectNetworkStack} from './host-network.js';
import type {DoctorReport} from './types.js';

const run = promisify(execFile);

export const OCI_RUNTIMES = ['crun', 'runc'] as const;

/** The apt command that installs the given packages. */
export function installCommand(packages: string[]): string {
	return `apt-get install -y ${packages.join(' ')}`;
}

// Root's PATH from a non-login shell often lacks the sbin directories where runc lives.
const EXTRA_SEARCH_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findExecutable(name: string, searchPath = process.env['PATH'] ?? ''): string | null {
	const dirs = [...searchPath.split(':').filter(Boolean), ...EXTRA_SEARCH_DIRS];
	for (const dir of dirs) {
		const candidate = path.join(dir, name);
		try {
			accessSync(candidate, constants.X_OK);
			return candidate;
		} catch {
			// not here
		}
	}
	return null;
}

/** "runc version 1.1.5+ds1\ncommit: ..." → "1.1.5+ds1" (runc, crun and conmon all print this). */
export function parseVersionOutput(output: string): string | null {
	return /\bversion\s+(\S+)/.exec(output)?.[1] ?? null;
}

async function versionOf(executable: string): Promise<string> {
	try {
		const {stdout} = await run(executable, ['--version'], {timeout: 5000});
		return parseVersionOutput(stdout) ?? stdout.trim().split('\n')[0] ?? 'unknown';
	} catch (error) {
		return `unknown (${(error as Error).message.split('\n')[0]})`;
	}
}

/** A minimal bundle: /usr bound read-only, the host's top-level symlinks copied, /bin/true as the process. */
function writeProbeBundle(bundle: string, cgroupsPath: string): void {
	const rootfs = path.join(bundle, 'rootfs');
	mkdirSync(path.join(rootfs, 'usr'), {recursive: true});
	mkdirSync(path.join(rootfs, 'proc'));
	const mounts: object[] = [
		{destination: '/proc', type: 'proc', source: 'proc'},
		{destination: '/usr', type: 'bind', source: '/usr', options: ['rbind', 'ro', 'nosuid', 'nodev']},
	];
	for (const top of ['bin', 'lib', 'lib64', 'sbin']) {
		const hostPath = `/${top}`;
		if (!existsSync(hostPath)) continue;
		if (lstatSync(hostPath).isSymbolicLink()) {
			// Merged-/usr hosts: /bin -> usr/bin works the same inside the rootfs.
			symlinkSync(readlinkSync(hostPath), path.join(rootfs, top));
		} else {
			mkdirSync(path.join(rootfs, top));
			mounts.push({destination: hostPath, type: 'bind', source: hostPath, options: ['rbind', 'ro', 'nosuid', 'nodev']});
		}
	}
	const spec = {
		ociVersion: '1.0.2',
		process: {terminal: false, user: {uid: 0, gid: 0}, args: ['/bin/true'], env: ['PATH=/usr/bin:/bin'], cwd: '/', noNewPrivileges: true},
		root: {path: 'rootfs', readonly: true},
		mounts,
		linux: {namespaces: [{type: 'pid'}, {type: 'mount'}], cgroupsPath, resources: {pids: {limit: 16}}},
	};
	writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
}

export type ProbeResult = {ok: true} | {ok: false; reason: string};

/**
 * Runs a throw-away container (/bin/true in a new pid and mount namespace, in a cgroup with a
 * pids limit) with the runtime. This is how a runtime that cannot work here is caught: crun
 * 1.8, for one, refuses hosts with hybrid cgroups only once it has to create a cgroup.
 */
export async function probeRuntime(runtimePath: string, {scratchDir = os.tmpdir()}: {scratchDir?: string} = {}): Promise<ProbeResult> {
	const dir = mkdtempSync(path.join(scratchDir, 'c32-probe-'));
	const id = path.basename(dir);
	const cgroupsPath = `/${id}`;
	const state = path.join(dir, 'state');
	try {
		writeProbeBundle(path.join(dir, 'bundle'), cgroupsPath);
		await run(runtimePath, ['--root', state, 'run', '--bundle', path.join(dir, 'bundle'), id], {timeout: 10_000});
		return {ok: true};
	} catch (error) {
		const {stderr, message} = error as {stderr?: string; message: string};
		const reason = (stderr?.trim() || message).split('\n').filter(Boolean).pop() ?? message;
		return {ok: false, reason};
	} finally {
		await run(runtimePath, ['--root', state, 'delete', '--force', id]).catch(() => undefined);
		await removeProbeCgroup(cgroupsPath);
		rmSync(dir, {recursive: true, force: true});
	}
}

async function removeProbeCgroup(cgroupsPath: string): Promise<void> {
	try {
		await removeCgroup(cgroupDirs(cgroupsPath));
	} catch {
		// No cgroups on this host: nothing was created.
	}
}

// ---- The container init (--init) ----

/** The inits c32 can bind into a container, in order of preference: static builds only. */
export const INIT_PROGRAMS = ['catatonit', 'tini-static', 'tini'] as const;
/** The package that installs a usable one. */
export const INIT_PACKAGE = 'catatonit';

export interface InitBinary {
	name: string;
	path: string;
}

export interface InitLookup {
	init: InitBinary | null;
	/** Inits found but not usable: dynamically linked ones need libraries a container's root may not have. */
	rejected: {path: string; reason: string}[];
}

/** The first static init on the search path (the same directories as runc and conmon). */
export function findInit(
	find: (name: string) => string | null = (name) => findExecutable(name),
	isStatic: (file: string) => boolean = isStaticExecutable,
): InitLookup {
	const rejected: InitLookup['rejected'] = [];
	for (const name of INIT_PROGRAMS) {
		const found = find(name);
		if (found === null) continue;
		if (isStatic(found)) return {init: {name, path: found}, rejected};
		rejected.push({path: found, reason: 'dynamically linked: a container root may lack its libraries'});
	}
	return {init: null, rejected};
}

function missingInitMessage(lookup: InitLookup): string {
	const rejected = lookup.rejected.map((r) => ` (${r.path} is ${r.reason})`).join('');
	return `no container init (a static catatonit or tini) is installed${rejected}: install one with \`${installCommand([INIT_PACKAGE])}\``;
}

/** The init for a container that runs with one, or INIT_MISSING saying what to install. */
export function requireInit(lookup: InitLookup): InitBinary {
	if (lookup.init !== null) return lookup.init;
	throw new C32Error(
		'INIT_MISSING',
		`this container runs an init as PID 1 (--init, the default for script images) but ${missingInitMessage(lookup)}, or create it with --no-init`,
	);
}

/** "tini version 0.19.0" (tini) or "tini version 0.1.7_catatonit" (catatonit, which answers as tini for docker). */
export function initVersion(output: string): string | null {
	return parseVersionOutput(output)?.replace(/_catatonit$/, '') ?? null;
}

async function detectInit(): Promise<{init: DoctorReport['init']; problem: string | null}> {
	const lookup = findInit();
	if (lookup.init === null) return {init: null, problem: `${capitalise(missingInitMessage(lookup))} (for --init and script images)`};
	let version = 'unknown';
	try {
		const {stdout} = await run(lookup.init.path, ['--version'], {timeout: 5000});
		version = initVersion(stdout) ?? version;
	} catch {
		// Shown as unknown; it is still the binary create will bind.
	}
	return {init: {...lookup.init, version}, problem: null};
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "skopeo version 1.9.3" → "1.9.3". */
export function parseSkopeoVersion(output: string): string | null {
	return /skopeo version (\S+)/.exec(output)?.[1] ?? null;
}

async function skopeoVersionOf(executable: string): Promise<string> {
	try {
		const {stdout} = await run(executable, ['--version'], {timeout: 5000});
		return parseSkopeoVersion(stdout) ?? 'unknown';
	} catch {
		return 'unknown';
	}
}

// ---- Kernel features ----

function readOptional(file: string): string | null {
	try {
		return readFileSync(file, 'utf8');
	} catch {
		return null;
	}
}

/** /proc/filesystems lists "nodev\toverlay" once overlayfs is built in or loaded. */
export function filesystemListed(procFilesystems: string, name: string): boolean {
	return procFilesystems.split('\n').some((line) => line.trim().split(/\s+/).pop() === name);
}

function overlayfsAvailable(): boolean {
	if (filesystemListed(readOptional('/proc/filesystems') ?? '', 'overlay')) return true;
	// Not loaded yet, but the kernel loads the module on the first overlay mount.
	return existsSync(path.join('/lib/modules', os.release(), 'kernel/fs/overlayfs'));
}

/** The kernel has seccomp (a Seccomp: line in /proc/<pid>/status) with filter mode (actions_avail). */
export function seccompSupported(procStatus: string, actionsAvailable: string | null): boolean {
	return /^Seccomp:/m.test(procStatus) && actionsAvailable?.includes('errno') === true;
}

/** What the sysctls allow: any user namespaces at all, and for non-root the Debian/Ubuntu switch. */
export function userNamespacesAllowed(maxUserNamespaces: string | null, unprivilegedClone: string | null, isRoot: boolean): boolean {
	if (maxUserNamespaces !== null && Number(maxUserNamespaces.trim()) <= 0) return false;
	return isRoot || unprivilegedClone === null || unprivilegedClone.trim() !== '0';
}

/** Whether this host's kernel settings allow user namespaces (for a process with isRoot). */
export function hostAllowsUserNamespaces(isRoot = process.getuid?.() === 0): boolean {
	return userNamespacesAllowed(
		readOptional('/proc/sys/user/max_user_namespaces'),
		readOptional('/proc/sys/kernel/unprivileged_userns_clone'),
		isRoot,
	);
}

async function userNamespacesWork(isRoot: boolean): Promise<boolean> {
	const allowed = hostAllowsUserNamespaces(isRoot);
	if (!allowed) return false;
	// Sysctls are not the whole story (a seccomp policy or LSM may still refuse): try one.
	const unshare = findExecutable('unshare');
	if (unshare === null) return allowed;
	try {
		await run(unshare, ['--user', '--map-root-user', 'true'], {timeout: 5000});
		return true;
	} catch {
		return false;
	}
}

// ---- Runtime choice ----

interface RuntimeChoice {
	runtime: DoctorReport['runtime'];
	runtimesRejected: DoctorReport['runtimesRejected'];
	problems: string[];
}

function runtimeNameOf(executable: string): string {
	return path.basename(executable);
}

async function forcedRuntime(forced: string): Promise<RuntimeChoice> {
	const name = runtimeNameOf(forced);
	const executable = path.isAbsolute(forced) ? (existsSync(forced) ? forced : null) : findExecutable(forced);
	if (executable === null) {
		const hint = (OCI_RUNTIMES as readonly string[]).includes(name) ? `: ${installCommand([name])}` : '';
		return {runtime: null, runtimesRejected: [], problems: [`C32_RUNTIME=${forced} but it is not installed${hint}`]};
	}
	const version = await versionOf(executable);
	const problems: string[] = [];
	const runtimesRejected: DoctorReport['runtimesRejected'] = [];
	if (name !== 'runc') {
		const probe = await probeRuntime(executable);
		if (!probe.ok) {
			runtimesRejected.push({name, reason: probe.reason});
			problems.push(`C32_RUNTIME forces ${name}, which fails on this host (${probe.reason}): unset C32_RUNTIME to use runc`);
		}
	}
	return {runtime: {name, path: executable, version}, runtimesRejected, problems};
}

/** crun where a real container starts with it (it is faster), else runc. */
async function preferredRuntime(): Promise<RuntimeChoice> {
	const runtimesRejected: DoctorReport['runtimesRejected'] = [];
	const crun = findExecutable('crun');
	if (crun !== null) {
		const [probe, version] = await Promise.all([probeRuntime(crun), versionOf(crun)]);
		if (probe.ok) return {runtime: {name: 'crun', path: crun, version}, runtimesRejected, problems: []};
		runtimesRejected.push({name: 'crun', reason: probe.reason});
	}
	const runc = findExecutable('runc');
	if (runc !== null) return {runtime: {name: 'runc', path: runc, version: await versionOf(runc)}, runtimesRejected, problems: []};
	return {runtime: null, runtimesRejected, problems: []};
}

// ---- The report ----

export type HostReport = Omit<DoctorReport, 'storageDir' | 'runtimeDir' | 'debugLog'>;

/** The packages to install for what is missing (runc stands for "an OCI runtime"). */
function missingPackages(report: Pick<HostReport, 'runtime' | 'conmon'>): string[] {
	const missing: string[] = [];
	if (report.runtime === null) missing.push('runc');
	if (report.conmon === null) missing.push('conmon');
	return missing;
}

async function detectHostFacts(forced: string | undefined): Promise<HostReport> {
	const root = process.getuid?.() === 0;
	const conmonPath = findExecutable('conmon');
	const skopeoPath = findExecutable('skopeo');
	const [choice, conmonVersion, userNamespaces, init, skopeoVersion, stack] = await Promise.all([
		forced ? forcedRuntime(forced) : preferredRuntime(),
		conmonPath === null ? Promise.resolve(null) : versionOf(conmonPath),
		userNamespacesWork(root),
		detectInit(),
		skopeoPath === null ? Promise.resolve(null) : skopeoVersionOf(skopeoPath),
		detectNetworkStack((name) => findExecutable(name), installCommand),
	]);
	const conmon = conmonPath === null ? null : {path: conmonPath, version: conmonVersion!};
	const skopeo = skopeoPath === null ? null : {path: skopeoPath, version: skopeoVersion!};
	const layerTools = findExecutable('setfattr') !== null && findExecutable('getfattr') !== null;
	const cgroupVersion = detectCgroupHost().version;
	const overlayfs = overlayfsAvailable();
	const seccomp = seccompSupported(readOptional('/proc/self/status') ?? '', readOptional('/proc/sys/kernel/seccomp/actions_avail'));

	const problems = [...choice.problems];
	const packages = missingPackages({runtime: choice.runtime, conmon});
	if (choice.runtime === null && !forced) problems.push(`No OCI runtime (runc or crun) found: ${installCommand(packages)}`);
	if (conmon === null) problems.push(`conmon, the container monitor, is not installed: ${installCommand(packages)}`);
	if (init.problem !== null) problems.push(init.problem);
	if (skopeo === null)
		problems.push(`skopeo is not installed, so OCI images cannot be pulled, loaded or saved: ${installCommand(['skopeo'])}`);
	if (!layerTools) problems.push(`setfattr is not installed, so OCI image layers cannot be unpacked: ${installCommand(['attr'])}`);
	if (cgroupVersion === null)
		problems.push('No cgroup filesystem is mounted, so limits and metrics cannot work: mount -t cgroup2 none /sys/fs/cgroup');
	if (!root) problems.push('Not running as root: OCI containers and cgroup limits need root (run c32 with sudo)');
	if (!overlayfs) problems.push('overlayfs is not available: modprobe overlay');
	if (!seccomp)
		problems.push('The kernel has no seccomp filter support (CONFIG_SECCOMP_FILTER), which standard and strict containers need');
	if (!userNamespaces)
		problems.push('User namespaces are unavailable, so strict containers cannot run: sysctl -w user.max_user_namespaces=15000');
	problems.push(...stack.problems);

	return {
		runtime: choice.runtime,
		runtimesRejected: choice.runtimesRejected,
		conmon,
		init: init.init,
		skopeo,
		layerTools,
		cgroupVersion,
		root,
		userNamespaces,
		overlayfs,
		seccomp,
		network: stack.network,
		problems,
	};
}

const cache = new Map<string, Promise<HostReport>>();

/**
 * What this host supports. Detected once per process (per C32_RUNTIME value); concurrent
 * callers share the detection in flight.
 */
export async function detectHost(paths: {storageDir: string; runtimeDir: string}): Promise<DoctorReport> {
	const forced = process.env['C32_RUNTIME']?.trim() || undefined;
	const key = forced ?? '';
	let facts = cache.get(key);
	if (facts === undefined) {
		facts = detectHostFacts(forced);
		cache.set(key, facts);
		facts.catch(() => cache.delete(key));
	}
	return {...(await facts), storageDir: paths.storageDir, runtimeDir: paths.runtimeDir, debugLog: debugLogFile(paths.storageDir)};
}

/** Forgets the cached detection (after installing something, and in tests). */
export function clearHostCache(): void {
	cache.clear();
}

export interface OciTools {
	runtime: NonNullable<DoctorReport['runtime']>;
	conmon: NonNullable<DoctorReport['conmon']>;
}

/** The runtime and monitor to run OCI containers with, or a C32Error saying what to install. */
export function requireOciTools(report: Pick<DoctorReport, 'runtime' | 'conmon' | 'runtimesRejected'>): OciTools {
	const packages = missingPackages(report);
	if (report.runtime === null) {
		const rejected = report.runtimesRejected.map((r) => `${r.name} does not work here: ${r.reason}`).join('; ');
		throw new C32Error(
			'RUNTIME_MISSING',
			`No usable OCI runtime (runc or crun)${rejected ? ` (${rejected})` : ''}: install one with \`${installCommand(packages)}\``,
		);
	}
	if (report.conmon === null) {
		throw new C32Error(
			'MONITOR_MISSING',
			`conmon, the container monitor, is not installed: install it with \`${installCommand(packages)}\``,
		);
	}
	return {runtime: report.runtime, conmon: report.conmon};
}
