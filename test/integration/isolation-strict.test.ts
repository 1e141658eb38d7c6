// Strict isolation, checked from inside: read-only root except volumes and /tmp, no route to
// the host's loopback, no capabilities, a user namespace where the kernel allows one.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';
import {USERNS_HOST_BASE} from '../../engine/oci/user-namespace.js';
import {
	engineFor,
	expectCode,
	get,
	hostNamespace,
	kernelAllowsUserNamespaces,
	keyValues,
	makeTempDir,
	marker,
	needsRuntime,
	type RunResult,
	runToExit,
	shell,
	type TempEngine,
	tempEngine,
} from '../helpers/engine.js';

const M = marker('strict');

/** A TCP server on the host's loopback that counts the connections it accepts. */
class LoopbackServer {
	readonly server = net.createServer((socket) => {
		socket.on('error', () => {});
		this.accepted += 1;
		socket.end('hello from the host\n');
	});
	accepted = 0;
	port = 0;
	async listen(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.port = (this.server.address() as net.AddressInfo).port;
	}
	close(): Promise<void> {
		return new Promise((resolve) => this.server.close(() => resolve()));
	}
}

/** A non-loopback IPv4 address of the host, if it has one. */
function hostAddress(): string | null {
	for (const list of Object.values(os.networkInterfaces())) {
		for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
	}
	return null;
}

function connectScript(host: string, port: number, key: string): string {
	return `timeout 5 bash -c 'exec 3<>/dev/tcp/${host}/${port} && head -c 5 <&3' >/dev/null 2>&1 && echo ${key}=connected || echo ${key}=unreachable`;
}

