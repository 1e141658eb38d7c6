// Where this c32 is installed: what a systemd unit's ExecStart runs, by absolute path.
import fs from 'node:fs';
import {UsageError} from './errors.js';

/** The running cli.js, links resolved. */
export function thisCli(): string {
	const script = process.argv[1];
	if (!script) throw new UsageError('cannot tell where this c32 is installed: run it as c32 or node .../cli.js');
	return fs.realpathSync(script);
}

/** Written whole or not at all; 0644 as systemd's units are (a unit holds no secret). */
export function writeUnitFile(file: string, text: string): void {
	const temporary = `${file}.${process.pid}.tmp`;
	try {
		fs.writeFileSync(temporary, text, {mode: 0o644, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		throw error;
	}
}
