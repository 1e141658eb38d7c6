// Extended attributes of many files at once. Node has no xattr calls, so c32 drives
// setfattr and getfattr (the Debian package attr) in batches: one process for a whole
// layer's attributes instead of one per file. Neither ever follows a symlink (-h).
import {spawn} from 'node:child_process';
import {C32Error} from '../errors.js';
import {findExecutable} from '../host.js';

export type Xattrs = Map<string, Buffer>;

/** How many paths (or bytes of them) one getfattr gets: well under ARG_MAX. */
const MAX_ARGUMENT_BYTES = 128 * 1024;

function tool(name: 'setfattr' | 'getfattr'): string {
	const found = findExecutable(name);
	if (found === null) {
		throw new C32Error(
			'UNSUPPORTED',
			`${name} is not installed, and image layers need it for extended attributes: apt-get install -y attr`,
		);
	}
	return found;
}

/** The setfattr/getfattr quoting of a name: a backslash and every byte outside printable ASCII as \ooo. */
export function quoteName(name: string): string {
	let out = '';
	for (const byte of Buffer.from(name)) {
		out +=
			byte > 0x20 && byte < 0x7f && byte !== 0x5c && byte !== 0x3d ? String.fromCharCode(byte) : `\\${byte.toString(8).padStart(3, '0')}`;
	}
	return out;
}

/** The inverse of getfattr's quoting (\ooo escapes) as the bytes' UTF-8 text. */
export function unquoteName(quoted: string): string {
	const bytes: number[] = [];
	const raw = Buffer.from(quoted, 'latin1');
	for (let i = 0; i < raw.length; i++) {
		const digits = raw.subarray(i + 1, i + 4).toString('latin1');
		if (raw[i] === 0x5c && /^[0-7]{3}$/.test(digits)) {
			bytes.push(Number.parseInt(digits, 8));
			i += 3;
		} else bytes.push(raw[i]!);
	}
	return Buffer.from(bytes).toString('utf8');
}

/** setfattr --restore input that sets `xattrs` on each path (absolute). */
export function restoreScript(entries: Iterable<[string, Xattrs]>): string {
	let out = '';
	for (const [file, xattrs] of entries) {
		if (xattrs.size === 0) continue;
		out += `# file: ${quoteName(file)}\n`;
		for (const [name, value] of xattrs) out += `${quoteName(name)}=0s${value.toString('base64')}\n`;
		out += '\n';
	}
	return out;
}

/** Sets the attributes on every path in one setfattr; a path that is a symlink gets them itself. */
export async function setXattrs(entries: Iterable<[string, Xattrs]>): Promise<void> {
	const script = restoreScript(entries);
	if (script === '') return;
	const {code, stderr} = await run(tool('setfattr'), ['-h', '--restore=-'], script, []);
	if (code !== 0) {
		throw new C32Error(
			'IMAGE_INVALID',
			`cannot set extended attributes of layer files: ${firstLine(stderr) || `setfattr exited with ${code}`}`,
		);
	}
}

/**
 * The attributes of the named entries of open directories: `names[i]` are read inside
 * `dirFds[i]` (handed to getfattr as its fds 3, 4, ...), so a directory swapped for a symlink
 * meanwhile is not followed. '.' names the directory itself. Keyed "<i>/<name>".
 */
export async function readXattrsIn(dirFds: number[], names: string[][]): Promise<Map<string, Xattrs>> {
	const result = new Map<string, Xattrs>();
	const batch: string[] = [];
	let bytes = 0;
	const flush = async () => {
		if (batch.length === 0) return;
		const args = ['-h', '-d', '-m', '-', '-e', 'base64', '--absolute-names', '--', ...batch];
		const {code, stdout, stderr} = await run(tool('getfattr'), args, '', dirFds);
		if (code !== 0) throw new Error(`getfattr failed: ${firstLine(stderr) || `exit ${code}`}`);
		for (const [file, xattrs] of parseDump(stdout)) {
			const match = /^\/proc\/self\/fd\/([0-9]+)\/(.*)$/s.exec(file);
			if (match) result.set(`${Number(match[1]) - 3}/${match[2]}`, xattrs);
		}
		batch.length = 0;
		bytes = 0;
	};
	for (const [i, list] of names.entries()) {
		for (const name of list) {
			const arg = `/proc/self/fd/${i + 3}/${name}`;
			if (bytes + arg.length > MAX_ARGUMENT_BYTES) await flush();
			batch.push(arg);
			bytes += arg.length + 1;
		}
	}
	await flush();
	return result;
}