describe('strict isolation (seen from inside the container)', () => {
	let te: TempEngine | undefined;
	const server = new LoopbackServer();
	let hostListener: net.Server | undefined;
	let hostPort = 0;
	let volume = '';
	let roVolume = '';
	let result: Promise<RunResult> | undefined;

	before(async () => {
		await server.listen();
		const address = hostAddress();
		if (address) {
			hostListener = net.createServer((s) => {
				s.on('error', () => {});
				s.end('x');
			});
			await new Promise<void>((resolve) => hostListener!.listen(0, address, resolve));
			hostPort = (hostListener.address() as net.AddressInfo).port;
		}
	});
	after(async () => {
		await server.close();
		if (hostListener) await new Promise<void>((resolve) => hostListener!.close(() => resolve()));
		await te?.dispose();
		for (const file of [`/usr/${M}`, `/etc/${M}`]) fs.rmSync(file, {force: true});
		for (const dir of [volume, roVolume]) if (dir) fs.rmSync(dir, {recursive: true, force: true});
	});

	function probe(): Promise<RunResult> {
		result ??= (async () => {
			te = tempEngine();
			// Strict runs as host uid 100000 (its user namespace is never dropped): it writes
			// a volume that uid owns and reads one others may read.
			volume = makeTempDir('c32-vol-');
			fs.chownSync(volume, USERNS_HOST_BASE, USERNS_HOST_BASE);
			roVolume = makeTempDir('c32-rovol-');
			fs.chmodSync(roVolume, 0o755);
			fs.writeFileSync(path.join(roVolume, 'readme'), 'read-only data\n', {mode: 0o644});
			const address = hostAddress();
			const script = `
for pair in root:/${M} app:/app/${M} var:/var/tmp/${M} home:/root/${M} etc:/etc/${M} usr:/usr/${M} run:/run/${M} ro:/ro/${M}; do
	key=\${pair%%:*}
	touch "\${pair#*:}" 2>/dev/null && echo "write_$key=ok" || echo "write_$key=denied"
done
echo vol > /data/${M} && echo write_volume=ok || echo write_volume=denied
echo t > /tmp/${M} && echo write_tmp=ok || echo write_tmp=denied
echo "ro_read=$(cat /ro/readme)"
${connectScript('127.0.0.1', server.port, 'loopback')}
${address ? connectScript(address, hostPort, 'hostip') : 'echo hostip=none'}
grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status | sed 's/:[[:space:]]*/=/'
echo "netdevs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\\n' ' ')"
echo "ns_net=$(readlink /proc/self/ns/net)"
echo done=1
`;
			return runToExit(
				te.engine,
				shell(script, {
					name: 'probe-strict',
					isolationLevel: 'strict',
					volumes: [
						{source: volume, destination: '/data'},
						{source: roVolume, destination: '/ro', readOnly: true},
					],
				}),
			);
		})();
		return result;
	}
	const values = async () => keyValues((await probe()).stdout);

	test('the probe runs to completion', async (t) => {
		if (!needsRuntime(t)) return;
		const run = await probe();
		assert.equal(run.exitCode, 0, run.stderr);
		assert.equal(get(keyValues(run.stdout), 'done'), '1', run.stderr);
	});

	test('the root filesystem is read-only; only volumes and /tmp are writable', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		for (const key of ['root', 'app', 'var', 'home', 'etc', 'usr', 'run', 'ro']) {
			assert.equal(get(kv, `write_${key}`), 'denied', `writing (${key}) succeeded`);
		}
		assert.equal(get(kv, 'write_volume'), 'ok');
		assert.equal(get(kv, 'write_tmp'), 'ok');
		assert.equal(fs.readFileSync(path.join(volume, M), 'utf8'), 'vol\n', 'the volume write reached the host directory');
		assert.equal(get(kv, 'ro_read'), 'read-only data');
	});

	test("nothing on the host's loopback is reachable", async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		assert.equal(get(kv, 'loopback'), 'unreachable');
		assert.equal(server.accepted, 0, 'the host server accepted a connection from the container');
	});

	test("the host's other addresses are unreachable too; only lo exists", async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		if (hostAddress()) assert.equal(get(kv, 'hostip'), 'unreachable');
		assert.equal(get(kv, 'netdevs'), 'lo');
		assert.notEqual(get(kv, 'ns_net'), hostNamespace('net'));
	});

	test('the container has no capabilities at all', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await values();
		for (const key of ['CapEff', 'CapPrm', 'CapBnd']) assert.equal(BigInt(`0x${get(kv, key)}`), 0n, `${key} = ${get(kv, key)}`);
		assert.equal(get(kv, 'NoNewPrivs'), '1');
		assert.equal(get(kv, 'Seccomp'), '2');
	});

	test('root in the container is not root on the host (user namespace) where the kernel allows', async (t) => {
		if (!needsRuntime(t)) return;
		if (!kernelAllowsUserNamespaces()) return t.skip('this kernel does not allow user namespaces');
		const {engine} = engineFor(t);
		// A volume the mapped root owns keeps the user namespace (docs/security.md).
		const owned = makeTempDir('c32-owned-');
		t.after(() => fs.rmSync(owned, {recursive: true, force: true}));
		fs.chownSync(owned, USERNS_HOST_BASE, USERNS_HOST_BASE);
		const script = `
echo "uid_map=$(head -n1 /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
echo "ns_user=$(readlink /proc/self/ns/user)"
echo mine > /data/${M} && echo write_volume=ok || echo write_volume=denied
`;
		const [bare, withVolume] = await Promise.all([
			runToExit(engine, shell(script.replace(/^echo mine.*$/m, ''), {isolationLevel: 'strict'})),
			runToExit(engine, shell(script, {isolationLevel: 'strict', volumes: [{source: owned, destination: '/data'}]})),
		]);
		for (const run of [bare, withVolume]) {
			const kv = keyValues(run.stdout);
			assert.notEqual(get(kv, 'ns_user'), hostNamespace('user'), `strict runs in the host user namespace: ${run.stderr}`);
			const [inside, outside] = get(kv, 'uid_map').split(' ').map(Number);
			assert.equal(inside, 0);
			assert.notEqual(outside, 0, `container root maps to host uid 0: ${get(kv, 'uid_map')}`);
		}
		assert.equal(get(keyValues(withVolume.stdout), 'write_volume'), 'ok');
		const written = fs.statSync(path.join(owned, M));
		assert.equal(written.uid, USERNS_HOST_BASE, 'the file written by container root belongs to the mapped host uid');
	});

	test('control: a standard container on the host network does reach the same loopback server', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const before = server.accepted;
		const run = await runToExit(engine, shell(connectScript('127.0.0.1', server.port, 'loopback'), {network: 'host'}));
		assert.equal(get(keyValues(run.stdout), 'loopback'), 'connected', run.stderr);
		assert.equal(server.accepted, before + 1);
	});

	test('a strict container runs an image file from its read-only /app', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const work = makeTempDir('c32-strict-img-');
		t.after(() => fs.rmSync(work, {recursive: true, force: true}));
		const file = path.join(work, 'task.sh');
		fs.writeFileSync(file, 'echo "ran=$0"\ntouch /app/new 2>/dev/null && echo app=writable || echo app=readonly\n', {mode: 0o600});
		const run = await runToExit(engine, {image: file, isolationLevel: 'strict'});
		assert.equal(run.exitCode, 0, run.stderr);
		const kv = keyValues(run.stdout);
		assert.equal(get(kv, 'ran'), './task.sh');
		assert.equal(get(kv, 'app'), 'readonly');
	});

	test('strict refuses the host network', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		await expectCode(engine.createContainer(shell('true', {isolationLevel: 'strict', network: 'host'})), 'INVALID_CONFIG');
	});
});
