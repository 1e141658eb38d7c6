// Small facts read from /proc: one-line files, the hard open-files limit, process liveness.
import fs from 'node:fs';

/** A small text file, trimmed, or null when it cannot be read. */
export function readTrimmed(file: string): string | null {
	try {
		return fs.readFileSync(file, 'utf8').trim();
	} catch {
		return null;
	}
}

export function readOpenFilesHardLimit(limitsText = readTrimmed('/proc/self/limits') ?? ''): number {
	const line = limitsText.split('\n').find((l) => l.startsWith('Max open files'));
	const hard = line?.split(/\s{2,}/)[2];
	return hard === undefined || hard === 'unlimited' ? 1_073_741_816 : Number(hard);
}

export const BOOT_ID_FILE_VARIABLE = 'C32_BOOT_ID_FILE';
const KERNEL_BOOT_ID_FILE = '/proc/sys/kernel/random/boot_id';

let kernelBootId: string | null | undefined;

/**
 * The id of this boot: the kernel's, or the content of the file C32_BOOT_ID_FILE names (so a
 * test can simulate a reboot by changing that file). Every reader of the boot id calls this.
 * The kernel's cannot change while this process lives and is read once; the file is re-read.
 */
export function readBootId(env: Record<string, string | undefined> = process.env): string | null {
	const file = env[BOOT_ID_FILE_VARIABLE];
	if (file !== undefined && file !== '') return readTrimmed(file) || null;
	if (kernelBootId === undefined) kernelBootId = readTrimmed(KERNEL_BOOT_ID_FILE);
	return kernelBootId;
}

/** The fields of /proc/<pid>/stat after the command name (state first), or null. */
export function statFields(pid: number): string[] | null {
	const stat = readTrimmed(`/proc/${pid}/stat`);
	// The command name may contain spaces and parentheses: fields resume after the last ')'.
	return stat === null ? null : stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Start time of a process in clock ticks since boot, or null when it does not exist. */
export function processStartTime(pid: number): number | null {
	const fields = statFields(pid);
	return fields === null ? null : Number(fields[19]);
}

export function isProcessAlive(pid: number, startTime: number | null): boolean {
	const fields = statFields(pid);
	if (fields === null) return false;
	if (startTime !== null && Number(fields[19]) !== startTime) return false;
	// A zombie has ended; only its parent has not reaped it yet.
	return fields[0] !== 'Z';
}
