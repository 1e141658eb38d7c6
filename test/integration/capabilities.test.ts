// Capabilities seen from inside real containers: standard has podman's eleven and no NET_RAW
// (an AF_PACKET socket is refused), --cap-add / --cap-drop change exactly that, strict has
// none unless added, minimal refuses the options. The raw socket is only opened, never used.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {KERNEL_CAPABILITIES, STANDARD_CAPABILITIES} from '../../engine/capabilities.js';
import type {ContainerConfig} from '../../engine/index.js';
import {
	assertStorageEmpty,
	engineFor,
	expectCode,
	get,
	keyValues,
	needsRuntime,
	runToExit,
	shell,
	visibleInContainer,
} from '../helpers/engine.js';

const PROBE = `
grep -E '^(CapEff|CapPrm|CapBnd):' /proc/self/status | sed 's/:[[:space:]]*/=/'
python3 -c 'import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW).close()' 2>/dev/null && echo packet_socket=ok || echo packet_socket=denied
`;

const mask = (caps: readonly string[]) => caps.reduce((m, c) => m | (1n << BigInt(KERNEL_CAPABILITIES.indexOf(c as never))), 0n);

async function probe(t: Parameters<typeof engineFor>[0], extra: ContainerConfig): Promise<Map<string, string>> {
	const {engine} = engineFor(t);
	const result = await runToExit(engine, shell(PROBE, extra));
	assert.equal(result.exitCode, 0, result.stderr);
	return keyValues(result.stdout);
}

const capsOf = (kv: Map<string, string>, key = 'CapEff') => BigInt(`0x${get(kv, key)}`);

describe('capabilities inside real containers', () => {
	test("standard: exactly podman's eleven in every set, and no AF_PACKET socket (no NET_RAW)", async (t) => {
		if (!needsRuntime(t)) return;
		assert.ok(visibleInContainer('python3'), 'the probe needs python3 on the host');
		const kv = await probe(t, {});
		for (const key of ['CapEff', 'CapPrm', 'CapBnd'])
			assert.equal(capsOf(kv, key), mask(STANDARD_CAPABILITIES), `${key} = ${get(kv, key)}`);
		for (const absent of ['CAP_NET_RAW', 'CAP_MKNOD', 'CAP_AUDIT_WRITE']) assert.equal(capsOf(kv) & mask([absent]), 0n, absent);
		assert.equal(get(kv, 'packet_socket'), 'denied');
	});

	test('--cap-add NET_RAW gives it (and only it) back: the AF_PACKET socket opens', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await probe(t, {capAdd: ['NET_RAW']});
		assert.equal(capsOf(kv), mask([...STANDARD_CAPABILITIES, 'CAP_NET_RAW']));
		assert.equal(get(kv, 'packet_socket'), 'ok');
	});

	test('--cap-drop ALL --cap-add NET_BIND_SERVICE leaves one; lower-case and CAP_ spellings work', async (t) => {
		if (!needsRuntime(t)) return;
		const kv = await probe(t, {capDrop: ['ALL'], capAdd: ['net_bind_service' as never]});
		for (const key of ['CapEff', 'CapPrm', 'CapBnd']) assert.equal(capsOf(kv, key), mask(['CAP_NET_BIND_SERVICE']), key);
		const dropped = await probe(t, {capDrop: ['CAP_CHOWN', 'KILL']});
		assert.equal(capsOf(dropped), mask(STANDARD_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL')));
	});

	test('strict: none by default, only what is added explicitly', async (t) => {
		if (!needsRuntime(t)) return;
		assert.equal(capsOf(await probe(t, {isolationLevel: 'strict'}), 'CapBnd'), 0n);
		const added = await probe(t, {isolationLevel: 'strict', capAdd: ['NET_BIND_SERVICE']});
		assert.equal(capsOf(added), mask(['CAP_NET_BIND_SERVICE']));
	});

	test('the resolved set is stored and shown by inspect', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine} = engineFor(t);
		const created = await engine.createContainer(shell('true', {capAdd: ['SYS_PTRACE'], capDrop: ['setuid' as never]}));
		const {config} = await engine.inspectContainer(created.id);
		assert.ok(config.capabilities?.includes('CAP_SYS_PTRACE'));
		assert.ok(!config.capabilities?.includes('CAP_SETUID'));
		assert.equal(config.capabilities?.length, 11);
		const minimal = await engine.createContainer(shell('true', {isolationLevel: 'minimal'}));
		assert.equal((await engine.inspectContainer(minimal.id)).config.capabilities, null);
	});

	test('an unknown capability, or any capability option for minimal, is refused and leaves nothing', async (t) => {
		if (!needsRuntime(t)) return;
		const {engine, dir} = engineFor(t);
		const unknown = await expectCode(engine.createContainer(shell('true', {capAdd: ['NET_RAWR' as never]})), 'INVALID_CONFIG');
		assert.match(unknown.message, /unknown capability "NET_RAWR"/);
		const minimal = await expectCode(
			engine.createContainer(shell('true', {isolationLevel: 'minimal', capDrop: ['ALL']})),
			'INVALID_CONFIG',
		);
		assert.match(minimal.message, /minimal isolation has no capabilities/);
		assertStorageEmpty(dir, 'refused capability options');
	});
});
