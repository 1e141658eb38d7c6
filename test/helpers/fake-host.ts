// A fake host for config validation tests: 4 cores, 8 GiB, a few known paths, no root needed.
// This file defines no tests.
import type {HostFacts} from '../../engine/config.js';
import {readDefaults} from '../../engine/settings.js';

const PATHS: Record<string, 'file' | 'directory' | 'other'> = {
	'/srv/bot.py': 'file',
	'/srv/tool': 'file',
	'/srv/project': 'directory',
	'/srv/volume': 'directory',
	'/srv/other': 'directory',
	'/srv/fifo': 'other',
};

export function fakeHost(overrides: Partial<HostFacts> = {}, env: Record<string, string> = {}): HostFacts {
	const limits = {pidMax: 32768, maxOpenFilesHard: 20000};
	return {
		cpuCount: 4,
		memoryTotalMb: 8192,
		...limits,
		uid: 0,
		gid: 0,
		capLastCap: 40,
		cgroupsWritable: true,
		defaults: readDefaults(env, limits),
		realPath: (p: string) => p,
		pathKind: (p) => PATHS[p] ?? null,
		isExecutable: (p) => p === '/srv/tool',
		lookupUser: (name) => (name === 'worker' ? {uid: 1001, gid: 1002} : null),
		...overrides,
	};
}
