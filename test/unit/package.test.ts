// The npm package ships what runs (the built engine, CLI, dashboard and exit command,
// the docs and examples) and nothing of the tests, benchmarks or screenshots.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

test('npm pack carries the build, docs and examples, not tests, bench or screenshots', () => {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	const files = (JSON.parse(out) as {files: {path: string}[]}[])[0]!.files.map((f) => f.path);
	for (const needed of [
		'package.json',
		'README.md',
		'c32',
		'scripts/setup.sh',
		'dist/source/cli.js',
		'dist/bundle/cli.js',
		'dist/bundle/c32.cjs',
		'dist/bundle/on-exit.js',
		'dist/engine/index.js',
		'dist/engine/index.d.ts',
		'dist/engine/on-exit.js',
		'dist/components/dashboard.js',
		'docs/security.md',
		'examples/workers/bot.py',
	]) {
		assert.ok(files.includes(needed), `the package lacks ${needed}`);
	}
	const unwanted = files.filter(
		(f) => /^(dist\/)?(test|bench|screenshots)\//.test(f) || f.endsWith('.map') || /^(engine|source|components)\/.*\.tsx?$/.test(f),
	);
	assert.deepEqual(unwanted, []);
});
