// Memory of sets of host processes, read from /proc as root: RSS and PSS from
// /proc/<pid>/smaps_rollup (PSS shares a page among the processes that map it, so a sum of
// PSS over many conmons counts their shared libraries once).
import fs from 'node:fs';

export interface ProcInfo {
	pid: number;
	ppid: number;
	comm: string;
	cmdline: string;
}

function read(file: string): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

/** Every live process (zombies have no memory and are left out). */
export function processes(): ProcInfo[] {
	const out: ProcInfo[] = [];
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const stat = read(`/proc/${entry}/stat`);
		if (!stat) continue;
		const close = stat.lastIndexOf(')');
		const [state, ppid] = stat.slice(close + 2).split(' ');
		if (state === 'Z') continue;
		out.push({
			pid: Number(entry),
			ppid: Number(ppid),
			comm: stat.slice(stat.indexOf('(') + 1, close),
			cmdline: read(`/proc/${entry}/cmdline`).replaceAll('\0', ' ').trim(),
		});
	}
	return out;
}

/** `roots` and all their descendants. */
export function withDescendants(all: readonly ProcInfo[], roots: Iterable<number>): Set<number> {
	const children = new Map<number, number[]>();
	for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
	const seen = new Set<number>();
	const queue = [...roots];
	while (queue.length > 0) {
		const pid = queue.pop()!;
		if (seen.has(pid)) continue;
		seen.add(pid);
		queue.push(...(children.get(pid) ?? []));
	}
	return seen;
}

export interface Memory {
	rssKb: number;
	pssKb: number;
}

/** RSS and PSS of one process in kB (0 when it is gone). */
export function memoryOf(pid: number): Memory {
	const rollup = read(`/proc/${pid}/smaps_rollup`);
	const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
	return {rssKb: field('Rss'), pssKb: field('Pss')};
}

export interface Group {
	comm: string;
	count: number;
	rssKb: number;
	pssKb: number;
}

/** Memory of `pids`, summed per command name, largest first. */
export function memoryByCommand(all: readonly ProcInfo[], pids: Iterable<number>): Group[] {
	const byPid = new Map(all.map((p) => [p.pid, p]));
	const groups = new Map<string, Group>();
	for (const pid of pids) {
		const comm = byPid.get(pid)?.comm ?? '?';
		const group = groups.get(comm) ?? {comm, count: 0, rssKb: 0, pssKb: 0};
		const memory = memoryOf(pid);
		group.count += 1;
		group.rssKb += memory.rssKb;
		group.pssKb += memory.pssKb;
		groups.set(comm, group);
	}
	return [...groups.values()].sort((a, b) => b.rssKb - a.rssKb);
}

export function total(groups: readonly Group[]): Memory {
	return {rssKb: groups.reduce((s, g) => s + g.rssKb, 0), pssKb: groups.reduce((s, g) => s + g.pssKb, 0)};
}

/** MemTotal − MemAvailable in kB: what the whole host uses, kernel included. */
export function hostUsedKb(): number {
	const meminfo = read('/proc/meminfo');
	const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(meminfo)?.[1] ?? 0);
	return field('MemTotal') - field('MemAvailable');
}

export const mb = (kb: number) => kb / 1024;
