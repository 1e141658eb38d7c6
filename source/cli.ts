#!/usr/bin/env node
import process from 'node:process';
import {flushed} from './lib/output.js';
import {processContext} from './lib/process-context.js';
import {runCli} from './main.js';

// `c32 logs x | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
	stream.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(0);
		throw error;
	});
}

const code = await runCli(process.argv.slice(2), processContext());
// process.exit drops what a pipe has not taken yet: wait until the reader has it all.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
