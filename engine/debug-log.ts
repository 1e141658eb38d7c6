// A bounded log of failures the engine survives but a person may need to see: a teardown
// that failed, a record that could not be saved, an exit command that hit an error under
// conmon (whose stderr nobody reads). `c32 doctor` names the file. Appends never throw.
import fs from 'node:fs';
import path from 'node:path';
import {escapeControl} from './text.js';

/** Past this size the log moves to debug.log.1 (replacing the one before): at most twice this on disk. */
export const DEBUG_LOG_MAX_BYTES = 1024 * 1024;

export const debugLogFile = (storageDir: string) => path.join(storageDir, 'debug.log');

export type DebugLog = (what: string, error: unknown) => void;

export function debugLogFor(storageDir: string): DebugLog {
	return debugLogAt(debugLogFile(storageDir));
}

export function debugLogAt(file: string): DebugLog {
	return (what, error) => {
		const message = error instanceof Error ? error.message : String(error);
		const line = `${new Date().toISOString()} pid=${process.pid} ${escapeControl(what)}: ${escapeControl(message)}\n`;
		try {
			if ((fs.statSync(file, {throwIfNoEntry: false})?.size ?? 0) > DEBUG_LOG_MAX_BYTES) fs.renameSync(file, `${file}.1`);
			fs.appendFileSync(file, line, {mode: 0o600});
		} catch {
			// A full or read-only disk: the one place left to say it is stderr, when asked.
			if (process.env['C32_DEBUG']) process.stderr.write(`c32 debug: ${line}`);
		}
	};
}
