import assert from 'node:assert/strict';
import fs from 'node:fs';
import {describe, it} from 'node:test';
import {
	keyedValue,
	parseBlkioServiceBytes,
	parseFreezerState,
	parseIoStat,
	parseKeyedValues,
	parsePidList,
	parseSingleNumber,
	parseV2Max,
	v1LimitOrNull,
} from '../../engine/cgroups/parse.js';
import {fixture, fixtureDir} from './fixtures.js';

describe('cgroup file parsers', () => {
	it('parseSingleNumber reads one integer and rejects anything else', () => {
		assert.equal(parseSingleNumber(fixture('v1/limited/cpuacct.usage')), 472075696);
		assert.equal(parseSingleNumber('7\n'), 7);
		assert.throws(() => parseSingleNumber(''), /not a number/);
		assert.throws(() => parseSingleNumber('max\n'), /not a number/);
	});

	it('parseKeyedValues reads memory.stat, memory.oom_control and cpu.stat', () => {
		const stat = parseKeyedValues(fixture('v1/limited/memory.stat'));
		assert.equal(stat.get('total_inactive_file'), 46223360);
		assert.equal(stat.get('hierarchical_memory_limit'), 67108864);
		assert.equal(parseKeyedValues(fixture('v1/limited/memory.oom_control')).get('oom_kill'), 1);
		const cpu = parseKeyedValues(fixture('v2/limited/cpu.stat'));
		assert.equal(cpu.get('usage_usec'), 2145301);
		assert.equal(cpu.get('core_sched.force_idle_usec'), 0);
	});

	it('parseKeyedValues skips lines that are not exactly "key number"', () => {
		const values = parseKeyedValues('a 1\nb two\nc 3 4\n\n d 5 \n');
		assert.deepEqual(
			[...values],
			[
				['a', 1],
				['d', 5],
			],
		);
	});

	it('v1LimitOrNull treats the page-aligned maximum as unlimited', () => {
		assert.equal(v1LimitOrNull(2 ** 63 - 4096), null);
		assert.equal(v1LimitOrNull(2 ** 63 - 65536), null); // 64 KiB pages
		assert.equal(v1LimitOrNull(67108864), 67108864);
	});

	it('parseV2Max maps "max" to null', () => {
		assert.equal(parseV2Max(fixture('v2/unlimited/memory.max')), null);
		assert.equal(parseV2Max(fixture('v2/limited/memory.max')), 268435456);
	});

	it('parseBlkioServiceBytes sums Read and Write over devices, ignoring Sync/Async/Discard/Total', () => {
		assert.deepEqual(parseBlkioServiceBytes(fixture('v1/limited/blkio.throttle.io_service_bytes_recursive')), {
			readBytes: 134549504,
			writeBytes: 29360128,
		});
		const twoDisks = '8:0 Read 100\n8:0 Write 10\n8:16 Read 5\n8:16 Write 1\n8:16 Total 116\nTotal 116\n';
		assert.deepEqual(parseBlkioServiceBytes(twoDisks), {readBytes: 105, writeBytes: 11});
		assert.deepEqual(parseBlkioServiceBytes('Total 0\n'), {readBytes: 0, writeBytes: 0});
	});

	it('parseIoStat sums rbytes and wbytes over devices', () => {
		assert.deepEqual(parseIoStat(fixture('v2/limited/io.stat')), {readBytes: 1077248, writeBytes: 4194304});
		assert.deepEqual(parseIoStat(''), {readBytes: 0, writeBytes: 0});
	});

	it('parsePidList reads cgroup.procs', () => {
		assert.deepEqual(parsePidList(fixture('v2/limited/cgroup.procs')), [48211, 48230, 48231]);
		assert.deepEqual(parsePidList(''), []);
	});

	it('parseFreezerState reads v1 freezer.state', () => {
		assert.equal(parseFreezerState(fixture('v1/limited/freezer.state')), 'FROZEN');
		assert.equal(parseFreezerState(fixture('v1/unlimited/freezer.state')), 'THAWED');
		assert.throws(() => parseFreezerState('MELTED\n'), /unknown freezer state/);
	});
});

describe('keyedValue', () => {
	it('reads one key as parseKeyedValues does, on every line of real files', () => {
		for (const file of ['v1/limited/memory.stat', 'v1/unlimited/memory.stat', 'v2/limited/memory.stat', 'v2/limited/cpu.stat']) {
			const text = fs.readFileSync(fixtureDir(file), 'utf8');
			const all = parseKeyedValues(text);
			assert.ok(all.size > 0, file);
			for (const [key, value] of all) assert.equal(keyedValue(text, key), value, `${file}: ${key}`);
		}
	});

	it('matches whole keys only, on the first line, the last without a newline, and says undefined otherwise', () => {
		const text = 'inactive_file 5\ntotal_inactive_file 7\nodd 1 2\nempty \nlast 9';
		assert.equal(keyedValue(text, 'inactive_file'), 5);
		assert.equal(keyedValue(text, 'total_inactive_file'), 7);
		assert.equal(keyedValue(text, 'last'), 9);
		assert.equal(keyedValue(text, 'file'), undefined);
		assert.equal(keyedValue(text, 'odd'), undefined);
		assert.equal(keyedValue(text, 'empty'), undefined);
		assert.equal(keyedValue(text, 'missing'), undefined);
		assert.equal(keyedValue('', 'x'), undefined);
	});
});
