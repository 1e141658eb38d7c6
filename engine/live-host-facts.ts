// The live HostFacts that config validation checks limits and paths against. Loaded only
// by the commands that create a container (with the schema), not by every command.
import fs from 'node:fs';
import os from 'node:os';
import {parseCapLastCap} from './capabilities.js';
import {detectCgroupHost} from './cgroups/detect.js';
import type {HostFacts} from './config.js';
import {readOpenFilesHardLimit, readTrimmed} from './host-facts.js';
import {readDefaults} from './settings.js';

let cached: Omit<HostFacts, 'pathKind' | 'realPath' | 'isExecutable' | 'lookupUser' | 'defaults'> | undefined;

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
	return {...cached, defaults: readDefaults(env, cached), pathKind, realPath, isExecutable, lookupUser};
}

/** The process driver's test for cgroup limits: root and a mounted cgroup filesystem. */
export function canWriteCgroups(): boolean {
	return process.getuid?.() === 0 && detectCgroupHost().version !== null;
}

function realPath(p: string): string {
	try {
		return fs.realpathSync(p);
	} catch {
		return p;
	}
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
