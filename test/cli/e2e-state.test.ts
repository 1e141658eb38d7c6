// export, import, doctor, completion, help, version and top's guard, end to end.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {needsRuntime} from '../helpers/engine.js';
import {FULL_ID, suiteSandbox} from './binary.js';

describe('export and import', () => {
	const box = suiteSandbox();

	it('exports the state JSON to a file or stdout and imports it under a new name', async (t) => {
		if (!needsRuntime(t)) return;
		await box.run(['create', '--name', 'original', '-m', '32', '-e', 'MODE=test', '-l', 'k=v', '--', 'sh', '-c', 'echo $MODE']);
		const file = path.join(box.dir, 'state.json');
		const toFile = await box.run(['export', 'original', '--output', file]);
		assert.deepEqual([toFile.code, toFile.stdout], [0, ''], toFile.stderr);
		const state = JSON.parse(fs.readFileSync(file, 'utf8'));
		assert.equal(state.metadata.name, 'original');
		assert.deepEqual(state.config.environment, {MODE: 'test'});
		assert.equal(typeof state.formatVersion, 'number');
		const toStdout = await box.run(['export', 'original']);
		assert.deepEqual(JSON.parse(toStdout.stdout).config, state.config);

		const clash = await box.run(['import', file]);
		assert.equal(clash.code, 1);
		assert.match(clash.stderr, /^c32: error: .*original/);

		const imported = await box.run(['import', '--name', 'copy', file]);
		assert.equal(imported.code, 0, imported.stderr);
		assert.match(imported.stdout.trim(), FULL_ID);
		const [copy] = JSON.parse((await box.run(['inspect', 'copy'])).stdout);
		assert.equal(copy.state, 'created');
		assert.deepEqual(copy.config.resourceLimits, {memoryLimitMb: 32, maxProcesses: 2048, maxOpenFiles: 4096});
		assert.deepEqual(copy.labels, {k: 'v'});
		const ran = await box.run(['start', 'copy']);
		assert.equal(ran.code, 0, ran.stderr);
		assert.equal((await box.run(['wait', 'copy'])).stdout, '0\n');
		assert.equal((await box.run(['logs', 'copy'])).stdout, 'test\n');
	});

	it('imports from stdin', async (t) => {
		if (!needsRuntime(t)) return;
		const state = (await box.run(['export', 'original'])).stdout;
		const result = await box.run(['import', '--name', 'piped', '-'], {input: state});
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout.trim(), FULL_ID);
	});

	it('explains a missing or broken file', async () => {
		const missing = await box.run(['import', 'nope.json']);
		assert.equal(missing.code, 1);
		assert.equal(
			missing.stderr,
			'c32: error: nope.json does not exist: give a file written by c32 export, or a tar of a root filesystem\n',
		);
		fs.writeFileSync(path.join(box.dir, 'broken.json'), '{"half":');
		const broken = await box.run(['import', 'broken.json']);
		assert.equal(broken.stderr, 'c32: error: broken.json is not JSON: give a file written by c32 export\n');
		fs.writeFileSync(path.join(box.dir, 'other.json'), '{"a": 1}');
		const other = await box.run(['import', 'other.json']);
		assert.match(other.stderr, /is not a c32 export/);
	});
});

