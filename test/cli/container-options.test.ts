import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {buildContainerConfig, type ContainerFlagValues, initFlag, isHostPath, parseVolume} from '../../source/lib/container-options.js';
import {UsageError} from '../../source/lib/errors.js';
import {parseFlags} from '../../source/lib/flags.js';

const none: ContainerFlagValues = {
	args: [],
	env: [],
	envFile: [],
	volume: [],
	label: [],
	hook: [],
	autoRestart: false,
	rm: false,
	capAdd: [],
	capDrop: [],
	interactive: false,
	tty: false,
	publish: [],
	networkAlias: [],
	network: [],
};
const inputs = {cwd: '/work', env: {HOME: '/home/me'}, envFiles: [], existing: new Set(['bots/a.py'])};
const build = (
	flags: Partial<ContainerFlagValues>,
	words = {options: [], image: undefined as string | undefined, command: [] as string[]},
) => buildContainerConfig({...none, ...flags}, words, inputs);

describe('buildContainerConfig', () => {
	it('is empty for no options, leaving every default to the engine', () => {
		assert.deepEqual(build({}), {});
	});
	it('--init and --no-init set init; without either the engine decides (on for script images)', () => {
		assert.equal(build({init: true}).init, true);
		assert.equal(build({init: false}).init, false);
		assert.equal('init' in build({}), false);
		assert.equal(initFlag([]), undefined);
		assert.equal(initFlag(['--rm', '--init']), true);
		assert.equal(initFlag(['--init', '--no-init']), false, 'the last one wins');
		assert.equal(initFlag(['--init=false']), false);
		assert.equal(initFlag(['--no-init', '--init=true']), true);
		assert.throws(
			() => parseFlags({init: {type: 'boolean'}}, ['--init=yes']),
			/invalid --init value "yes": use --init, --no-init or --init=false/,
		);
	});
	it('resolves a host-path image against the current directory', () => {
		assert.equal(build({}, {options: [], image: 'bots/a.py', command: []}).image, '/work/bots/a.py', 'it exists here');
		assert.equal(build({image: '/abs/b.py'}).image, '/abs/b.py');
		assert.equal(build({image: './b.py'}).image, '/work/b.py');
		assert.equal(build({image: '../b'}).image, '/b');
		assert.equal(build({image: '~/bots'}).image, '/home/me/bots');
	});
	it('passes an image reference as it is: no path, nothing by that name here', () => {
		for (const ref of ['tools:1', 'busybox', '127.0.0.1:5000/team/bot:1', 'team/bot@sha256:abc', 'bots/b.py']) {
			assert.equal(build({image: ref}).image, ref);
		}
		assert.equal(isHostPath('.'), true);
		assert.equal(isHostPath('..'), true);
		assert.equal(isHostPath('.hidden'), false);
	});
	it('--base goes under a host-path image, not under an image reference', () => {
		assert.deepEqual(build({base: 'tools:1'}, {options: [], image: './job.sh', command: []}), {image: '/work/job.sh', base: 'tools:1'});
		assert.throws(() => build({base: 'tools:1'}, {options: [], image: 'other:2', command: []}), /--base goes under a host-path IMAGE/);
	});
	it('takes the command from the words after the image or from --args, not both', () => {
		assert.deepEqual(build({}, {options: [], image: undefined, command: ['sh', '-c', 'x']}).args, ['sh', '-c', 'x']);
		assert.deepEqual(build({entrypoint: 'python3', args: ['a.py', '-v']}), {entrypoint: 'python3', args: ['a.py', '-v']});
		assert.throws(() => build({args: ['a']}, {options: [], image: undefined, command: ['b']}), UsageError);
	});
	it('maps the seed limits and docker limits onto resourceLimits', () => {
		assert.deepEqual(build({memoryLimit: '512', cpuLimit: '50', pidsLimit: '64', maxOpenFiles: '256', ioLimit: '20'}).resourceLimits, {
			memoryLimitMb: 512,
			cpuLimitPercent: 50,
			maxProcesses: 64,
			maxOpenFiles: 256,
			diskIoLimitMbps: 20,
		});
		assert.deepEqual(build({memoryLimit: '1g', cpus: '1.5'}).resourceLimits, {memoryLimitMb: 1024, cpuLimitPercent: 150});
		assert.equal(build({cpuLimit: '25%'}).resourceLimits?.cpuLimitPercent, 25);
	});
	it('refuses --cpus together with --cpu-limit, and non-numbers', () => {
		assert.throws(() => build({cpus: '1', cpuLimit: '100'}), /not both/);
		assert.throws(() => build({cpus: 'two'}), /invalid --cpus "two"/);
		assert.throws(() => build({pidsLimit: '1.5'}), /whole number/);
	});
	it('merges env files, then -e; a bare key copies the caller value', () => {
		const config = buildContainerConfig(
			{...none, env: ['B=2', 'HOME', 'UNSET_HERE'], envFile: ['f']},
			{options: [], image: undefined, command: []},
			{
				...inputs,
				envFiles: [{path: 'f', text: '# comment\nA=1\n\nB=1\nC=x=y\n'}],
			},
		);
		assert.deepEqual(config.environment, {A: '1', B: '2', C: 'x=y', HOME: '/home/me'});
	});
	it('points at the bad line of an env file', () => {
		assert.throws(
			() =>
				buildContainerConfig(
					{...none, envFile: ['e.env']},
					{options: [], image: undefined, command: []},
					{...inputs, envFiles: [{path: 'e.env', text: 'A=1\n=oops\n'}]},
				),
			/e\.env line 2/,
		);
	});
	it('reads labels, with a bare key as an empty value', () => {
		assert.deepEqual(build({label: ['team=bots', 'canary']}).labels, {team: 'bots', canary: ''});
	});
	it('maps --auto-restart and --max-restarts onto a restart policy', () => {
		assert.equal(build({autoRestart: true}).restartPolicy, 'on-failure:5');
		assert.equal(build({autoRestart: true, maxRestarts: '3'}).restartPolicy, 'on-failure:3');
		assert.equal(build({maxRestarts: '2'}).restartPolicy, 'on-failure:2');
		assert.equal(build({restart: 'on-failure', maxRestarts: '4'}).restartPolicy, 'on-failure:4');
		assert.equal(build({restart: 'always'}).restartPolicy, 'always');
		assert.throws(() => build({restart: 'always', maxRestarts: '4'}), UsageError);
		assert.throws(() => build({restart: 'always', autoRestart: true}), UsageError);
	});
	it('refuses --rm with a restart policy', () => {
		assert.throws(() => build({rm: true, restart: 'always'}), /conflict/);
		assert.doesNotThrow(() => build({rm: true, restart: 'no'}));
	});
	it('converts stop timeout and log size', () => {
		assert.equal(build({stopTimeout: '5'}).stopTimeout, 5);
		assert.equal(build({stopTimeout: '1500ms'}).stopTimeout, 1.5);
		assert.equal(build({logMaxSize: '1m'}).logSizeMax, 1048576);
	});
	it('maps -i and -t onto stdinOpen and tty', () => {
		assert.deepEqual(build({interactive: true, tty: true}), {stdinOpen: true, tty: true});
		assert.deepEqual(build({interactive: true}), {stdinOpen: true});
		assert.deepEqual(build({tty: true}), {tty: true});
	});
	it('passes the plain options through', () => {
		assert.deepEqual(
			build({name: 'n', workdir: '/srv', user: '1000:1000', hostname: 'h', network: ['none'], stopSignal: 'SIGINT', isolation: 'strict'}),
			{name: 'n', workingDir: '/srv', user: '1000:1000', hostname: 'h', network: 'none', stopSignal: 'SIGINT', isolationLevel: 'strict'},
		);
	});
});

describe('parseVolume', () => {
	it('reads SRC:DST and SRC:DST:ro|rw, resolving a relative source', () => {
		assert.deepEqual(parseVolume('/data:/data', '/w'), {source: '/data', destination: '/data', readOnly: false});
		assert.deepEqual(parseVolume('./cfg:/etc-app:ro', '/w'), {source: '/w/cfg', destination: '/etc-app', readOnly: true});
		assert.equal(parseVolume('/a:/b:rw', '/w').readOnly, false);
	});
	it('rejects malformed specs', () => {
		for (const bad of ['/only', ':/b', '/a:', '/a:/b:rx', '/a:/b:ro:x']) assert.throws(() => parseVolume(bad, '/w'), UsageError, bad);
	});
});
