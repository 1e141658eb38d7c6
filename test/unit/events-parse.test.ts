// The pure parts of events: which events a record change means, hook specs and their words,
// filters, the window's times, webhook URLs, and what a hook's environment says.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {resolveConfig} from '../../engine/config.js';
import {C32Error} from '../../engine/errors.js';
import {checkWebhookUrl, parseGlobalHooks} from '../../engine/events/hook-config.js';
import {checkHook, eventMatches, parseHookSpec, splitCommand} from '../../engine/events/hooks.js';
import {matchesFilters, parseEventFilters} from '../../engine/events/query.js';
import {hookEnvironment} from '../../engine/events/run-hook.js';
import {transitionEvents} from '../../engine/events/transitions.js';
import type {C32Event} from '../../engine/events/types.js';
import {
	ended,
	newRecord,
	paused,
	renamed,
	restartBegins,
	restartScheduled,
	started,
	startFailed,
	starting,
	stoppedWhileDown,
	userStart,
} from '../../engine/lifecycle/transitions.js';
import type {ContainerRecord} from '../../engine/record.js';
import {parseSince} from '../../source/lib/duration.js';
import {UsageError} from '../../source/lib/errors.js';
import {eventLine} from '../../source/lib/event-view.js';
import {fakeHost} from '../helpers/fake-host.js';

const ID = 'e'.repeat(64);
const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const RUN = {pid: 4242, pidStartTime: 77, monitorPid: 4241, monitorStartTime: 76, bootId: 'boot-a'};

function created(): ContainerRecord {
	const config = resolveConfig(
		{entrypoint: 'sh', args: ['-c', 'true'], labels: {team: 'a'}, restartPolicy: 'on-failure'},
		'web',
		fakeHost(),
	);
	return newRecord(ID, config, null, 'runc', at(0));
}
const running = () => started(starting(userStart(created()), 'runc', at(1)), RUN, at(1));
const names = (before: ContainerRecord | null, after: ContainerRecord) => transitionEvents(before, after).map((e) => e.event);
const end = (code: number | null, oomKilled = false) => ({
	exitCode: code,
	oomKilled,
	finishedAt: at(5000),
	cause: 'exited' as const,
	stopperGone: false,
});

describe('transitionEvents: what a saved change means', () => {
	test('create, start, labels and name', () => {
		const [create] = transitionEvents(null, created());
		assert.equal(create!.event, 'create');
		assert.deepEqual([create!.id, create!.name, create!.labels], [ID, 'web', {team: 'a'}]);
		const begun = starting(userStart(created()), 'runc', at(1));
		assert.deepEqual(names(created(), begun), [], 'a start under way is not an event yet');
		assert.deepEqual(names(begun, running()), ['start']);
	});

	test('die with the exit code, oom too, and the restart the policy planned', () => {
		const exited = restartScheduled(ended(running(), end(137, true)), at(5000), null);
		const events = transitionEvents(running(), exited);
		assert.deepEqual(
			events.map((e) => e.event),
			['die', 'oom'],
		);
		assert.equal(events[0]!.attributes?.['exitCode'], 137);
		assert.equal(events[0]!.attributes?.['oomKilled'], true);
		assert.equal(events[0]!.attributes?.['nextRestartAt'], exited.metadata.nextRestartAt);
		// The restart begins: counted, then a start.
		const again = starting(restartBegins(exited), 'runc', at(6000));
		assert.deepEqual(names(exited, again), ['restart']);
		assert.equal(transitionEvents(exited, again)[0]!.attributes?.['restartCount'], 1);
	});

	test('a user stop is die then stop; a stop while restarting is stop alone', () => {
		const live = running();
		const stopped = ended({...live, metadata: {...live.metadata, stopRequested: true}}, end(143));
		assert.deepEqual(names(live, stopped), ['die', 'stop']);
		const pending = restartScheduled(ended(live, end(1)), at(5000), null);
		assert.deepEqual(names(pending, stoppedWhileDown(pending)), ['stop']);
	});

	test('pause, unpause, rename, a failed start; nothing for a save that changes no state', () => {
		assert.deepEqual(names(running(), paused(running(), true)), ['pause']);
		assert.deepEqual(names(paused(running(), true), running()), ['unpause']);
		assert.deepEqual(names(running(), renamed(running(), 'api')), ['rename']);
		assert.equal(transitionEvents(running(), renamed(running(), 'api'))[0]!.attributes?.['oldName'], 'web');
		const begun = starting(userStart(created()), 'runc', at(1));
		const failed = startFailed(begun, 'sh: not found', at(2));
		assert.deepEqual(names(begun, failed), ['die']);
		assert.equal(transitionEvents(begun, failed)[0]!.attributes?.['exitCode'], 127);
		assert.deepEqual(names(running(), running()), []);
	});
});

