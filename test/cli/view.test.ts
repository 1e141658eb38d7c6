import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import type {ContainerMetadata} from '../../engine/index.js';
import {suggestCommand} from '../../source/commands/registry.js';
import {containerJson, newestFirst, statusText} from '../../source/lib/container-view.js';
import {UsageError} from '../../source/lib/errors.js';
import {InterruptDispatcher} from '../../source/lib/interrupts.js';
import {matchesFilters, parseFilters} from '../../source/lib/ps-filter.js';
import {inPlaceFrame, statsJson, statsTable} from '../../source/lib/stats-view.js';

const now = new Date('2025-06-01T12:00:00.000Z');
const base: ContainerMetadata = {
	id: 'a'.repeat(64),
	name: 'bot',
	state: 'running',
	pid: 42,
	exitCode: null,
	oomKilled: false,
	errorMessage: null,
	image: '/srv/bot.py',
	isolationLevel: 'standard',
	runtime: 'runc',
	createdAt: '2025-06-01T11:00:00.000Z',
	startedAt: '2025-06-01T11:57:00.000Z',
	finishedAt: null,
	restartCount: 0,
	nextRestartAt: null,
	stopRequested: false,
	labels: {},
};

describe('statusText', () => {
	it('says how long a container has been up, and that it is paused', () => {
		assert.equal(statusText(base, now), 'Up 3 minutes');
		assert.equal(statusText({...base, state: 'paused'}, now), 'Up 3 minutes (Paused)');
		assert.equal(statusText({...base, restartCount: 2}, now), 'Up 3 minutes, 2 restarts');
	});
	it('gives the exit code and OOM kills of ended containers', () => {
		const ended = {...base, pid: null, finishedAt: '2025-06-01T11:59:58.000Z'};
		assert.equal(statusText({...ended, state: 'exited', exitCode: 137, oomKilled: true}, now), 'Exited (137) 2 seconds ago, OOM');
		assert.equal(statusText({...ended, state: 'stopped', exitCode: 143}, now), 'Stopped (143) 2 seconds ago');
		assert.equal(statusText({...ended, state: 'failed'}, now), 'Failed 2 seconds ago');
		assert.equal(statusText({...base, state: 'created', startedAt: null}, now), 'Created');
	});
	it('says a restart is pending and when; a damaged container says how to remove it', () => {
		const pending = {
			...base,
			pid: null,
			state: 'restarting' as const,
			exitCode: 1,
			restartCount: 3,
			finishedAt: '2025-06-01T11:59:58.000Z',
		};
		assert.equal(statusText({...pending, nextRestartAt: '2025-06-01T12:00:30.000Z'}, now), 'Restarting (1) in 30 seconds, 3 restarts');
		assert.equal(statusText({...pending, nextRestartAt: '2025-06-01T12:00:00.100Z'}, now), 'Restarting (1), 3 restarts');
		assert.equal(statusText({...base, state: 'damaged'}, now), 'Damaged (rm -f to remove)');
	});
});

describe('JSON shapes', () => {
	it('keeps the documented container fields only', () => {
		const json = containerJson(base);
		assert.deepEqual(Object.keys(json), [
			'id',
			'name',
			'state',
			'pid',
			'exitCode',
			'oomKilled',
			'errorMessage',
			'image',
			'isolationLevel',
			'runtime',
			'createdAt',
			'startedAt',
			'finishedAt',
			'restartCount',
			'nextRestartAt',
			'labels',
		]);
		assert.equal('stopRequested' in json, false);
	});
	it('sorts newest first', () => {
		const older = {...base, name: 'old', createdAt: '2025-01-01T00:00:00Z'};
		assert.deepEqual(
			newestFirst([older, base]).map((c) => c.name),
			['bot', 'old'],
		);
	});
});

