// Device nodes, fifos and overlay whiteouts (0:0 character devices) of a layer. Node cannot
// mknod, so coreutils' mknod makes them, many per spawn: one shell runs the whole batch, so
// a layer deleting a thousand files costs one process from Node, not a thousand.
import {execFile} from 'node:child_process';

export interface SpecialFile {
	/** Absolute; its parent is a real directory nobody else writes. */
	path: string;
	type: 'char' | 'block' | 'fifo';
	major: number;
	minor: number;
}

const SCRIPT = [
	'while [ "$#" -gt 0 ]; do',
	'  if [ "$2" = p ]; then mknod -- "$1" p || exit 1; else mknod -- "$1" "$2" "$3" "$4" || exit 1; fi',
	'  shift 4',
	'done',
].join('\n');

/** Argument bytes per shell: well under ARG_MAX. */
const MAX_ARGUMENT_BYTES = 256 * 1024;

const TYPE_LETTER = {char: 'c', block: 'b', fifo: 'p'} as const;

/** Makes every node (none may exist yet); the paths are passed as arguments, never as shell text. */
export async function makeSpecialFiles(files: SpecialFile[]): Promise<void> {
	let batch: string[] = [];
	let bytes = 0;
	for (const file of files) {
		const args = [file.path, TYPE_LETTER[file.type], String(file.major), String(file.minor)];
		const size = args.reduce((sum, arg) => sum + Buffer.byteLength(arg) + 1, 0);
		if (bytes + size > MAX_ARGUMENT_BYTES) {
			await runBatch(batch);
			batch = [];
			bytes = 0;
		}
		batch.push(...args);
		bytes += size;
	}
	await runBatch(batch);
}

function runBatch(args: string[]): Promise<void> {
	if (args.length === 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		execFile(
			'/bin/sh',
			['-c', SCRIPT, 'sh', ...args],
			{env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'}},
			(error, _stdout, stderr) => {
				if (error) reject(new Error(`mknod failed: ${String(stderr).trim().split('\n')[0] || error.message}`));
				else resolve();
			},
		);
	});
}
