// The live HostFacts that config validation checks limits and paths against.
import fs from 'node:fs';
import os from 'node:os';
import {parseCapLastCap} from './capabilities.js';
import {detectCgroupHost} from './cgroups/detect.js';
import type {HostFacts} from './config.js';
import {readDefaults} from './settings.js';

let cached: Omit<HostFacts, 'pathKind' | 'isExecutable' | 'lookupUser' | 'defaults'> | undefined;

export function liveHostFacts(env: Record<string, string | undefined> = process.env): HostFacts {
	cached ??= {
		cpuCount: os.availableParallelism(),
		memoryTotalMb: Math.floor(os.totalmem() / 1024 / 1024),
		maxOpenFilesHard: readOpenFilesHardLimit(),
		pidMax: Number(readTrimmed('/proc/sys/kernel/pid_max') ?? 4_194_304),
		uid: process.getuid?.() ?? 0,
		gid: process.getgid?.() ?? 0,
		capLastCap: parseCapLastCap(readTrimmed('/proc/sys/kernel/cap_last_cap')),
		cgroupsWritable: canWriteCgroups(),
	};
	// Settings are read on every call: a long-lived caller (the dashboard, an API user) sees changes.
	return {...cached, defaults: readDefaults(env, cached), pathKind, isExecutable, lookupUser};
}

/** The process driver's test for cgroup limits: root and a mounted cgroup filesystem. */
export function canWriteCgroups(): boolean {
	return process.getuid?.() === 0 && detectCgroupHost().version !== null;
}

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

function pathKind(p: string): 'file' | 'directory' | 'other' | null {
	try {
		const stat = fs.statSync(p);
		return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
	} catch {
		return null;
	}
}

function isExecutable(p: string): boolean {
	try {
		return (fs.statSync(p).mode & 0o111) !== 0;
	} catch {
		return false;
	}
}

function lookupUser(name: string): {uid: number; gid: number} | null {
	for (const line of (readTrimmed('/etc/passwd') ?? '').split('\n')) {
		const [user, , uid, gid] = line.split(':');
		if (user === name && uid !== undefined && gid !== undefined) return {uid: Number(uid), gid: Number(gid)};
	}
	return null;
}

let bootId: string | null | undefined;

/** The boot id cannot change while this process lives. */
export function readBootId(): string | null {
	if (bootId === undefined) bootId = readTrimmed('/proc/sys/kernel/random/boot_id');
	return bootId;
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
