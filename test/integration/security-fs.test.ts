// The host filesystem seen as an attacker would: another host user, a container that plants
// symlinks or setuid files, an image that carries setuid bits, capabilities or secrets.
// Every check runs real containers and looks from inside and from the host (docs/security.md).
import assert from 'node:assert/strict';
import {execFileSync, spawnSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {test} from 'node:test';
import {getEngine} from '../../engine/index.js';
import {withoutLoopbackResolvers} from '../../engine/oci/etc-files.js';
import {USERNS_HOST_BASE} from '../../engine/oci/user-namespace.js';
import {containerPaths, MOUNTS_BASE, mountsDir, resolveStorage} from '../../engine/paths.js';
import {
	assertStorageEmpty,
	engineFor,
	expectCode,
	get,
	hostMountsWith,
	keyValues,
	listDir,
	makeTempDir,
	marker,
	needsRuntime,
	removeAll,
	runToExit,
	settledTracesOf,
	shell,
	stillRegistered,
	waitFor,
} from '../helpers/engine.js';

const NOBODY = 65_534;

function tempDir(t: {after(fn: () => void): void}, prefix: string): string {
	const dir = makeTempDir(prefix);
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	return dir;
}

/**
 * Runs argv as host user nobody with no groups: another local user. setpriv keeps root's
 * capabilities until its own execve (PR_SET_KEEPCAPS), so that lookup would still pass any
 * directory: it runs a shell, which then runs argv with none.
 */
function asNobody(...argv: string[]): {status: number | null; output: string} {
	const result = spawnSync(
		'setpriv',
		[`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', 'sh', '-c', '"$@"', 'sh', ...argv],
		{
			encoding: 'utf8',
		},
	);
	return {status: result.status, output: `${result.stdout}${result.stderr}`};
}

function assertUnreachable(file: string, what: string): void {
	assert.ok(fs.existsSync(file), `${what}: ${file} should exist for this check`);
	const read = asNobody('cat', file);
	assert.notEqual(read.status, 0, `${what}: another host user read ${file}: ${read.output}`);
	const run = asNobody(file);
	assert.notEqual(run.status, 0, `${what}: another host user ran ${file}: ${run.output}`);
}

const modeOf = (file: string) => fs.lstatSync(file).mode & 0o7777;
const imagesOf = (storage: string) => listDir(path.join(storage, 'images')).map((name) => path.join(storage, 'images', name));

test('item 1: a snapshot drops setuid/setgid bits and file capabilities; no other host user reaches it', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const image = tempDir(t, 'c32-suid-img-');
	fs.writeFileSync(path.join(image, 'mybot'), '#!/bin/sh\necho "euid=$(id -u)"\n');
	fs.copyFileSync('/bin/true', path.join(image, 'capbin'));
	fs.mkdirSync(path.join(image, 'shared'));
	fs.writeFileSync(path.join(image, 'shared', 'sgid-tool'), 'x');
	// The image belongs to an unprivileged user, as in the report (chown clears the special bits: set them after).
	execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, image]);
	fs.chmodSync(path.join(image, 'mybot'), 0o4755);
	fs.chmodSync(path.join(image, 'shared'), 0o2775);
	fs.chmodSync(path.join(image, 'shared', 'sgid-tool'), 0o2755);
	execFileSync('setcap', ['cap_net_raw,cap_sys_admin+ep', path.join(image, 'capbin')]);
	assert.match(execFileSync('getcap', [path.join(image, 'capbin')], {encoding: 'utf8'}), /cap_net_raw/, 'test setup: setcap did not stick');

	const run = await runToExit(engine, {image, entrypoint: './mybot'});
	assert.equal(run.exitCode, 0, run.stderr);
	const [snapshot] = imagesOf(storage);
	assert.ok(snapshot, 'no snapshot was made');
	assert.equal(modeOf(path.join(snapshot, 'mybot')), 0o755, 'setuid kept');
	assert.equal(modeOf(path.join(snapshot, 'shared')), 0o775, 'setgid kept on a directory');
	assert.equal(modeOf(path.join(snapshot, 'shared', 'sgid-tool')), 0o755, 'setgid kept on a file');
	assert.equal(execFileSync('getcap', [path.join(snapshot, 'capbin')], {encoding: 'utf8'}).trim(), '', 'file capabilities kept');
	assert.equal(modeOf(storage), 0o700, 'the storage root is open');
	assertUnreachable(path.join(snapshot, 'mybot'), 'the snapshot');
});

test('item 1: strict containers run without opening the storage root or anything above it', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const ancestors: [string, number][] = [];
	for (let dir = path.dirname(storage); ; dir = path.dirname(dir)) {
		ancestors.push([dir, modeOf(dir)]);
		if (dir === '/') break;
	}
	const image = tempDir(t, 'c32-strict-img-');
	fs.writeFileSync(path.join(image, 'main.sh'), 'echo "app=$(cat /app/data.txt)"\nsleep 30\n');
	fs.writeFileSync(path.join(image, 'data.txt'), 'payload\n');
	const token = marker('fsstrict');
	const c = await engine.createContainer({image, entrypoint: 'sh', args: ['main.sh', token], isolationLevel: 'strict'});
	await engine.startContainer(c.id);
	t.after(() => engine.removeContainer(c.id, {force: true}).catch(() => {}));
	const paths = containerPaths(resolveStorage({storageDir: storage}), c.id);
	await waitFor(
		async () => {
			for await (const entry of engine.getLogs(c.id)) if (entry.line === 'app=payload') return true;
			return false;
		},
		10_000,
		'the strict container to read /app',
	);

	assert.equal(modeOf(storage), 0o700, 'a strict start opened the storage root');
	for (const [dir, mode] of ancestors) assert.equal(modeOf(dir), mode, `${dir} changed mode`);
	// The root is mounted outside the storage root, in a directory only the mapped root may pass.
	assert.ok(hostMountsWith(paths.rootfs).length > 0, `${paths.rootfs} is not mounted`);
	assert.equal(modeOf(MOUNTS_BASE), 0o711);
	assert.equal(modeOf(paths.mountDir), 0o710);
	assert.equal(fs.statSync(paths.mountDir).gid, USERNS_HOST_BASE);
	const peek = asNobody('ls', paths.rootfs);
	assert.notEqual(peek.status, 0, `another host user listed the container's root: ${peek.output}`);
	const list = asNobody('ls', mountsDir(resolveStorage({storageDir: storage})));
	assert.notEqual(list.status, 0, 'another host user listed the mount directory');

	await engine.stopContainer(c.id, {timeout: 0});
	const traces = await settledTracesOf(storage, c.id, token, stillRegistered(c.id));
	assert.deepEqual(traces, [], 'the stopped container left traces');
	assert.ok(!fs.existsSync(paths.mountDir), `${paths.mountDir} was left behind`);
	await engine.removeContainer(c.id);
	assert.deepEqual(hostMountsWith(storage), []);
});

test('item 2: symlinks a container plants in its root never steer the next start on the host', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const victimRoot = tempDir(t, 'c32-victim-root-');
	const victimData = tempDir(t, 'c32-victim-data-');
	fs.chmodSync(victimRoot, 0o755);
	fs.chmodSync(victimData, 0o755);
	// The links also resolve inside the container (it makes the same paths in its own root),
	// so its second run works; on the host they name the test's directories.
	const script = `
if [ -L /root ]; then echo "second=$(pwd)"; exit 0; fi
cd / && mkdir -p ${victimRoot} ${victimData}
rm -rf /root /data && ln -s ${victimRoot} /root && ln -s ${victimData} /data && echo planted=1
`;
	const c = await engine.createContainer(shell(script, {workingDir: '/data/work'}));
	for (const round of [1, 2]) {
		await engine.startContainer(c.id);
		assert.equal(await engine.waitContainer(c.id), 0, `run ${round} failed: ${(await engine.getContainer(c.id)).errorMessage}`);
	}
	const lines: string[] = [];
	for await (const entry of engine.getLogs(c.id)) lines.push(entry.line);
	assert.deepEqual(lines, ['planted=1', `second=${victimData}/work`]);
	assert.equal(modeOf(victimRoot), 0o755, 'c32 chmodded a host directory through the planted /root');
	assert.deepEqual(fs.readdirSync(victimData), [], 'c32 created files in a host directory through the planted /data');
	assert.deepEqual(fs.readdirSync(victimRoot), []);
});

test('item 2: a volume source that a container turns into a symlink (through another volume) is refused at the next start', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const shared = tempDir(t, 'c32-shared-');
	const victim = tempDir(t, 'c32-victim-');
	fs.mkdirSync(path.join(shared, 'sub'));
	fs.writeFileSync(path.join(victim, 'secret'), 'host secret\n');
	// The container writes /data (= shared) and replaces shared/sub, its other volume's source, with a link.
	const script = `if [ -f /sub/secret ]; then cat /sub/secret; exit 3; fi; rm -rf /data/sub && ln -s ${victim} /data/sub && echo planted`;
	const c = await engine.createContainer(
		shell(script, {
			volumes: [
				{source: shared, destination: '/data'},
				{source: path.join(shared, 'sub'), destination: '/sub'},
			],
		}),
	);
	await engine.startContainer(c.id);
	assert.equal(await engine.waitContainer(c.id), 0);
	assert.ok(fs.lstatSync(path.join(shared, 'sub')).isSymbolicLink(), 'the container did not plant the link');
	const error = await expectCode(engine.startContainer(c.id), 'PERMISSION_DENIED');
	assert.match(error.message, new RegExp(`volume source ${path.join(shared, 'sub')} now leads to ${victim}`));
	const lines: string[] = [];
	for await (const entry of engine.getLogs(c.id)) lines.push(entry.line);
	assert.deepEqual(lines, ['planted'], 'the second run read the host directory the link points to');
	assert.deepEqual(hostMountsWith(victim), []);
});

