import fs from 'node:fs';
import path from 'node:path';

/** Disk bytes of a tree (allocated blocks; a hard-linked file once), never following a symlink. */
export function treeBytes(root: string): number {
	const seen = new Set<string>();
	let total = 0;
	const visit = (file: string) => {
		let stat: fs.Stats;
		try {
			stat = fs.lstatSync(file);
		} catch {
			return;
		}
		const key = `${stat.dev}:${stat.ino}`;
		if (seen.has(key)) return;
		seen.add(key);
		total += stat.blocks * 512;
		if (!stat.isDirectory()) return;
		let names: string[] = [];
		try {
			names = fs.readdirSync(file);
		} catch {
			return;
		}
		for (const name of names) visit(path.join(file, name));
	};
	visit(root);
	return total;
}
