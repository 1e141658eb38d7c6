// The unit text of `c32 generate systemd`, read back as systemd reads it (test/helpers/systemd-words.ts).
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {type ContainerUnitInputs, containerUnitName, containerUnitText} from '../../source/lib/container-unit.js';
import {UsageError} from '../../source/lib/errors.js';
import {execCommand, setting, unitEnvironment, unitSettings} from '../helpers/systemd-words.js';

const ID = 'a'.repeat(64);
const SPECIFIERS = {t: '/run', n: 'c32-web.service'};
const base: ContainerUnitInputs = {
	node: '/usr/bin/node',
	cli: '/opt/c32/dist/source/cli.js',
	environment: {C32_STORAGE_DIR: '/var/lib/c32'},
	storageDir: '/var/lib/c32',
	container: {id: ID, name: 'web'},
	stopTimeout: 10,
	stopSignal: 15,
	restart: 'on-failure',
	mode: {kind: 'existing', ref: ID, pidFile: `/var/lib/c32/containers/${ID}/userdata/monitor.pid`},
};
const exec = (text: string, key: string) => execCommand(setting(text, 'Service', key), SPECIFIERS);

describe('the unit of an existing container', () => {
	const text = containerUnitText(base);

	test('starts and stops it by id with this c32, forking, with its monitor as the main process', () => {
		assert.deepEqual(exec(text, 'ExecStart'), {argv: ['/usr/bin/node', '/opt/c32/dist/source/cli.js', 'start', ID], ignoreFailure: false});
		assert.deepEqual(exec(text, 'ExecStop').argv.slice(2), ['stop', '--time', '10', ID]);
		assert.equal(setting(text, 'Service', 'Type'), 'forking');
		assert.equal(setting(text, 'Service', 'PIDFile'), `/var/lib/c32/containers/${ID}/userdata/monitor.pid`);
		assert.equal(unitSettings(text).get('Service')?.has('ExecStartPre'), false);
	});

	test('waits for the network and the storage root, restarts on its own terms, installs into default.target', () => {
		assert.equal(setting(text, 'Unit', 'Wants'), 'network-online.target');
		assert.equal(setting(text, 'Unit', 'After'), 'network-online.target');
		assert.equal(setting(text, 'Unit', 'RequiresMountsFor'), '/var/lib/c32');
		assert.equal(setting(text, 'Service', 'Restart'), 'on-failure');
		assert.equal(setting(text, 'Service', 'TimeoutStopSec'), '70');
		assert.equal(setting(text, 'Service', 'SuccessExitStatus'), '143', 'a stop by SIGTERM is no failure');
		assert.equal(setting(text, 'Install', 'WantedBy'), 'default.target');
		assert.deepEqual(unitEnvironment(text, SPECIFIERS), {C32_STORAGE_DIR: '/var/lib/c32'});
		assert.match(text, new RegExp(`^# container ${ID}$`, 'm'), 'the id is in the unit');
	});

	test('a start limit only when given', () => {
		assert.equal(unitSettings(text).get('Unit')?.has('StartLimitBurst'), false);
		assert.equal(setting(containerUnitText({...base, startLimitBurst: 3}), 'Unit', 'StartLimitBurst'), '3');
	});
});

describe('escaping', () => {
	const odd = '/srv/c32 100% $HOME "x" \'y\' \\z';

	test('paths and settings with spaces, %, $, quotes and backslashes read back as they were', () => {
		const text = containerUnitText({
			...base,
			node: `${odd}/node`,
			cli: `${odd}/cli.js`,
			storageDir: odd,
			environment: {C32_STORAGE_DIR: odd, C32_RUNTIME: 'runc'},
			mode: {kind: 'existing', ref: 'web', pidFile: '/srv/50%/monitor.pid'},
		});
		assert.deepEqual(exec(text, 'ExecStart').argv, [`${odd}/node`, `${odd}/cli.js`, 'start', 'web']);
		assert.deepEqual(unitEnvironment(text, SPECIFIERS), {C32_STORAGE_DIR: odd, C32_RUNTIME: 'runc'});
		assert.equal(setting(text, 'Service', 'PIDFile'), '/srv/50%%/monitor.pid');
		assert.match(setting(text, 'Unit', 'RequiresMountsFor'), /^".*"$/, 'a path with spaces is quoted in a list setting');
	});

	test('the words of a --new ExecStart reach c32 run exactly, the pid file names %t/%n', () => {
		const words = ['--name=web', '--env=A=b c', '--env=P=100%', '--env=D=$HOME $$', '--label=q="x"', '--', '', ';', 'a\\b', "it's", '-d'];
		const text = containerUnitText({...base, mode: {kind: 'new', runWords: words}});
		const start = exec(text, 'ExecStart');
		const idFile = '--cidfile=/run/c32-web.service.ctr-id';
		assert.deepEqual(start.argv.slice(2), ['run', '--detach', '--replace', idFile, '--monitor-pidfile=/run/c32-web.service.pid', ...words]);
		assert.equal(setting(text, 'Service', 'PIDFile'), '%t/%n.pid');
		assert.equal(unitSettings(text).get('Service')?.has('ExecStartPre'), false, '--replace removes a leftover of that name exactly');
		assert.deepEqual(exec(text, 'ExecStop'), {
			argv: [base.node, base.cli, 'stop', '--ignore', idFile, '--time', '10'],
			ignoreFailure: false,
		});
		assert.deepEqual(exec(text, 'ExecStopPost'), {argv: [base.node, base.cli, 'rm', '--force', '--ignore', idFile], ignoreFailure: false});
		assert.match(text, /, recreated at every start \(--new\)$/m);
	});

	test('a control character anywhere is refused with one line: a unit file cannot hold it', () => {
		const attempts: Partial<ContainerUnitInputs>[] = [
			{environment: {C32_STORAGE_DIR: '/a\nb'}},
			{mode: {kind: 'new', runWords: ['--env=A=line1\nline2']}},
			{mode: {kind: 'new', runWords: ['--env=A=\x1b[31m']}},
			{mode: {kind: 'existing', ref: 'web', pidFile: '/a\rb'}},
			{cli: '/opt/c32\tx/cli.js'},
		];
		for (const attempt of attempts) {
			assert.throws(
				() => containerUnitText({...base, ...attempt}),
				(error: Error) =>
					error instanceof UsageError &&
					/control character: a unit file cannot hold it/.test(error.message) &&
					!error.message.includes('\n'),
			);
		}
	});

	test('relative paths are refused', () => {
		assert.throws(() => containerUnitText({...base, node: 'node'}), /node is not an absolute path/);
		assert.throws(() => containerUnitText({...base, mode: {kind: 'existing', ref: 'x', pidFile: 'x.pid'}}), /PIDFile= needs one/);
	});
});

describe('containerUnitName', () => {
	test('c32-NAME.service for any container name', () => {
		assert.equal(containerUnitName('web'), 'c32-web.service');
		assert.equal(containerUnitName('a_b.c-1'), 'c32-a_b.c-1.service');
	});
	test("refuses what a unit name cannot hold, and the name of install-boot's unit", () => {
		for (const name of ['a b', 'a/b', 'a@b', 'a%b', '', 'x'.repeat(201)])
			assert.throws(() => containerUnitName(name), /cannot be part of a systemd unit's name/);
		assert.throws(() => containerUnitName('boot'), /c32-boot.service is the unit of c32 system install-boot/);
	});
});
