// Standard isolation, checked from inside a real container: one probe container prints what
// it sees and tries (key=value lines); each test asserts one promise of the isolation level.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {after, describe, test} from 'node:test';
import {
	engineFor,
	get,
	hostNamespace,
	keyValues,
	marker,
	needsRuntime,
	type RunResult,
	runToExit,
	shell,
	type TempEngine,
	tempEngine,
} from '../helpers/engine.js';

const M = marker('probe');
const LEAK_KEY = `C32_TEST_LEAK_${process.pid}`;
const ROOT_MARKER = `/root/.${M}`;
const storageDev = fs.statSync(process.env['C32_TEST_DIR'] ?? '/var/tmp').dev;
const devMajor = Math.floor(storageDev / 256) & 0xfff;
const devMinor = (storageDev & 0xff) | ((Math.floor(storageDev / 4096) & 0xfff00) >>> 0);

/** What the probe does; every line is key=value. */
const PROBE = `
echo "self=$$"
echo "pid1=$(tr '\\0' ' ' < /proc/1/cmdline)"
for d in /proc/[0-9]*; do
	p=\${d#/proc/}
	[ -r "$d/stat" ] || continue
	read -r _ comm _ ppid _ < "$d/stat" 2>/dev/null && echo "proc_$p=$ppid $comm"
done
echo "hostname=$(cat /proc/sys/kernel/hostname)"
touch /usr/${M} 2>/dev/null && echo usr_write=ok || echo usr_write=denied
touch /etc/${M} 2>/dev/null && echo etc_write=ok || echo etc_write=denied
echo "shadow_bytes=$(cat /etc/shadow 2>/dev/null | wc -c)"
echo "root_list=$(ls -A /root 2>&1 | tr '\\n' ' ')"
cat ${ROOT_MARKER} >/dev/null 2>&1 && echo root_marker=read || echo root_marker=unreadable
grep -E '^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/:[[:space:]]*/=/'
mkdir -p /tmp/mnt-probe
mount -t tmpfs none /tmp/mnt-probe 2>/dev/null && echo mount=ok || echo mount=denied
unshare --user --map-root-user true 2>/dev/null && echo unshare=ok || echo unshare=denied
echo "envkeys=$(env | cut -d= -f1 | sort | tr '\\n' ' ')"
echo "greeting=$GREETING"
echo "cwd=$(pwd)"
for ns in pid mnt ipc uts cgroup net; do echo "ns_$ns=$(readlink /proc/self/ns/$ns)"; done
echo private > /tmp/${M} && echo tmp_write=ok || echo tmp_write=denied
awk '$2=="/tmp"{print "tmp_fs="$3}' /proc/self/mounts
echo probe > /proc/sys/kernel/hostname 2>/dev/null && echo proc_sys_write=ok || echo proc_sys_write=denied
echo "kcore_bytes=$(head -c 16 /proc/kcore 2>/dev/null | wc -c)"
mknod /dev/c32disk b ${devMajor} ${devMinor} 2>/dev/null
head -c 512 /dev/c32disk >/dev/null 2>&1 && echo raw_disk_read=ok || echo raw_disk_read=denied
echo done=1
`;