test('item 3: what a container writes outside its volumes (setuid copies, its /var and /run) no other host user reaches', async (t) => {
	if (!needsRuntime(t)) return;
	// A storage root c32 creates itself, below a directory everyone may pass.
	const base = makeTempDir('c32-item3-');
	fs.chmodSync(base, 0o755);
	const storage = path.join(base, 'storage');
	const engine = getEngine({storageDir: storage});
	t.after(async () => {
		await removeAll(engine);
		fs.rmSync(base, {recursive: true, force: true});
	});
	const script = `
cp /usr/bin/id /var/suid-id && chmod 4755 /var/suid-id && echo suid=1
cp /usr/bin/id /run/suid-id && chmod 4755 /run/suid-id
mknod /var/null-dev c 1 3 2>/dev/null && echo mknod=1 || echo mknod=0
`;
	const run = await runToExit(engine, shell(script));
	assert.equal(get(keyValues(run.stdout), 'suid'), '1', run.stderr);
	const upper = containerPaths(resolveStorage({storageDir: storage}), run.meta.id).layers.upper;
	for (const file of ['var/suid-id', 'run/suid-id']) {
		const onHost = path.join(upper, file);
		assert.equal(modeOf(onHost) & 0o4000, 0o4000, 'test setup: the setuid copy is on the host disk');
		assertUnreachable(onHost, `the container's ${file}`);
	}
	if (get(keyValues(run.stdout), 'mknod') === '1') {
		const read = asNobody('head', '-c1', path.join(upper, 'var', 'null-dev'));
		assert.notEqual(read.status, 0, `another host user opened the container's device node: ${read.output}`);
	}
	assert.equal(modeOf(storage), 0o700, 'c32 created its storage root open to others');
	for (const dir of [storage, path.join(storage, 'containers'), upper]) {
		const list = asNobody('ls', dir);
		assert.notEqual(list.status, 0, `another host user listed ${dir}: ${list.output}`);
	}
});

