// Pure parsing of /proc/<pid>/mountinfo (proc(5)) and of where the cgroup hierarchies live.

export interface MountInfoEntry {
	/** "major:minor" of the mounted filesystem's device (0:N for virtual filesystems). */
	device: string;
	/** The path inside the filesystem that is mounted here ("/" for a whole filesystem). */
	root: string;
	mountPoint: string;
	fsType: string;
	source: string;
	superOptions: string[];
}

/** The cgroup hierarchies visible to the process whose mountinfo was parsed. */
export interface CgroupMounts {
	/** Each v1 controller (cpu, memory, ..., and "name=systemd") mapped to its mount point. */
	v1: Record<string, string>;
	/** Where the cgroup2 (unified) hierarchy is mounted, if it is. */
	unified: string | null;
}

// The kernel escapes space, tab, newline and backslash in paths as three octal digits.
function unescapeMountPath(path: string): string {
	return path.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function parseMountInfo(text: string): MountInfoEntry[] {
	const entries: MountInfoEntry[] = [];
	for (const line of text.split('\n')) {
		if (line.trim() === '') continue;
		const fields = line.split(' ');
		// Optional fields (shared:N, master:N, ...) end at a lone "-".
		const separator = fields.indexOf('-', 6);
		if (separator === -1 || fields.length < separator + 4) continue;
		entries.push({
			device: fields[2]!,
			root: unescapeMountPath(fields[3]!),
			mountPoint: unescapeMountPath(fields[4]!),
			fsType: fields[separator + 1]!,
			source: unescapeMountPath(fields[separator + 2]!),
			superOptions: fields[separator + 3]!.split(','),
		});
	}
	return entries;
}

// Super options of a v1 cgroup mount that are not controller names.
const NON_CONTROLLER_OPTIONS = new Set(['rw', 'ro', 'xattr', 'noprefix', 'clone_children', 'cpuset_v2_mode', 'all', 'none']);

function v1ControllersOf(entry: MountInfoEntry): string[] {
	return entry.superOptions.filter((option) => !NON_CONTROLLER_OPTIONS.has(option) && !option.startsWith('release_agent='));
}

/**
 * Finds each hierarchy's mount point. When a hierarchy is mounted more than once the first
 * mount wins, as the first is the one the system set up (later ones are usually bind mounts
 * into containers).
 */
export function findCgroupMounts(entries: MountInfoEntry[]): CgroupMounts {
	const v1: Record<string, string> = {};
	let unified: string | null = null;
	for (const entry of entries) {
		if (entry.fsType === 'cgroup2') {
			unified ??= entry.mountPoint;
		} else if (entry.fsType === 'cgroup') {
			for (const controller of v1ControllersOf(entry)) v1[controller] ??= entry.mountPoint;
		}
	}
	return {v1, unified};
}

/** Mount entries whose device is "major:minor" (several when a filesystem is bind-mounted). */
export function mountsOfDevice(entries: MountInfoEntry[], device: string): MountInfoEntry[] {
	return entries.filter((entry) => entry.device === device);
}
