// The seed's settings: CONTAINER_ISOLATION_LEVEL, MEMORY_THRESHOLD_MB, CPU_THRESHOLD_PERCENT,
// MONITORING_INTERVAL_SEC, and the threshold crossing logic (engine/thresholds.ts).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {test} from 'node:test';
import {isC32Error} from '../../engine/errors.js';
import {readEvents} from '../../engine/events/log.js';
import {resolveStorage} from '../../engine/paths.js';
import type {ContainerRecord} from '../../engine/record.js';
import {validateConfig} from '../../engine/schema.js';
import {readIsolationLevel} from '../../engine/settings.js';
import {readMonitoringIntervalMs, readThresholdSettings} from '../../engine/threshold-settings.js';
import {breachesOf, flaggedMetrics, recordSample, thresholdChanges, thresholdsOf} from '../../engine/thresholds.js';
import {makeTempDir} from '../helpers/engine.js';
import {fakeHost} from '../helpers/fake-host.js';

const refused = (variable: string) => (e: unknown) =>
	isC32Error(e) && e.code === 'INVALID_CONFIG' && e.message.startsWith(`${variable}=`) && !e.message.includes('\n');

test('CONTAINER_ISOLATION_LEVEL is the default isolation of a new container; a bad one is refused in one line', () => {
	assert.equal(readIsolationLevel({}), 'standard');
	assert.equal(readIsolationLevel({CONTAINER_ISOLATION_LEVEL: 'Strict '}), 'strict');
	const config = validateConfig({entrypoint: 'true'}, () => 'x', fakeHost({}, {CONTAINER_ISOLATION_LEVEL: 'strict'}));
	assert.equal(config.isolationLevel, 'strict');
	assert.equal(config.network, 'none', "strict's own network default follows");
	const given = validateConfig(
		{entrypoint: 'true', isolationLevel: 'standard'},
		() => 'x',
		fakeHost({}, {CONTAINER_ISOLATION_LEVEL: 'strict'}),
	);
	assert.equal(given.isolationLevel, 'standard', 'an explicit level wins');
	for (const bad of ['paranoid', 'strict;rm', '1']) {
		assert.throws(() => readIsolationLevel({CONTAINER_ISOLATION_LEVEL: bad}), refused('CONTAINER_ISOLATION_LEVEL'));
	}
});

test('MEMORY_THRESHOLD_MB, CPU_THRESHOLD_PERCENT and MONITORING_INTERVAL_SEC: numbers, unset or 0 for none', () => {
	assert.deepEqual(readThresholdSettings({}), {memoryMb: null, cpuPercent: null});
	assert.deepEqual(readThresholdSettings({MEMORY_THRESHOLD_MB: '500', CPU_THRESHOLD_PERCENT: '90.5'}), {memoryMb: 500, cpuPercent: 90.5});
	assert.deepEqual(readThresholdSettings({MEMORY_THRESHOLD_MB: '0'}), {memoryMb: null, cpuPercent: null});
	for (const bad of ['-1', 'lots', '5e3', '1 000']) {
		assert.throws(() => readThresholdSettings({MEMORY_THRESHOLD_MB: bad}), refused('MEMORY_THRESHOLD_MB'));
		assert.throws(() => readThresholdSettings({CPU_THRESHOLD_PERCENT: bad}), refused('CPU_THRESHOLD_PERCENT'));
	}
	assert.equal(readMonitoringIntervalMs({}), null);
	assert.equal(readMonitoringIntervalMs({MONITORING_INTERVAL_SEC: '5'}), 5000);
	assert.equal(readMonitoringIntervalMs({MONITORING_INTERVAL_SEC: '0.5'}), 500);
	for (const bad of ['0.01', '61', 'often', '-2']) {
		assert.throws(() => readMonitoringIntervalMs({MONITORING_INTERVAL_SEC: bad}), refused('MONITORING_INTERVAL_SEC'));
	}
});

test("a container's own thresholds win over the settings; bad ones are refused", () => {
	const validate = (input: object) => validateConfig({entrypoint: 'true', ...input}, () => 'x', fakeHost());
	const own = validate({memoryThresholdMb: 64});
	assert.deepEqual(thresholdsOf(own, {memoryMb: 500, cpuPercent: 90}), {memoryMb: 64, cpuPercent: 90});
	assert.deepEqual(thresholdsOf(validate({}), {memoryMb: null, cpuPercent: null}), {memoryMb: null, cpuPercent: null});
	for (const bad of [{memoryThresholdMb: 0}, {memoryThresholdMb: -5}, {cpuThresholdPercent: Number.POSITIVE_INFINITY}]) {
		assert.throws(() => validate(bad), /invalid (memory|CPU) threshold/);
	}
	assert.throws(() => validate({cpuThresholdPercent: '90'}), /config\.cpuThresholdPercent: expected a number/);
});

test('a crossing is news once: above again is not, below then above is', () => {
	const limits = {memoryMb: 100, cpuPercent: 50};
	assert.deepEqual(breachesOf({memoryMb: 100, cpuPercent: 50}, limits), [], 'at the threshold is not above it');
	const both = breachesOf({memoryMb: 150, cpuPercent: 80}, limits);
	assert.deepEqual(both, [
		{metric: 'memory', value: 150, threshold: 100},
		{metric: 'cpu', value: 80, threshold: 50},
	]);
	assert.deepEqual(thresholdChanges(new Set(), both), {crossed: both, cleared: []});
	assert.deepEqual(thresholdChanges(new Set(['memory', 'cpu']), both), {crossed: [], cleared: []});
	assert.deepEqual(thresholdChanges(new Set(['memory', 'cpu']), both.slice(0, 1)), {crossed: [], cleared: ['cpu']});
});

test('recordSample keeps the flag in userdata and appends one threshold event per crossing', (t) => {
	const dir = makeTempDir('c32-thresholds-');
	t.after(() => fs.rmSync(dir, {recursive: true, force: true}));
	const layout = resolveStorage({storageDir: dir});
	const id = 'e'.repeat(64);
	fs.mkdirSync(`${dir}/containers/${id}/userdata`, {recursive: true});
	const record = {metadata: {id, name: 'hungry', labels: {team: 'a'}}} as unknown as ContainerRecord;
	const above = [{metric: 'memory' as const, value: 150, threshold: 100}];
	recordSample(layout, record, above);
	recordSample(layout, record, above);
	assert.deepEqual([...flaggedMetrics(layout, id)], ['memory']);
	recordSample(layout, record, []);
	assert.deepEqual([...flaggedMetrics(layout, id)], []);
	recordSample(layout, record, above);
	const events = readEvents(layout).filter((e) => e.event === 'threshold');
	assert.equal(events.length, 2, 'two crossings, two events');
	assert.deepEqual(events[0]!.attributes, {metric: 'memory', value: 150, threshold: 100});
	assert.equal(events[0]!.name, 'hungry');
	assert.deepEqual(events[0]!.labels, {team: 'a'});
});
