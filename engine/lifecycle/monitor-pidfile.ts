// The copy of the monitor's pid that a container's config asks for (monitorPidFile): what a
// systemd unit's PIDFile= names when the container, and so its userdata path, does not exist yet.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import type {ResolvedConfig} from '../types.js';

/** Written whole (a temporary file renamed over it): systemd never reads half a pid. */
export function writeMonitorPidFile(config: ResolvedConfig, monitorPid: number): void {
	const file = config.monitorPidFile;
	if (file === null) return;
	const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
	try {
		fs.writeFileSync(temporary, `${monitorPid}\n`, {mode: 0o644, flag: 'wx'});
		fs.renameSync(temporary, file);
	} catch (error) {
		fs.rmSync(temporary, {force: true});
		throw new C32Error(
			'START_FAILED',
			`cannot write the monitor pid file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; give --monitor-pidfile a path in an existing directory`,
		);
	}
}

/** Removes the file when it still names this run's monitor: a later run's file is left alone. */
export function removeMonitorPidFile(config: ResolvedConfig, monitorPid: number | null): void {
	const file = config.monitorPidFile;
	if (file === null || monitorPid === null) return;
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {
		return;
	}
	if (text.trim() === String(monitorPid)) fs.rmSync(file, {force: true});
}