describe('hooks', () => {
	test('splitCommand splits words like a shell and expands nothing', () => {
		assert.deepEqual(splitCommand(`/bin/echo a  'b c' "d \\"e\\"" f\\ g $HOME *`), ['/bin/echo', 'a', 'b c', 'd "e"', 'f g', '$HOME', '*']);
		assert.deepEqual(splitCommand(`sh -c 'cat > /tmp/x; echo "$C32_EVENT"'`), ['sh', '-c', 'cat > /tmp/x; echo "$C32_EVENT"']);
		assert.deepEqual(splitCommand(`a '' b`), ['a', '', 'b']);
		assert.deepEqual(splitCommand('   '), []);
		assert.throws(() => splitCommand(`echo 'open`), /unclosed single quote/);
		assert.throws(() => splitCommand('echo \\'), /lone backslash/);
	});

	test('parseHookSpec takes EVENT=COMMAND with the issue names', () => {
		assert.deepEqual(parseHookSpec('die=/usr/bin/logger -t c32 died'), {event: 'die', command: ['/usr/bin/logger', '-t', 'c32', 'died']});
		assert.equal(parseHookSpec('unhealthy=/bin/true').event, 'unhealthy');
		assert.equal(parseHookSpec('restart-loop=/bin/true').event, 'restart_loop');
		assert.equal(parseHookSpec('OOM=/bin/true').event, 'oom');
		// The command may hold "=".
		assert.deepEqual(parseHookSpec('stop=env A=1 /bin/true').command, ['env', 'A=1', '/bin/true']);
	});

	test('bad hooks are refused with one line that says what to write', () => {
		for (const [spec, message] of [
			['die', /write EVENT=COMMAND/],
			['=cmd', /write EVENT=COMMAND/],
			['dies=/bin/true', /unknown hook event "dies": use one of .*die/],
			['die=', /command after "=" is empty/],
			['die=  ', /command after "=" is empty/],
			["die='x", /unclosed single quote/],
			['die=a\0b', /NUL/],
		] as const) {
			assert.throws(
				() => parseHookSpec(spec),
				(error: unknown) =>
					error instanceof C32Error && error.code === 'INVALID_CONFIG' && message.test(error.message) && !error.message.includes('\n'),
				spec,
			);
		}
		assert.throws(() => checkHook({event: 'die', command: []}), /expected a program/);
		assert.throws(() => checkHook({event: 'die', command: ['']}), /program is empty/);
		assert.throws(() => checkHook('die=x'), /expected \{event, command\}/);
	});

	test('unhealthy and healthy match health_status by its health', () => {
		const health = (value: string): C32Event => ({...sample(), event: 'health_status', attributes: {health: value}});
		assert.equal(eventMatches('unhealthy', health('unhealthy')), true);
		assert.equal(eventMatches('unhealthy', health('healthy')), false);
		assert.equal(eventMatches('healthy', health('healthy')), true);
		assert.equal(eventMatches('health_status', health('starting')), true);
		assert.equal(eventMatches('die', health('unhealthy')), false);
	});

	test('global hooks file: a list of {event, command, timeoutSeconds}', () => {
		const hooks = parseGlobalHooks(
			JSON.stringify([
				{event: 'die', command: ['/bin/true']},
				{event: 'oom', command: 'sh -c "exit 1"', timeoutSeconds: 3},
			]),
			'hooks.json',
		);
		assert.deepEqual(hooks, [
			{event: 'die', command: ['/bin/true']},
			{event: 'oom', command: ['sh', '-c', 'exit 1'], timeoutSeconds: 3},
		]);
		assert.throws(() => parseGlobalHooks('{', 'hooks.json'), /hooks.json is not valid JSON/);
		assert.throws(() => parseGlobalHooks('{}', 'hooks.json'), /expected a list/);
		assert.throws(() => parseGlobalHooks('[{"event":"x","command":["a"]}]', 'hooks.json'), /hooks.json\[0\]/);
		assert.throws(() => parseGlobalHooks('[{"event":"die","command":["a"],"timeoutSeconds":0}]', 'hooks.json'), /timeoutSeconds/);
	});

	test('a hook sees the event in C32_* variables, and only those and PATH', () => {
		const env = hookEnvironment({...sample(), attributes: {exitCode: 3, oomKilled: false, nextRestartAt: 'x', error: null}}, '/srv/c32');
		assert.equal(env['C32_EVENT'], 'die');
		assert.equal(env['C32_CONTAINER_ID'], ID);
		assert.equal(env['C32_CONTAINER_NAME'], 'web');
		assert.equal(env['C32_EXIT_CODE'], '3');
		assert.equal(env['C32_OOM_KILLED'], 'false');
		assert.equal(env['C32_NEXT_RESTART_AT'], 'x');
		assert.equal(env['C32_STORAGE_DIR'], '/srv/c32');
		assert.equal(env['C32_ERROR'], undefined);
		assert.deepEqual(
			Object.keys(env).filter((key) => !key.startsWith('C32_')),
			['PATH'],
		);
	});
});

