// Finding a working OCI runtime means running a probe container: too slow for every command.
// The answer is kept in <runtime-dir>/oci-tools.json and trusted while the boot, the forced
// runtime and the binaries (path, size, mtime) are unchanged.
import fs from 'node:fs';
import path from 'node:path';
import {writeFileAtomic} from './fs/atomic-file.js';
import type {OciTools} from './host.js';
import {readBootId} from './host-facts.js';
import type {StorageLayout} from './paths.js';

interface CacheEntry {
	key: string;
	tools: OciTools;
}

function fingerprint(file: string): string {
	try {
		const stat = fs.statSync(file);
		return `${file}:${stat.size}:${stat.mtimeMs}`;
	} catch {
		return `${file}:missing`;
	}
}

function keyOf(tools: OciTools): string {
	return [readBootId(), process.env['C32_RUNTIME'] ?? '', fingerprint(tools.runtime.path), fingerprint(tools.conmon.path)].join('|');
}

export async function cachedOciTools(layout: StorageLayout, detect: () => Promise<OciTools>): Promise<OciTools> {
	const file = path.join(layout.runtimeDir, 'oci-tools.json');
	try {
		const entry = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheEntry;
		if (entry.key === keyOf(entry.tools)) return entry.tools;
	} catch {
		// No cache yet, or an unreadable one: detect again.
	}
	const tools = await detect();
	try {
		fs.mkdirSync(layout.runtimeDir, {recursive: true, mode: 0o700});
		writeFileAtomic(file, JSON.stringify({key: keyOf(tools), tools} satisfies CacheEntry));
	} catch {
		// A read-only runtime dir only costs the next command a new detection.
	}
	return tools;
}
