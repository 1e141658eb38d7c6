import assert from 'node:assert/strict';
import {test} from 'node:test';
import {byAddress, byCodeUnit} from '../../engine/order.js';

test('byCodeUnit orders ISO timestamps in time and ASCII names alphabetically', () => {
	const times = ['2026-12-03T10:00:00.100Z', '2026-12-02T23:59:59.999Z', '2026-12-03T09:59:59.000Z'];
	assert.deepEqual([...times].sort(byCodeUnit), ['2026-12-02T23:59:59.999Z', '2026-12-03T09:59:59.000Z', '2026-12-03T10:00:00.100Z']);
	assert.deepEqual(['web', 'api', 'c32', 'api'].sort(byCodeUnit), ['api', 'api', 'c32', 'web']);
});

test('byAddress orders IPv4 addresses by number, anything else after them', () => {
	const ips = ['10.90.0.10', '10.90.0.9', '10.90.1.2', '9.255.255.255', 'fe80::1', '10.90.0.256'];
	assert.deepEqual([...ips].sort(byAddress), ['9.255.255.255', '10.90.0.9', '10.90.0.10', '10.90.1.2', '10.90.0.256', 'fe80::1']);
});
