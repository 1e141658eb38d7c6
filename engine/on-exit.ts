// The exit command of a container's monitor (conmon or the process supervisor): records the
// exit and applies the restart policy. argv: <storageDir> <runtimeDir> <containerId>.
import {getEngine} from './index.js';

const [storageDir, runtimeDir, id] = process.argv.slice(2);
if (!storageDir || !runtimeDir || !id) {
	process.stderr.write('usage: on-exit <storageDir> <runtimeDir> <containerId>\n');
	process.exit(2);
}
try {
	await getEngine({storageDir, runtimeDir}).handleExit(id);
} catch (error) {
	// The container may have been removed meanwhile; nothing is left to record then.
	if (process.env['C32_DEBUG']) process.stderr.write(`c32 on-exit ${id}: ${String(error)}\n`);
}