describe('standard isolation (seen from inside the container)', () => {
	let te: TempEngine | undefined;
	let result: Promise<RunResult> | undefined;
	const hostFiles = [`/usr/${M}`, `/etc/${M}`, ROOT_MARKER, `/tmp/${M}`];

	/** Runs the probe once, on first use. */
	function probe(): Promise<RunResult> {
		result ??= (async () => {
			te = tempEngine();
			fs.writeFileSync(ROOT_MARKER, 'host secret\n', {mode: 0o600});
			process.env[LEAK_KEY] = 'leaked-value';
			try {
				return await runToExit(te.engine, shell(PROBE, {name: 'probe-std', environment: {GREETING: 'hi there'}}));
			} finally {
				delete process.env[LEAK_KEY];
			}
		})();
		return result;
	}
	const values = async () => keyValues((await probe()).stdout);

	after(async () => {
		for (const file of hostFiles) fs.rmSync(file, {force: true});
		await te?.dispose();
	});

	test('the probe runs to completion with exit code 0', async (t) => {
		if (!needsRuntime(t)) return;
		const run = await probe();
		assert.equal(run.exitCode, 0, run.stderr);
		assert.equal(get(keyValues(run.stdout), 'done'), '1');
	});

	test('the command is pid 1 and the container sees only its own process tree', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'self'), '1');
		assert.match(get(kv, 'pid1'), /^sh -c\b/);
		const procs = [...kv]
			.filter(([k]) => k.startsWith('proc_'))
			.map(([k, v]) => ({pid: Number(k.slice(5)), ppid: Number(v.split(' ')[0]), comm: v.split(' ')[1]}));
		assert.ok(procs.length >= 1 && procs.length < 10, `saw ${procs.length} processes: ${JSON.stringify(procs)}`);
		const pids = new Set(procs.map((p) => p.pid));
		for (const p of procs) {
			assert.ok(
				p.pid === 1 ? p.ppid === 0 : pids.has(p.ppid) || p.ppid === 1,
				`process ${p.pid} (${p.comm}) has a parent ${p.ppid} outside the container`,
			);
			assert.ok(!/node|conmon|runc|systemd|init/.test(p.comm ?? ''), `a host process is visible: ${JSON.stringify(p)}`);
		}
	});

	test('the hostname is the container name', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal(get(await values(), 'hostname'), 'probe-std');
	});

	test("the host's /usr and /etc cannot be written", async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'usr_write'), 'denied');
		assert.equal(get(kv, 'etc_write'), 'denied');
		assert.ok(!fs.existsSync(`/usr/${M}`) && !fs.existsSync(`/etc/${M}`), 'a file appeared on the host');
	});

	test('/etc/shadow and /root are unreadable', async (t) => {
		if (!needsRuntime(t)) return;
		assert.ok(fs.statSync('/etc/shadow').size > 0, 'the host has a non-empty /etc/shadow to hide');
		const kv = await values();
		assert.equal(get(kv, 'shadow_bytes'), '0');
		assert.equal(get(kv, 'root_marker'), 'unreadable');
		assert.ok(!get(kv, 'root_list').includes(path.basename(ROOT_MARKER)), `host /root is listed: ${get(kv, 'root_list')}`);
	});

	test('no CAP_SYS_ADMIN (effective or bounding) and mount is refused', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		const SYS_ADMIN = 1n << 21n;
		for (const key of ['CapEff', 'CapBnd', 'CapPrm']) {
			assert.equal(BigInt(`0x${get(kv, key)}`) & SYS_ADMIN, 0n, `${key} has CAP_SYS_ADMIN`);
		}
		// and not NET_ADMIN (12) or SYS_MODULE (16) either
		assert.equal(BigInt(`0x${get(kv, 'CapEff')}`) & ((1n << 12n) | (1n << 16n)), 0n);
		assert.equal(get(kv, 'mount'), 'denied');
	});

	test('no_new_privileges is set and seccomp is in filter mode', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'NoNewPrivs'), '1');
		assert.equal(get(kv, 'Seccomp'), '2');
		assert.equal(get(kv, 'unshare'), 'denied', 'creating a user namespace should be refused');
	});

	test("the host's environment does not leak in; the configured one does", async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		const keys = get(kv, 'envkeys').split(' ');
		assert.ok(!keys.includes(LEAK_KEY), `host variable ${LEAK_KEY} leaked`);
		for (const hostOnly of ['NODE_TEST_CONTEXT', 'SSH_AUTH_SOCK', 'npm_lifecycle_event'])
			assert.ok(!keys.includes(hostOnly), `${hostOnly} leaked`);
		assert.equal(get(kv, 'greeting'), 'hi there');
		assert.ok(keys.includes('PATH') && keys.includes('HOME'), `PATH and HOME are set: ${keys.join(' ')}`);
	});

	test('the working directory is /app', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal(get(await values(), 'cwd'), '/app');
	});

	test('pid, mount, ipc, uts, cgroup and network namespaces are new (the c32 network)', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		for (const ns of ['pid', 'mnt', 'ipc', 'uts', 'cgroup', 'net']) {
			assert.notEqual(get(kv, `ns_${ns}`), hostNamespace(ns), `${ns} namespace is the host's`);
		}
	});

	test('/tmp is private and in memory', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'tmp_write'), 'ok');
		assert.equal(get(kv, 'tmp_fs'), 'tmpfs');
		assert.ok(!fs.existsSync(`/tmp/${M}`), 'the container wrote into the host /tmp');
	});

	test('/proc/sys is read-only and /proc/kcore masked', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'proc_sys_write'), 'denied');
		assert.equal(get(kv, 'kcore_bytes'), '0');
	});

	test("the host's disk cannot be read through a device node", async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal(get(await values(), 'raw_disk_read'), 'denied');
	});
});

test('standard options: user, hostname, working dir and network "none" take effect inside', async (t) => {
	if (!needsRuntime(t)) return;
	const {engine} = engineFor(t);
	const script = `
echo "ids=$(id -u):$(id -g)"
echo "home=$HOME"
echo "hostname=$(cat /proc/sys/kernel/hostname)"
echo "cwd=$(pwd)"
echo "netdevs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' ')"
echo "ns_net=$(readlink /proc/self/ns/net)"
cat /etc/hostname > /dev/null && echo etc_read=ok || echo etc_read=denied
`;
	const run = await runToExit(engine, shell(script, {user: '1000:1000', hostname: 'custom-host', workingDir: '/work', network: 'none'}));
	assert.equal(run.exitCode, 0, run.stderr);
	const kv = keyValues(run.stdout);
	assert.equal(get(kv, 'ids'), '1000:1000');
	assert.equal(get(kv, 'home'), '/tmp');
	assert.equal(get(kv, 'hostname'), 'custom-host');
	assert.equal(get(kv, 'cwd'), '/work');
	assert.equal(get(kv, 'netdevs'), 'lo');
	assert.notEqual(get(kv, 'ns_net'), hostNamespace('net'));
	assert.equal(get(kv, 'etc_read'), 'ok');
});