describe('stats rendering', () => {
	const sample = {
		id: 'b'.repeat(64),
		name: 'w',
		cpuPercent: 12.345,
		memoryMb: 12.5,
		memoryLimitMb: 64,
		pids: 3,
		blockReadBytes: 1500,
		blockWriteBytes: 0,
		timestamp: now.toISOString(),
	};
	it('shows usage against the limit, or against host memory without one', () => {
		assert.match(statsTable([sample], 1000), /^bbbbbbbbbbbb {3}w {6}12\.35% {3}12\.5MiB \/ 64MiB {5}19\.53% {3}3 {6}1\.5kB \/ 0B$/m);
		assert.match(statsTable([{...sample, memoryLimitMb: null}], 1000), /12\.5MiB \/ 1000MiB {3}1\.25%/);
	});
	it('keeps the documented fields in JSON', () => {
		assert.deepEqual(Object.keys(statsJson(sample)), [
			'name',
			'id',
			'cpuPercent',
			'memoryMb',
			'memoryLimitMb',
			'pids',
			'blockReadBytes',
			'blockWriteBytes',
			'timestamp',
		]);
	});
	it('redraws frames in place', () => {
		assert.equal(inPlaceFrame('a\nb\n', true), '\x1b[2J\x1b[Ha\x1b[K\nb\x1b[K\n\x1b[J');
		assert.equal(inPlaceFrame('a\n', false), '\x1b[Ha\x1b[K\n\x1b[J');
	});
});

describe('suggestCommand', () => {
	it('finds the command behind a typo, and nothing for unrelated words', () => {
		assert.equal(suggestCommand('stpo'), 'stop');
		assert.equal(suggestCommand('inspcet'), 'inspect');
		assert.equal(suggestCommand('lgos'), 'logs');
		assert.equal(suggestCommand('unpase'), 'unpause');
		assert.equal(suggestCommand('deploy'), undefined);
		assert.equal(suggestCommand('__names'), undefined, 'hidden commands are not suggested');
	});
});

describe('InterruptDispatcher', () => {
	const setup = () => {
		const clock = {now: 0};
		const exits: number[] = [];
		const dispatcher = new InterruptDispatcher(
			(code) => exits.push(code),
			() => clock.now,
		);
		return {clock, exits, dispatcher};
	};
	it('counts a signal echoed within 100 ms once, and a later one again', () => {
		const {clock, dispatcher} = setup();
		let calls = 0;
		dispatcher.add(() => calls++);
		dispatcher.dispatch('SIGINT');
		clock.now = 1;
		dispatcher.dispatch('SIGINT');
		assert.equal(calls, 1);
		clock.now = 400;
		dispatcher.dispatch('SIGINT');
		assert.equal(calls, 2);
	});
	it('drops an echo that arrives after the handler is gone, but exits on a real signal then', () => {
		const {clock, exits, dispatcher} = setup();
		const remove = dispatcher.add(() => undefined);
		dispatcher.dispatch('SIGINT');
		remove();
		clock.now = 2;
		dispatcher.dispatch('SIGINT');
		assert.deepEqual(exits, []);
		clock.now = 1000;
		dispatcher.dispatch('SIGTERM');
		assert.deepEqual(exits, [143]);
	});
});

describe('ps filters', () => {
	const bot = {...base, name: 'web-bot', labels: {team: 'bots', tier: ''}};
	const match = (words: string[]) => matchesFilters(bot, parseFilters(words));
	it('matches names by substring, ids by prefix, status, isolation and labels', () => {
		assert.equal(match(['name=bot']), true);
		assert.equal(match([`id=${'a'.repeat(5)}`]), true);
		assert.equal(match(['status=running']), true);
		assert.equal(match(['state=exited']), false);
		assert.equal(match(['isolation=standard']), true);
		assert.equal(match(['label=team']), true);
		assert.equal(match(['label=team=bots']), true);
		assert.equal(match(['label=team=web']), false);
		assert.equal(match(['label=tier=']), true);
	});
	it('ORs one key given twice and ANDs different keys', () => {
		assert.equal(match(['status=exited', 'status=running']), true);
		assert.equal(match(['name=bot', 'status=exited']), false);
	});
	it('rejects unknown keys, empty values and unknown states', () => {
		for (const bad of ['colour=red', 'name=', 'name', 'status=done']) assert.throws(() => parseFilters([bad]), UsageError, bad);
	});
});
