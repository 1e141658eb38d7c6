// Finds a container's program in its own root as runc would (Go's exec.LookPath, from the
// working directory, with the container's PATH). runc checks the program it executes before
// the container starts; under an init that program is the init, and a missing command would
// only show once the init failed to run it: a container that ran and exited instead of a
// start that fails saying what is missing. So the driver checks the command itself, between
// `runc create` (the root is mounted, nothing of the container runs yet) and `runc start`.
import fs from 'node:fs';
import path from 'node:path';
import {directoryView, resolveWithin} from '../fs/in-root.js';

/**
 * Null when `program` resolves to an executable file inside `root`; otherwise what runc
 * says in that case ("x: executable file not found in $PATH", "./x: no such file or
 * directory", "./x: permission denied"). Symlinks are resolved inside the root.
 */
export function lookupCommand(root: string, program: string, searchPath: string, cwd: string): string | null {
	if (program.includes('/')) {
		const problem = checkExecutable(root, path.posix.resolve(cwd, program));
		return problem === null ? null : `${program}: ${problem}`;
	}
	for (const dir of searchPath.split(':')) {
		if (checkExecutable(root, path.posix.resolve(cwd, dir || '.', program)) === null) return null;
	}
	return `${program}: executable file not found in $PATH`;
}

function checkExecutable(root: string, inRoot: string): 'no such file or directory' | 'permission denied' | null {
	let stat: fs.Stats | undefined;
	try {
		stat = fs.lstatSync(path.join(root, resolveWithin(inRoot, directoryView(root))), {throwIfNoEntry: false});
	} catch {
		// A loop of links, or a path through something that is not a directory.
		return 'no such file or directory';
	}
	if (stat === undefined) return 'no such file or directory';
	return stat.isFile() && (stat.mode & 0o111) !== 0 ? null : 'permission denied';
}
