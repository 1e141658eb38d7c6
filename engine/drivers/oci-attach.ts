// A client of conmon's attach socket: the container's live output, its stdin (or terminal),
// and resizes of its terminal. The socket is SOCK_SEQPACKET, which Node's net module cannot
// speak, so node-unix-socket (a native addon) does; it loads only here, on first attach.
//
// conmon binds `attach` in the bundle directory and links `<socketDir>/<short id>` to it; the
// client connects through /proc/self/fd/<bundle dir>, so no path length limit applies.
// Packets from conmon: one byte naming the stream (2 stdout, 3 stderr), then the data. Bytes
// sent to it go to the container's stdin (its terminal with -t); shutting down the write
// side passes EOF on (-i). Resizes go through the `ctl` FIFO beside it: "1 <rows> <cols>\n".
import fs from 'node:fs';
import type {AttachSink} from '../api.js';
import {C32Error} from '../errors.js';

/** The largest packet conmon reads in one go (its buffer is 32 KiB). */
const MAX_PACKET = 16 * 1024;

export interface AttachOutput {
	stdout: AttachSink;
	stderr: AttachSink;
}

export interface AttachConnection {
	/** Resolves once conmon closed the connection: the container ended (or conmon is gone). */
	readonly closed: Promise<void>;
	/** Sends input; resolves once the system has it (the caller's backpressure). */
	write(data: Buffer): Promise<void>;
	/** EOF to the container's stdin; output keeps coming. */
	endInput(): void;
	/** Sets the size of the container's terminal. */
	resize(rows: number, columns: number): void;
	/** Leaves without EOF (a detach); idempotent. */
	close(): void;
}

type SeqpacketSocket = import('node-unix-socket').SeqpacketSocket;

/**
 * Connects to the attach socket in `bundleDir`; RUNTIME_ERROR when nothing serves it. With
 * `input`, a second connection carries the input. One connection for both would lose output:
 * when the container ends while conmon holds unread input of a connection (a process that
 * stopped reading), conmon's close resets that connection (ECONNRESET), and what it had
 * sent on it is discarded unread. The output connection never sends, so it ends cleanly,
 * its output all read. Output comes on both; the input connection's is dropped.
 */
export async function connectAttach(bundleDir: string, output: AttachOutput, options: {input: boolean}): Promise<AttachConnection> {
	const {SeqpacketSocket} = await import('node-unix-socket');
	const dir = fs.openSync(bundleDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
	const sockets: SeqpacketSocket[] = [];
	try {
		for (let i = 0; i < (options.input ? 2 : 1); i++) {
			const socket = new SeqpacketSocket();
			sockets.push(socket);
			await new Promise<void>((resolve, reject) => {
				socket.once('error', reject);
				try {
					socket.connect(`/proc/self/fd/${dir}/attach`, () => {
						socket.off('error', reject);
						resolve();
					});
				} catch (error) {
					reject(error);
				}
			});
		}
	} catch (error) {
		for (const socket of sockets) socket.destroy();
		const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
		throw new C32Error('RUNTIME_ERROR', `cannot attach: the container's monitor does not answer (${reason})`);
	} finally {
		fs.closeSync(dir);
	}
	return new ConmonAttach(sockets[0]!, sockets[1] ?? null, bundleDir, output);
}

class ConmonAttach implements AttachConnection {
	readonly closed: Promise<void>;
	private done = false;
	private control: number | null = null;

	constructor(
		private readonly output: SeqpacketSocket,
		private readonly input: SeqpacketSocket | null,
		private readonly bundleDir: string,
		sinks: AttachOutput,
	) {
		output.on('data', (packet: Buffer) => {
			const data = packet.subarray(1);
			if (packet[0] === 2) sinks.stdout.write(data);
			else if (packet[0] === 3) sinks.stderr.write(data);
		});
		this.closed = new Promise<void>((resolve) => {
			output.once('end', resolve);
			// An error (ECONNRESET) only says that the connection is gone.
			output.on('error', () => resolve());
		}).then(() => this.close());
		// Its copy of the output is read (conmon blocks on a full reader) and dropped; its end says nothing the other's does not.
		input?.on('error', () => {});
	}

	async write(data: Buffer): Promise<void> {
		for (let offset = 0; offset < data.length && !this.done && this.input; offset += MAX_PACKET) {
			const packet = data.subarray(offset, offset + MAX_PACKET);
			const input = this.input;
			await new Promise<void>((resolve) => {
				try {
					input.write(packet, 0, packet.length, resolve);
				} catch {
					// Shut down meanwhile (the container ended): the input has nowhere to go.
					resolve();
				}
			});
		}
	}

	endInput(): void {
		if (this.done) return;
		try {
			this.input?.end();
		} catch {
			// Already shut down.
		}
	}

	resize(rows: number, columns: number): void {
		if (this.done || !(rows > 0 && columns > 0)) return;
		try {
			this.control ??= fs.openSync(`${this.bundleDir}/ctl`, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW);
			fs.writeSync(this.control, `1 ${Math.trunc(rows)} ${Math.trunc(columns)}\n`);
		} catch {
			// conmon is gone, or its FIFO is full: the next resize tries again.
		}
	}

	close(): void {
		if (this.done) return;
		this.done = true;
		this.output.destroy();
		this.input?.destroy();
		if (this.control !== null) fs.closeSync(this.control);
		this.control = null;
	}
}
