// c32 generate systemd in process, against an engine double: what goes into the unit from the
// container and the flags, and every refusal as one line that writes nothing.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {describe, test} from 'node:test';
import type {ContainerConfig, ContainerInfo, Engine} from '../../engine/index.js';
import {validateConfig} from '../../engine/schema.js';
import {main} from '../../source/commands/generate.js';
import {makeTempDir} from '../helpers/engine.js';
import {fakeHost} from '../helpers/fake-host.js';
import {setting, unitSettings} from '../helpers/systemd-words.js';
import {fakeContext} from './fake-context.js';
import {container} from './sample-container.js';

const images = () => null;

function info(config: ContainerConfig): ContainerInfo {
	const resolved = validateConfig({entrypoint: 'sleep', args: ['1d'], ...config}, () => 'web', fakeHost(), images);
	const meta = container(resolved.name);
	return {
		...meta,
		config: resolved,
		paths: {bundle: '/b', log: '/l', monitorPidFile: `/var/lib/c32/containers/${meta.id}/userdata/monitor.pid`},
		userNamespace: null,
		network: null,
		networks: [],
	};
}

async function generate(args: string[], config: ContainerConfig = {}, env: NodeJS.ProcessEnv = {}) {
	const target = info(config);
	const engine: Partial<Engine> = {
		storageDir: '/var/lib/c32',
		inspectContainer: async (ref: string) => {
			if (ref !== target.name && ref !== target.id) throw Object.assign(new Error(`no such container: ${ref}`), {code: 'NOT_FOUND'});
			return target;
		},
	};
	const {ctx, out} = fakeContext(engine, {env});
	const code = await main(['systemd', ...args], ctx);
	return {code, ...out, target};
}

