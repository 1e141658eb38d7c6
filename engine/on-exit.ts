// The exit command of a container's monitor (conmon or the process supervisor): records the
// exit and carries out the restart policy. Also started on its own to take over a pending
// restart whose scheduler is gone. argv: <storageDir> <runtimeDir> <containerId>.
// Nobody reads its stderr (conmon discards it), so failures go to the debug log.
import {debugLogFor} from './debug-log.js';
import {getEngine} from './index.js';

const [storageDir, runtimeDir, id] = process.argv.slice(2);
if (!storageDir || !runtimeDir || !id) {
	process.stderr.write('usage: on-exit <storageDir> <runtimeDir> <containerId>\n');
	process.exit(2);
}
try {
	await getEngine({storageDir, runtimeDir}).handleExit(id);
} catch (error) {
	debugLogFor(storageDir)(`exit command for ${id.slice(0, 12)}`, error);
}