test('item 4: a read-only volume is read-only all the way down (a tmpfs below its source too)', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const source = makeTempDir('c32-rro-');
	const sub = path.join(source, 'scratch');
	fs.mkdirSync(sub);
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=1777', 'tmpfs', sub]);
	t.after(() => {
		execFileSync('umount', ['--lazy', sub]);
		fs.rmSync(source, {recursive: true, force: true});
	});
	fs.writeFileSync(path.join(sub, 'kept'), 'tmpfs\n');
	const script = `
echo "read=$(cat /data/scratch/kept)"
touch /data/top 2>/dev/null && echo top=writable || echo top=readonly
touch /data/scratch/new 2>/dev/null && echo below=writable || echo below=readonly
echo "host_ro=$(awk '$5 ~ "^/host(/|$)" {split($6, o, ","); print o[1]}' /proc/self/mountinfo | sort -u | tr '\\n' ' ')"
`;
	const run = await runToExit(
		engine,
		shell(script, {
			volumes: [
				{source, destination: '/data', readOnly: true},
				{source: '/', destination: '/host', readOnly: true},
			],
		}),
	);
	assert.equal(run.exitCode, 0, run.stderr);
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'read'), 'tmpfs');
	assert.equal(get(kv, 'top'), 'readonly');
	assert.equal(get(kv, 'below'), 'readonly', 'the tmpfs under a :ro volume is writable');
	assert.equal(get(kv, 'host_ro'), 'ro', 'some mount under -v /:/host:ro is writable');
	assert.deepEqual(fs.readdirSync(sub), ['kept']);
});