function sample(): C32Event {
	return {time: at(0), subject: 'container', event: 'die', id: ID, name: 'web', labels: {team: 'a', tier: 'x'}, attributes: {exitCode: 1}};
}

describe('filters and times', () => {
	test('the same key ORs, different keys AND', () => {
		const filters = parseEventFilters(['event=die', 'event=stop', 'container=web']);
		assert.equal(matchesFilters(sample(), filters), true);
		assert.equal(matchesFilters({...sample(), event: 'start'}, filters), false);
		assert.equal(matchesFilters({...sample(), name: 'other'}, filters), false);
		assert.equal(matchesFilters(sample(), parseEventFilters(['container=eeee'])), true, 'an id prefix');
		assert.equal(matchesFilters(sample(), parseEventFilters([`container=${ID}`])), true);
		assert.equal(matchesFilters(sample(), parseEventFilters(['label=team=a'])), true);
		assert.equal(matchesFilters(sample(), parseEventFilters(['label=team=b'])), false);
		assert.equal(matchesFilters(sample(), parseEventFilters(['label=tier'])), true);
		assert.equal(matchesFilters(sample(), parseEventFilters(['label=team=a', 'label=nope'])), true);
		assert.equal(matchesFilters(sample(), parseEventFilters(['type=image'])), false);
		assert.equal(matchesFilters(sample(), parseEventFilters(['type=container', 'type=image'])), true);
		const network: C32Event = {...sample(), subject: 'network', event: 'create', id: 'team', name: 'team'};
		assert.equal(matchesFilters(network, parseEventFilters(['container=team'])), false, 'container= is for container events');
	});

	test('unknown keys, values and empty filters are refused', () => {
		assert.throws(() => parseEventFilters(['status=running']), /unknown filter "status": use container=, event=, label=, type=/);
		assert.throws(() => parseEventFilters(['event=']), /has no value/);
		assert.throws(() => parseEventFilters(['container']), /has no value/);
		assert.throws(() => parseEventFilters(['type=volume']), /unknown event type "volume"/);
	});

	test('--since and --until take RFC 3339, unix seconds and durations ago', () => {
		const now = new Date(T0);
		assert.equal(parseSince('10m', now, '--until'), at(-600_000));
		assert.equal(parseSince('2h', now), at(-7_200_000));
		assert.equal(parseSince(String(T0 / 1000), now), at(0));
		assert.equal(parseSince('2030-01-01T01:00:00+01:00', now), at(0));
		assert.throws(
			() => parseSince('yesterday', now, '--until'),
			(error: unknown) => error instanceof UsageError && /invalid --until "yesterday"/.test(error.message),
		);
	});
});

test('webhook URLs: http and https with a host', () => {
	assert.equal(checkWebhookUrl('https://hooks.example.com/c32?k=1'), 'https://hooks.example.com/c32?k=1');
	assert.equal(checkWebhookUrl('http://127.0.0.1:9000/'), 'http://127.0.0.1:9000/');
	for (const bad of [
		'ftp://x/',
		'file:///etc/passwd',
		'hooks.example.com',
		'http://',
		'javascript:alert(1)',
		`http://x/${'a'.repeat(2100)}`,
	]) {
		assert.throws(() => checkWebhookUrl(bad), /invalid webhook URL/, bad);
	}
});

test('the human line escapes what a container controls', () => {
	const line = eventLine({...sample(), name: 'evil\x1b[2J', attributes: {command: 'a\nb', exitCode: 1}});
	assert.ok(!line.includes('\x1b') && !line.includes('\n'), line);
	assert.match(line, /^2030-01-01T00:00:00.000Z container die evil\\x1b\[2J eeeeeeeeeeee command="a\\nb" exitCode=1$/);
});