describe('help, version, doctor, completion, top', () => {
	const box = suiteSandbox();

	it('shows usage with every command and the version', async () => {
		const help = await box.run(['--help']);
		assert.equal(help.code, 0);
		for (const command of [
			'run',
			'create',
			'start',
			'stop',
			'restart',
			'pause',
			'resume',
			'kill',
			'wait',
			'rm',
			'ps',
			'list',
			'inspect',
			'logs',
			'stats',
			'export',
			'import',
			'top',
			'doctor',
			'completion',
		]) {
			assert.match(help.stdout, new RegExp(`^  ${command} +\\S`, 'm'), command);
		}
		assert.doesNotMatch(help.stdout, /__names/);
		const pkg = JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
		assert.equal((await box.run(['--version'])).stdout, `${pkg.version}\n`);
		const bare = await box.run([]);
		assert.equal(bare.code, 2);
	});

	it('shows each command its own usage with examples', async () => {
		for (const command of ['run', 'ps', 'logs', 'stats', 'export', 'import', 'completion', 'top', 'doctor', 'stop']) {
			const result = await box.run([command, '--help']);
			assert.equal(result.code, 0, command);
			assert.match(result.stdout, new RegExp(`Usage\\n  \\$ c32 ${command}`), command);
			assert.match(result.stdout, /Examples\n {2}\$ \S/, command);
		}
		assert.equal((await box.run(['help', 'logs'])).stdout, (await box.run(['logs', '-h'])).stdout);
	});

	it('suggests the command meant by a typo, with exit 2', async () => {
		const result = await box.run(['stpo', 'x']);
		assert.equal(result.code, 2);
		assert.equal(result.stderr, `c32: error: unknown command "stpo"; did you mean "stop"?\nSee 'c32 --help'.\n`);
	});

	it('reports what the host supports', async (t) => {
		if (!needsRuntime(t)) return;
		const result = await box.run(['doctor']);
		assert.equal(result.code, 0, result.stderr);
		assert.match(result.stdout, /^OCI runtime\s+runc /m);
		assert.match(result.stdout, /^conmon\s+\d/m);
		assert.match(result.stdout, /^cgroups\s+(v1|v2|hybrid)/m);
		assert.match(result.stdout, /^CNI plugins\s+bridge, host-local, portmap, bandwidth, firewall, loopback \(/m);
		assert.match(result.stdout, /^iptables\s+\d/m);
		const json = JSON.parse((await box.run(['doctor', '--json'])).stdout);
		assert.equal(json.storageDir, box.dir);
		assert.ok(Array.isArray(json.problems));
	});

	it('prints bash and zsh completion that complete commands, flags and container names', async (t) => {
		const bash = await box.run(['completion', 'bash']);
		assert.equal(bash.code, 0);
		const script = path.join(box.dir, 'c32.bash');
		fs.writeFileSync(script, bash.stdout);
		execFileSync('bash', ['-n', script]);
		const zsh = await box.run(['completion', 'zsh']);
		assert.match(zsh.stdout, /^#compdef c32\n/);
		assert.match(zsh.stdout, /'logs:Print or follow a container'\\''s output'/);
		assert.equal((await box.run(['completion', 'fish'])).code, 2);
		if (!needsRuntime(t)) return;
		await box.run(['create', '--name', 'completable', '--', 'true']);
		// A `c32` on PATH that is this build, as the completion function calls it.
		const bin = path.join(box.dir, 'bin');
		fs.mkdirSync(bin);
		fs.writeFileSync(
			path.join(bin, 'c32'),
			`#!/bin/sh\nexec ${process.execPath} ${JSON.stringify(path.resolve(new URL('../../bundle/c32.cjs', import.meta.url).pathname))} "$@"\n`,
			{mode: 0o755},
		);
		const complete = (words: string[]) =>
			execFileSync(
				'bash',
				[
					'-c',
					`source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _c32; printf '%s\\n' "\${COMPREPLY[@]}"`,
				],
				{
					env: {...process.env, PATH: `${bin}:${process.env['PATH']}`, C32_STORAGE_DIR: box.dir},
					encoding: 'utf8',
				},
			)
				.trim()
				.split('\n');
		assert.deepEqual(complete(['c32', 'log']), ['logs']);
		assert.deepEqual(complete(['c32', 'image', 'in']), ['inspect']);
		assert.deepEqual(complete(['c32', 'logs', 'comp']), ['completable']);
		assert.ok(complete(['c32', 'logs', '--ta']).includes('--tail'));
		assert.ok(complete(['c32', 'stats', '--no']).includes('--no-stream'));
	});

	it('refuses to start the dashboard without a terminal', async () => {
		const result = await box.run(['top']);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^c32: error: c32 top needs a terminal/);
	});
});
