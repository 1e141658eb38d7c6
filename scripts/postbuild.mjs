// After tsc: bundles every entry point a process starts with (the CLI and the scripts the
// engine spawns) into dist/bundle, so a command reads a few files instead of a hundred
// modules; makes the CLI executable and copies non-TypeScript assets (fixtures) next to the build.
import {chmodSync, cpSync, existsSync, readFileSync} from 'node:fs';
import {build} from 'esbuild';

// The engine finds its spawned scripts beside its own code (new URL('./on-exit.js',
// import.meta.url)): in the bundle, every entry and chunk sits in one flat directory.
const ENTRIES = ['dist/source/cli.js', 'dist/engine/on-exit.js', 'dist/engine/health/tick.js', 'dist/engine/events/dispatch-main.js'];

await build({
	entryPoints: ENTRIES,
	outdir: 'dist/bundle',
	entryNames: '[name]',
	bundle: true,
	splitting: true,
	format: 'esm',
	platform: 'node',
	target: `node${JSON.parse(readFileSync('package.json', 'utf8')).engines.node.replace(/\D/g, '')}`,
	packages: 'external',
	logLevel: 'warning',
});

for (const cli of ['dist/source/cli.js', 'dist/bundle/cli.js']) if (existsSync(cli)) chmodSync(cli, 0o755);
if (existsSync('test/fixtures')) cpSync('test/fixtures', 'dist/test/fixtures', {recursive: true});
