// Runs every benchmark in turn; each prints its table and writes its section of bench/RESULTS.md.
// Needs root, runc and conmon; podman is compared where installed. Takes several minutes.
import {spawnSync} from 'node:child_process';
import {fileURLToPath} from 'node:url';

const BENCHMARKS = [
	'engine-lifecycle.js',
	'metrics.js',
	'cli-commands.js',
	'image-start.js',
	'network.js',
	'top-render.js',
	'top-cpu.js',
	'scale.js',
	'pm2.js',
	// Last: it reads what the others wrote.
	'targets.js',
];

// NODE_EXTRA_CA_CERTS makes every Node process read and parse certificates before it runs
// anything (about 30 ms on the bench host, whose sandbox sets it): a cost of that shell, not of
// c32, and one podman does not pay. The benchmarks run as a user's shell would, without it.
const env = {...process.env};
delete env.NODE_EXTRA_CA_CERTS;

let failed = 0;
for (const script of BENCHMARKS) {
	console.log(`\n== ${script}`);
	const result = spawnSync(process.execPath, [fileURLToPath(new URL(`./${script}`, import.meta.url)), ...process.argv.slice(2)], {
		stdio: 'inherit',
		env,
	});
	if (result.status !== 0) failed += 1;
}
process.exitCode = failed === 0 ? 0 : 1;