test('item 6: a 0600 secret keeps its mode and is readable by the container user only', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const image = tempDir(t, 'c32-secret-img-');
	fs.writeFileSync(path.join(image, '.env'), 'TOKEN=s3cret\n', {mode: 0o600});
	fs.writeFileSync(path.join(image, 'main.sh'), 'echo "token=$(cut -d= -f2 .env)"\n', {mode: 0o644});
	execFileSync('chown', ['-R', '1234:1234', image]);
	const cases = [
		{config: {}, owner: [0, 0]},
		{config: {user: '1000:1000'}, owner: [1000, 1000]},
		{config: {isolationLevel: 'strict' as const}, owner: [USERNS_HOST_BASE, USERNS_HOST_BASE]},
	];
	for (const {config} of cases) {
		const run = await runToExit(engine, {image, entrypoint: 'sh', args: ['main.sh'], ...config});
		assert.equal(run.stdout, 'token=s3cret', `${JSON.stringify(config)}: ${run.stderr}`);
	}
	const snapshots = imagesOf(storage);
	assert.equal(snapshots.length, cases.length, 'one snapshot per owner');
	for (const {owner} of cases) {
		const snapshot = snapshots.find((s) => fs.statSync(path.join(s, '.env')).uid === owner[0]);
		assert.ok(snapshot, `no snapshot owned by ${owner.join(':')}`);
		const secret = fs.statSync(path.join(snapshot, '.env'));
		assert.equal(secret.mode & 0o7777, 0o600, `the secret became ${(secret.mode & 0o7777).toString(8)}`);
		assert.deepEqual([secret.uid, secret.gid], owner);
		assert.equal(modeOf(path.join(snapshot, 'main.sh')), 0o644);
	}
});

test('item 7: strict keeps its user namespace or refuses, naming the fix; inspect shows the mapping', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine, dir: storage} = engineFor(t);
	const volume = tempDir(t, 'c32-strict-vol-');
	fs.chmodSync(volume, 0o755);
	const error = await expectCode(
		engine.createContainer(shell('true', {isolationLevel: 'strict', volumes: [{source: volume, destination: '/out'}]})),
		'PERMISSION_DENIED',
	);
	assert.ok(error.message.includes(`chown ${USERNS_HOST_BASE}:${USERNS_HOST_BASE} ${volume}`), error.message);
	assert.ok(error.message.includes('--isolation standard'), error.message);
	assertStorageEmpty(storage, 'a refused strict create');

	// Writable at create, taken back before the start: the start refuses too, and leaves no mount.
	fs.chownSync(volume, USERNS_HOST_BASE, USERNS_HOST_BASE);
	const script = 'echo "uid_map=$(head -n1 /proc/self/uid_map | tr -s " " | sed "s/^ //")"; echo x > /out/f && echo write=ok';
	const c = await engine.createContainer(shell(script, {isolationLevel: 'strict', volumes: [{source: volume, destination: '/out'}]}));
	const info = await engine.inspectContainer(c.id);
	assert.deepEqual(info.userNamespace, {
		uidMappings: [{containerID: 0, hostID: USERNS_HOST_BASE, size: 65_536}],
		gidMappings: [{containerID: 0, hostID: USERNS_HOST_BASE, size: 65_536}],
	});
	fs.chownSync(volume, 0, 0);
	await expectCode(engine.startContainer(c.id), 'PERMISSION_DENIED');
	assert.deepEqual(hostMountsWith(c.id), [], 'a refused start left a mount');
	assert.equal((await engine.getContainer(c.id)).state, 'failed');

	fs.chownSync(volume, USERNS_HOST_BASE, USERNS_HOST_BASE);
	await engine.startContainer(c.id);
	assert.equal(await engine.waitContainer(c.id), 0);
	const out: string[] = [];
	for await (const entry of engine.getLogs(c.id)) out.push(entry.line);
	const kv = keyValues(out.join('\n'));
	assert.equal(get(kv, 'uid_map'), `0 ${USERNS_HOST_BASE} 65536`, 'the container does not run with the mapping inspect shows');
	assert.equal(get(kv, 'write'), 'ok');
	assert.equal(fs.statSync(path.join(volume, 'f')).uid, USERNS_HOST_BASE);

	const standard = await engine.createContainer(shell('true'));
	assert.equal((await engine.inspectContainer(standard.id)).userNamespace, null);
});

