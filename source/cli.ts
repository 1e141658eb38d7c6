#!/usr/bin/env node
import process from 'node:process';
import {version} from './version.js';

if (Number(process.versions.node.split('.')[0]) < 20) {
	process.stderr.write(
		`c32: error: c32 needs Node.js 20 or newer (found ${process.version}): install it from your distribution or nodejs.org\n`,
	);
	process.exit(1);
}

const argv = process.argv.slice(2);
// Scripts probe with --version: it answers before the rest of the CLI loads.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
	process.stdout.write(`${version()}\n`);
} else {
	// A function, not top-level await: the bundle is CommonJS (its code cache needs it).
	void main(argv);
}

async function main(argv: string[]): Promise<void> {
	// `ps` and `top` on the host show c32, not node.
	process.title = 'c32';
	const [{flushed}, {processContext}, {runCli}] = await Promise.all([
		import('./lib/output.js'),
		import('./lib/process-context.js'),
		import('./main.js'),
	]);
	// `c32 logs x | head` closes the pipe early: that is the reader's choice, not an error.
	for (const stream of [process.stdout, process.stderr]) {
		stream.on('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'EPIPE') process.exit(0);
			throw error;
		});
	}
	const code = await runCli(argv, processContext());
	// process.exit drops what a pipe has not taken yet: wait until the reader has it all.
	await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
	process.exit(code);
}
