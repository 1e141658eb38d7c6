// The exit command of a container's monitor (conmon): records the
// exit and carries out the restart policy. Also started on its own to take over a pending
// restart whose scheduler is gone. argv: <storageDir> <runtimeDir> <containerId>.
// Nobody reads its stderr (conmon discards it), so failures go to the debug log.
import fs from 'node:fs';
import path from 'node:path';
import {debugLogFor} from './debug-log.js';
import {getEngine} from './index.js';

const [storageDir, runtimeDir, id] = process.argv.slice(2);
if (!storageDir || !runtimeDir || !id) {
	process.stderr.write('usage: on-exit <storageDir> <runtimeDir> <containerId>\n');
	process.exit(2);
}
// A storage root removed with its containers (rm -rf after a forced remove) has nothing left to
// record: going on would make its runtime directory again, an empty husk nobody removes.
if (!fs.existsSync(path.join(storageDir, 'containers', id))) process.exit(0);
// Not top-level await: the bundle is CommonJS (its code cache needs it).
getEngine({storageDir, runtimeDir})
	.handleExit(id)
	.catch((error) => debugLogFor(storageDir)(`exit command for ${id.slice(0, 12)}`, error));
