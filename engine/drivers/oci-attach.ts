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

/** Connects to the attach socket in `bundleDir`; RUNTIME_ERROR when nothing serves it. */
export async function connectAttach(bundleDir: string, output: AttachOutput): Promise<AttachConnection> {
	const {SeqpacketSocket} = await import('node-unix-socket');
	const dir = fs.openSync(bundleDir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
	const socket = new SeqpacketSocket();
	try {
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
	} catch (error) {
		socket.destroy();
		const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
		throw new C32Error('RUNTIME_ERROR', `cannot attach: the container's monitor does not answer (${reason})`);
	} finally {
		fs.closeSync(dir);
	}
	return new ConmonAttach(socket, bundleDir, output);
}

class ConmonAttach implements AttachConnection {
	readonly closed: Promise<void>;
	private done = false;
	private control: number | null = null;

	constructor(
		private readonly socket: SeqpacketSocket,
		private readonly bundleDir: string,
		output: AttachOutput,
	) {
		socket.on('data', (packet: Buffer) => {
			const data = packet.subarray(1);
			if (packet[0] === 2) output.stdout.write(data);
			else if (packet[0] === 3) output.stderr.write(data);
		});
		this.closed = new Promise<void>((resolve) => {
			socket.once('end', resolve);
			// An error (EPIPE, ECONNRESET) only says that the connection is gone.
			socket.on('error', () => resolve());
		}).then(() => this.close());
	}

	async write(data: Buffer): Promise<void> {
		for (let offset = 0; offset < data.length && !this.done; offset += MAX_PACKET) {
			const packet = data.subarray(offset, offset + MAX_PACKET);
			await new Promise<void>((resolve) => {
				try {
					this.socket.write(packet, 0, packet.length, resolve);
				} catch {
					// Shut down by conmon meanwhile (the container ended): the input has nowhere to go.
					this.close();
					resolve();
				}
			});
		}
	}

	endInput(): void {
		if (this.done) return;
		try {
			this.socket.end();
		} catch {
			this.close();
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
		this.socket.destroy();
		if (this.control !== null) fs.closeSync(this.control);
		this.control = null;
	}
}
