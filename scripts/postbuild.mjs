// Makes the CLI entry executable and copies non-TypeScript assets (fixtures) next to the build.
import {chmodSync, cpSync, existsSync} from 'node:fs';

if (existsSync('dist/source/cli.js')) chmodSync('dist/source/cli.js', 0o755);
if (existsSync('test/fixtures')) cpSync('test/fixtures', 'dist/test/fixtures', {recursive: true});