/** Parses `getfattr -d -e base64` output: "# file: P" blocks of "name=0s…" lines. */
export function parseDump(dump: string): Map<string, Xattrs> {
	const files = new Map<string, Xattrs>();
	let current: Xattrs | null = null;
	for (const line of dump.split('\n')) {
		if (line.startsWith('# file: ')) {
			current = new Map();
			files.set(unquoteName(line.slice('# file: '.length)), current);
		} else if (line !== '' && current !== null) {
			const equals = line.indexOf('=');
			const name = unquoteName(equals < 0 ? line : line.slice(0, equals));
			current.set(name, decodeValue(equals < 0 ? '' : line.slice(equals + 1)));
		}
	}
	return files;
}

function decodeValue(value: string): Buffer {
	if (value.startsWith('0s')) return Buffer.from(value.slice(2), 'base64');
	if (value.startsWith('0x')) return Buffer.from(value.slice(2), 'hex');
	if (value.startsWith('"') && value.endsWith('"')) return Buffer.from(unquoteName(value.slice(1, -1)), 'utf8');
	return Buffer.from(value, 'utf8');
}

/** Attributes that steer overlayfs itself (opaque, redirect, metacopy...): never taken from or put into a layer as data. */
export function isOverlayXattr(name: string): boolean {
	return name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.');
}

export const OPAQUE_XATTR = 'trusted.overlay.opaque';
export const CAPABILITY_XATTR = 'security.capability';

const CAP_REVISION_MASK = 0xff000000;
const CAP_REVISION_2 = 0x02000000;
const CAP_REVISION_3 = 0x03000000;

/**
 * A file capability for a layer copy whose ids are shifted: a v2 capability (valid in the
 * initial user namespace only) becomes v3 with rootid = shift, so a container whose root
 * is mapped to `shift` gets it; a v3 one has its rootid shifted. `shift` 0 changes nothing.
 */
export function shiftCapability(value: Buffer, shift: number): Buffer {
	if (shift === 0 || value.length < 20) return value;
	const revision = value.readUInt32LE(0) & CAP_REVISION_MASK;
	if (revision === CAP_REVISION_2 && value.length === 20) {
		const v3 = Buffer.alloc(24);
		value.copy(v3);
		v3.writeUInt32LE(((value.readUInt32LE(0) & ~CAP_REVISION_MASK) | CAP_REVISION_3) >>> 0, 0);
		v3.writeUInt32LE(shift, 20);
		return v3;
	}
	if (revision === CAP_REVISION_3 && value.length === 24) {
		const v3 = Buffer.from(value);
		v3.writeUInt32LE((value.readUInt32LE(20) + shift) >>> 0, 20);
		return v3;
	}
	return value;
}

/** The inverse of shiftCapability: a v3 capability of rootid `shift` is v2 again. */
export function unshiftCapability(value: Buffer, shift: number): Buffer {
	if (shift === 0 || value.length !== 24 || (value.readUInt32LE(0) & CAP_REVISION_MASK) !== CAP_REVISION_3) return value;
	const rootid = value.readUInt32LE(20);
	if (rootid === shift) {
		const v2 = Buffer.from(value.subarray(0, 20));
		v2.writeUInt32LE(((value.readUInt32LE(0) & ~CAP_REVISION_MASK) | CAP_REVISION_2) >>> 0, 0);
		return v2;
	}
	if (rootid < shift) return value;
	const v3 = Buffer.from(value);
	v3.writeUInt32LE(rootid - shift, 20);
	return v3;
}

function firstLine(text: string): string {
	return text.trim().split('\n')[0] ?? '';
}

/** Runs a tool with `input` on stdin and `fds` as its fds 3, 4, ...; collects its output. */
function run(file: string, args: string[], input: string, fds: number[]): Promise<{code: number | null; stdout: string; stderr: string}> {
	return new Promise((resolve, reject) => {
		const child = spawn(file, args, {stdio: ['pipe', 'pipe', 'pipe', ...fds], env: {...process.env, LC_ALL: 'C'}});
		let stdout = '';
		let stderr = '';
		child.stdout!.setEncoding('latin1').on('data', (text: string) => {
			stdout += text;
		});
		child.stderr!.setEncoding('utf8').on('data', (text: string) => {
			if (stderr.length < 4096) stderr += text;
		});
		child.once('error', reject);
		child.once('close', (code) => resolve({code, stdout, stderr}));
		child.stdin!.on('error', () => {
			// a tool that exits early: its exit status tells
		});
		child.stdin!.end(input);
	});
}