test('item 21: each container has its own /etc/hostname, /etc/hosts and /etc/resolv.conf, and its name resolves', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	// In a network namespace of its own the host's loopback resolvers are not its: they are left out.
	const hostResolv = withoutLoopbackResolvers(fs.readFileSync('/etc/resolv.conf', 'utf8'));
	const script = `
echo "hostname=$(hostname)"
echo "file=$(cat /etc/hostname)"
echo "resolved=$(getent hosts "$(hostname)" | awk '{print $1}')"
echo "localhost=$(getent hosts localhost | awk '{print $1}' | head -n1)"
echo "resolv=$(md5sum < /etc/resolv.conf | cut -d' ' -f1)"
echo "eth0=$(ip -4 -o addr show eth0 2>/dev/null | awk '{print $4}' | cut -d/ -f1)"
`;
	const expectedResolv = execFileSync('md5sum', {input: hostResolv, encoding: 'utf8'}).split(' ')[0];
	for (const isolationLevel of ['standard', 'strict'] as const) {
		const hostname = `box-${isolationLevel}`;
		const run = await runToExit(engine, shell(script, {isolationLevel, hostname}));
		assert.equal(run.exitCode, 0, run.stderr);
		const kv = keyValues(run.stdout);
		assert.equal(get(kv, 'hostname'), hostname);
		assert.equal(get(kv, 'file'), hostname);
		// On the c32 network (standard) its name is its address there; with loopback only (strict), Debian's 127.0.1.1.
		const own = isolationLevel === 'standard' ? get(kv, 'eth0') : '127.0.1.1';
		assert.match(own, /^\d+\.\d+\.\d+\.\d+$/, `${isolationLevel}: an IPv4 address of its own`);
		assert.equal(get(kv, 'resolved'), own, `${isolationLevel}: its hostname does not resolve`);
		assert.match(get(kv, 'localhost'), /^(127\.0\.0\.1|::1)$/);
		assert.equal(get(kv, 'resolv'), expectedResolv, `${isolationLevel}: /etc/resolv.conf is not the host's`);
	}
	assert.notEqual(fs.readFileSync('/etc/hostname', 'utf8').trim(), 'box-standard', "the host's /etc/hostname changed");
});

test('item 25: a failed snapshot (disk full) is NO_SPACE and leaves nothing behind', async (t) => {
	if (!needsRuntime(t)) return;
	const disk = makeTempDir('c32-full-');
	execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk]);
	t.after(() => {
		execFileSync('umount', ['--lazy', disk]);
		fs.rmSync(disk, {recursive: true, force: true});
	});
	const storage = path.join(disk, 'storage');
	const engine = getEngine({storageDir: storage});
	const image = tempDir(t, 'c32-big-img-');
	for (let i = 0; i < 4; i++) fs.writeFileSync(path.join(image, `part${i}`), Buffer.alloc(1 << 20, i + 1));
	await expectCode(engine.createContainer({image, entrypoint: 'true'}), 'NO_SPACE');
	assertStorageEmpty(storage, 'a snapshot that ran out of space');
	assert.deepEqual(fs.readdirSync(path.join(storage, 'images')), [], 'the staging directory was left behind');
});
