// Whether an executable is statically linked: an ELF file without a PT_INTERP program header
// needs no dynamic loader or libraries, so it runs in any container root it is bound into.
import fs from 'node:fs';

const PT_INTERP = 3;
/** The program headers of any real executable lie well inside this many bytes. */
const HEADER_BYTES = 64 * 1024;

/** Reads `file`'s leading bytes and tells whether it is a static ELF executable. */
export function isStaticExecutable(file: string): boolean {
	let fd: number;
	try {
		fd = fs.openSync(file, 'r');
	} catch {
		return false;
	}
	try {
		const buffer = Buffer.alloc(HEADER_BYTES);
		const length = fs.readSync(fd, buffer, 0, HEADER_BYTES, 0);
		return isStaticElf(buffer.subarray(0, length));
	} finally {
		fs.closeSync(fd);
	}
}

/** Pure: an ELF image (32 or 64 bit, either byte order) with program headers and no PT_INTERP. */
export function isStaticElf(image: Buffer): boolean {
	if (image.length < 52 || image.readUInt32BE(0) !== 0x7f454c46) return false;
	const wide = image[4] === 2;
	const little = image[5] === 1;
	const u16 = (at: number) => (little ? image.readUInt16LE(at) : image.readUInt16BE(at));
	const u32 = (at: number) => (little ? image.readUInt32LE(at) : image.readUInt32BE(at));
	const u64 = (at: number) => Number(little ? image.readBigUInt64LE(at) : image.readBigUInt64BE(at));
	if (wide && image.length < 64) return false;
	const phoff = wide ? u64(0x20) : u32(0x1c);
	const phentsize = u16(wide ? 0x36 : 0x2a);
	const phnum = u16(wide ? 0x38 : 0x2c);
	if (phnum === 0 || phentsize < 4 || phoff + phnum * phentsize > image.length) return false;
	for (let i = 0; i < phnum; i++) if (u32(phoff + i * phentsize) === PT_INTERP) return false;
	return true;
}
