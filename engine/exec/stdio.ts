// The plumbing between an exec'd command (a child of this process: runc, or the process
// driver's shell) and the caller's streams, shared by both drivers.
import type {ChildProcess} from 'node:child_process';
import {constants as osConstants} from 'node:os';
import type {Readable, Writable} from 'node:stream';
import type {ExecIO} from '../drivers/driver.js';

export type Fd = 'inherit' | 'ignore' | 'pipe';

/** What spawn gets for fds 0-2: inherited, piped where a stream is given, /dev/null otherwise. */
export function stdioFds(io: ExecIO): [Fd, Fd, Fd] {
	if (io.stdio === 'inherit') return ['inherit', 'inherit', 'inherit'];
	const {stdin, stdout, stderr} = io.stdio;
	return [stdin ? 'pipe' : 'ignore', stdout ? 'pipe' : 'ignore', stderr ? 'pipe' : 'ignore'];
}

/** The caller's stdin, fed to the child until the child ends; EOF on it closes the child's stdin. */
export function feedStdin(child: ChildProcess, io: ExecIO): void {
	if (io.stdio === 'inherit' || !io.stdio.stdin || !child.stdin) return;
	const source = io.stdio.stdin;
	const sink = child.stdin;
	// The command may end without reading all of it: what it did not take is dropped.
	sink.on('error', () => {});
	source.pipe(sink);
	child.once('exit', () => source.unpipe(sink));
}

/** The child's piped stdout to the caller's stream, which stays open. */
export function forwardStdout(child: ChildProcess, io: ExecIO): void {
	if (io.stdio !== 'inherit' && io.stdio.stdout && child.stdout) child.stdout.pipe(io.stdio.stdout as Writable, {end: false});
}

/** Where the command's stderr goes: the caller's stream, this process's stderr (inherit), or nowhere. */
export function stderrTarget(io: ExecIO): NodeJS.WritableStream | null {
	return io.stdio === 'inherit' ? process.stderr : io.stdio.stderr;
}

/** Sends the child SIGTERM when the caller aborts. Returns the function that stops listening. */
export function onAbort(child: ChildProcess, io: ExecIO): () => void {
	const {signal} = io;
	if (!signal) return () => {};
	const terminate = () => child.kill('SIGTERM');
	if (signal.aborted) terminate();
	signal.addEventListener('abort', terminate, {once: true});
	return () => signal.removeEventListener('abort', terminate);
}

/** Runs `kill` when the caller's kill signal aborts (ExecIO.kill). Returns the function that stops listening. */
export function onKill(io: ExecIO, kill: () => void): () => void {
	const {kill: signal} = io;
	if (!signal) return () => {};
	if (signal.aborted) kill();
	signal.addEventListener('abort', kill, {once: true});
	return () => signal.removeEventListener('abort', kill);
}

/** Resolves with the exit code (128 + n for signal n) once the child has ended and its piped output is read. */
export function closed(child: ChildProcess): Promise<number> {
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code, signal) => resolve(code ?? 128 + (signal ? osConstants.signals[signal] : 0)));
	});
}

/** Everything a readable stream yields until it ends, as text (a status or log pipe). */
export function readAll(stream: Readable): Promise<string> {
	return new Promise((resolve) => {
		let text = '';
		stream.setEncoding('utf8');
		stream.on('data', (chunk: string) => (text += chunk));
		stream.once('end', () => resolve(text));
		stream.once('error', () => resolve(text));
	});
}