describe('c32 generate systemd', () => {
	test('an existing container: by id, its monitor pid file, Restart=on-failure unless told', async () => {
		const {code, stdout, stderr, target} = await generate(['web']);
		assert.equal(code, 0);
		assert.equal(stderr, "c32: web is running: stop it (c32 stop web) before the unit's first start, so that it runs under systemd\n");
		assert.equal((await generate(['--new', 'web'])).stderr, '', '--new replaces a running container itself');
		assert.match(setting(stdout, 'Service', 'ExecStart'), new RegExp(` start ${target.id}$`));
		assert.equal(setting(stdout, 'Service', 'PIDFile'), target.paths.monitorPidFile);
		assert.equal(setting(stdout, 'Service', 'Restart'), 'on-failure');
		assert.equal(setting(stdout, 'Service', 'Environment'), '"C32_STORAGE_DIR=/var/lib/c32"');
		const told = await generate(['--name', '--restart-policy', 'always', '--stop-timeout', '5', 'web'], {stopSignal: 'SIGINT'});
		assert.match(setting(told.stdout, 'Service', 'ExecStart'), / start web$/);
		assert.match(setting(told.stdout, 'Service', 'ExecStop'), / stop --time 5 web$/);
		assert.equal(setting(told.stdout, 'Service', 'Restart'), 'always');
		assert.equal(setting(told.stdout, 'Service', 'TimeoutStopSec'), '65');
		assert.equal(setting(told.stdout, 'Service', 'SuccessExitStatus'), '130', '128 + SIGINT, its stop signal');
	});

	test('the runtime settings that are set are carried; the storage root always is', async () => {
		const {stdout} = await generate(
			['web'],
			{},
			{C32_RUNTIME_DIR: '/run/c32-rt', C32_RUNTIME: 'crun', CONTAINER_STORAGE_DIR: '/elsewhere'},
		);
		assert.deepEqual(unitSettings(stdout).get('Service')?.get('Environment'), [
			'"C32_STORAGE_DIR=/var/lib/c32"',
			'"C32_RUNTIME_DIR=/run/c32-rt"',
			'"C32_RUNTIME=crun"',
		]);
	});

	test("--new: the container's policy becomes systemd's, the container runs with none", async () => {
		const cases: [ContainerConfig['restartPolicy'], string, string | undefined][] = [
			['no', 'no', undefined],
			['on-failure', 'on-failure', undefined],
			['on-failure:4', 'on-failure', '4'],
			['always', 'always', undefined],
			['unless-stopped', 'always', undefined],
		];
		for (const [policy, restart, burst] of cases) {
			const {code, stdout} = await generate(['--new', 'web'], {restartPolicy: policy});
			assert.equal(code, 0);
			assert.equal(setting(stdout, 'Service', 'Restart'), restart, String(policy));
			assert.equal(unitSettings(stdout).get('Unit')?.get('StartLimitBurst')?.[0], burst);
			assert.doesNotMatch(setting(stdout, 'Service', 'ExecStart'), /--restart/);
			assert.match(
				setting(stdout, 'Service', 'ExecStart'),
				/ run --detach --replace --cidfile=%t\/%n\.ctr-id --monitor-pidfile=%t\/%n\.pid\s+--name=web\s/,
			);
		}
		const given = await generate(['--new', '--restart-policy', 'on-abnormal', 'web'], {restartPolicy: 'always'});
		assert.equal(setting(given.stdout, 'Service', 'Restart'), 'on-abnormal', '--restart-policy wins');
	});

	test('--new drops a pid file of its own: the unit gives the one it names', async () => {
		const {stdout} = await generate(['--new', 'web'], {monitorPidFile: '/tmp/old.pid'});
		assert.doesNotMatch(stdout, /old\.pid/);
	});

	test('--files writes DIR/c32-NAME.service (0644) and prints its path', async () => {
		const dir = makeTempDir('c32-units-');
		try {
			const {code, stdout} = await generate(['--files', dir, 'web']);
			assert.equal(code, 0);
			const file = path.join(dir, 'c32-web.service');
			assert.equal(stdout, `${file}\n`);
			assert.equal(fs.statSync(file).mode & 0o777, 0o644);
			assert.match(fs.readFileSync(file, 'utf8'), /^Type=forking$/m);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	test('what the container holds and a unit cannot: one line, exit 1, nothing written', async () => {
		const dir = makeTempDir('c32-units-');
		try {
			const cases: [string[], ContainerConfig, RegExp][] = [
				[
					['web'],
					{restartPolicy: 'on-failure:3'},
					/^c32: error: web has restart policy on-failure:3, and systemd would restart it too: use --new/,
				],
				[['web'], {autoRemove: true}, /^c32: error: web removes itself once it ends \(--rm\)/],
				[['boot'], {name: 'boot'}, /^c32: error: c32-boot\.service is the unit of c32 system install-boot/],
				[['--name', 'cafe'], {name: 'cafe'}, /^c32: error: the name cafe is also an id prefix: .* leave out --name/],
				[['--new', 'web'], {environment: {A: 'one\ntwo'}}, /^c32: error: .*has a control character: a unit file cannot hold it/],
			];
			for (const [args, config, message] of cases) {
				const {code, stdout, stderr} = await generate(['--files', dir, ...args], config);
				assert.equal(code, 1, stderr);
				assert.match(stderr, message);
				assert.equal(stderr.split('\n').length, 2, `one line: ${stderr}`);
				assert.equal(stdout, '');
			}
			assert.deepEqual(fs.readdirSync(dir), []);
		} finally {
			fs.rmSync(dir, {recursive: true, force: true});
		}
	});

	test('bad flags: a usage error before the engine is asked', async () => {
		for (const [args, message] of [
			[['--restart-policy', 'sometimes', 'web'], /invalid --restart-policy "sometimes"/],
			[['--stop-timeout', 'soon', 'web'], /invalid --stop-timeout "soon"/],
			[['--new', '--name', 'web'], /--name goes without --new/],
		] as const) {
			const {ctx, out} = fakeContext({});
			assert.equal(await main(['systemd', ...args], ctx), 2);
			assert.match(out.stderr, message);
		}
	});
});
