// Replacing a whole file so that a reader (or a crash) sees the old content or the new,
// never a mix: a private temporary file beside it, flushed to disk, renamed over it.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';

const {O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW} = fs.constants;

/** Writes `text` to `file` atomically with `mode`; the temporary file never outlives a failure. */
export function writeFileAtomic(file: string, text: string, mode = 0o600): void {
	const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
	try {
		const fd = fs.openSync(temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
		try {
			fs.writeSync(fd, text);
			fs.fsyncSync(fd);
		} finally {
			fs.closeSync(fd);
		}
		fs.renameSync(temp, file);
	} catch (error) {
		fs.rmSync(temp, {force: true});
		throw error;
	}
}
