// Capabilities: podman's default set for standard, none for strict, docker's --cap-add /
// --cap-drop arithmetic, names checked against the kernel's list, and the OCI spec's sets.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {
	canonicalCapability,
	defaultCapabilities,
	KERNEL_CAPABILITIES,
	parseCapLastCap,
	resolveCapabilities,
	STANDARD_CAPABILITIES,
} from '../../engine/capabilities.js';
import {isC32Error} from '../../engine/errors.js';

const LAST = KERNEL_CAPABILITIES.length - 1;
const short = (caps: readonly string[] | null) => caps?.map((c) => c.replace(/^CAP_/, ''));

describe('capability sets', () => {
	test("standard gets podman's eleven: no NET_RAW, MKNOD, AUDIT_WRITE or SYS_ADMIN", () => {
		assert.deepEqual(short(defaultCapabilities('standard'))?.sort(), [
			'CHOWN',
			'DAC_OVERRIDE',
			'FOWNER',
			'FSETID',
			'KILL',
			'NET_BIND_SERVICE',
			'SETFCAP',
			'SETGID',
			'SETPCAP',
			'SETUID',
			'SYS_CHROOT',
		]);
		for (const absent of ['CAP_NET_RAW', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SYS_ADMIN', 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE']) {
			assert.ok(!STANDARD_CAPABILITIES.includes(absent as never), absent);
		}
	});

	test('strict gets none; minimal has no capability set', () => {
		assert.deepEqual(defaultCapabilities('strict'), []);
		assert.equal(defaultCapabilities('minimal'), null);
		assert.equal(resolveCapabilities('minimal', [], [], LAST), null);
	});

	test('the kernel list is in kernel order: CAP_CHOWN is 0, CAP_NET_RAW 13, CAP_SYS_ADMIN 21, CAP_CHECKPOINT_RESTORE 40', () => {
		assert.equal(KERNEL_CAPABILITIES.indexOf('CAP_CHOWN'), 0);
		assert.equal(KERNEL_CAPABILITIES.indexOf('CAP_NET_RAW'), 13);
		assert.equal(KERNEL_CAPABILITIES.indexOf('CAP_SYS_ADMIN'), 21);
		assert.equal(KERNEL_CAPABILITIES.indexOf('CAP_CHECKPOINT_RESTORE'), 40);
	});
});

describe('--cap-add and --cap-drop', () => {
	test('names with or without CAP_, in any case', () => {
		assert.equal(canonicalCapability('net_raw', 'capAdd', LAST), 'CAP_NET_RAW');
		assert.equal(canonicalCapability('CAP_NET_RAW', 'capAdd', LAST), 'CAP_NET_RAW');
		assert.equal(canonicalCapability('Cap_Sys_Ptrace', 'capAdd', LAST), 'CAP_SYS_PTRACE');
		assert.equal(canonicalCapability('all', 'capAdd', LAST), 'ALL');
	});

	test('an unknown name is one INVALID_CONFIG line naming it and the field', () => {
		for (const bad of ['NET_RAWR', 'CAP_', '', 'SYS ADMIN', 'CAP_ALL', '13']) {
			assert.throws(
				() => resolveCapabilities('standard', [bad], [], LAST),
				(e: unknown) =>
					isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message.startsWith('capAdd: unknown capability') && !e.message.includes('\n'),
				bad,
			);
		}
		assert.throws(() => resolveCapabilities('standard', [], ['NOPE'], LAST), /capDrop: unknown capability "NOPE"/);
	});

	test('a capability newer than the running kernel is refused', () => {
		assert.throws(() => canonicalCapability('CHECKPOINT_RESTORE', 'capAdd', 37), /does not know CAP_CHECKPOINT_RESTORE/);
		assert.equal(parseCapLastCap('40\n'.trim()), 40);
		assert.equal(parseCapLastCap('37'), 37);
		assert.equal(parseCapLastCap(null), LAST);
		assert.equal(parseCapLastCap('63'), LAST);
	});

	test('add to and drop from the default set, in kernel order, without duplicates', () => {
		const caps = resolveCapabilities('standard', ['net_raw', 'NET_RAW', 'CAP_CHOWN'], ['KILL', 'setuid'], LAST)!;
		assert.ok(caps.includes('CAP_NET_RAW'));
		assert.ok(!caps.includes('CAP_KILL') && !caps.includes('CAP_SETUID'));
		assert.equal(caps.length, 11 - 2 + 1);
		assert.deepEqual(
			caps,
			[...caps].sort((a, b) => KERNEL_CAPABILITIES.indexOf(a) - KERNEL_CAPABILITIES.indexOf(b)),
		);
	});

	test('ALL as docker does: add ALL is every capability but the dropped; drop ALL keeps only the added', () => {
		const all = resolveCapabilities('standard', ['ALL'], ['SYS_ADMIN'], LAST)!;
		assert.equal(all.length, KERNEL_CAPABILITIES.length - 1);
		assert.ok(!all.includes('CAP_SYS_ADMIN'));
		assert.deepEqual(resolveCapabilities('standard', ['NET_BIND_SERVICE'], ['ALL'], LAST), ['CAP_NET_BIND_SERVICE']);
		assert.deepEqual(resolveCapabilities('standard', [], ['ALL'], LAST), []);
		assert.equal(resolveCapabilities('standard', ['ALL'], [], 37)!.length, 38, 'ALL is what this kernel knows');
	});

	test('strict gets only what is added explicitly', () => {
		assert.deepEqual(resolveCapabilities('strict', [], [], LAST), []);
		assert.deepEqual(resolveCapabilities('strict', ['NET_BIND_SERVICE'], [], LAST), ['CAP_NET_BIND_SERVICE']);
	});

	test('minimal refuses capability options with a clear message', () => {
		for (const [add, drop] of [
			[['NET_RAW'], []],
			[[], ['ALL']],
		] as const) {
			assert.throws(
				() => resolveCapabilities('minimal', add, drop, LAST),
				(e: unknown) => isC32Error(e) && e.code === 'INVALID_CONFIG' && /minimal isolation has no capabilities/.test(e.message),
			);
		}
	});
});
