// One scheduled health check, run by a container's schedule loop (scheduler.ts) every
// interval: argv <storageDir> <runtimeDir> <containerId> <generation>. Exits TICK_DONE when
// the run it was scheduled for is over, which ends the loop. Nobody reads its output, so
// failures go to the debug log.
import {debugLogFor} from '../debug-log.js';
import {getEngine} from '../index.js';
import {failedTick, TICK_DONE} from './scheduler.js';

const [storageDir, runtimeDir, id, generationText] = process.argv.slice(2);
const generation = Number(generationText);
if (!storageDir || !runtimeDir || !id || !Number.isInteger(generation)) {
	process.stderr.write('usage: tick <storageDir> <runtimeDir> <containerId> <generation>\n');
	process.exit(2);
}
// A function, not top-level await: the bundle is CommonJS (its code cache needs it).
async function tick(storageDir: string, runtimeDir: string, id: string): Promise<number> {
	try {
		return (await getEngine({storageDir, runtimeDir}).runScheduledHealthcheck(id, generation)) ? 0 : TICK_DONE;
	} catch (error) {
		const failed = failedTick(error);
		if (failed.log) debugLogFor(storageDir)(`health check of ${id.slice(0, 12)}`, error);
		return failed.code;
	}
}
// A check that ignored its timeout's SIGTERM may still hold runc open: the result is recorded, so do not wait for it.
void tick(storageDir, runtimeDir, id).then((code) => process.exit(code));
