// What happens when a container ends, run by its monitor's exit command (or by a process
// started to take over a restart whose scheduler is gone): record the end, then carry out
// the restart policy after its backoff — unless a user's stop, start or remove overtook it.
import {setTimeout as sleep} from 'node:timers/promises';
import {isC32Error} from '../errors.js';
import type {Lifecycle} from './context.js';
import {launch} from './launch.js';
import {reconcileLocked, thisProcess} from './reconcile.js';
import {remove} from './remove.js';
import {isLive, restartBegins, restartStillDue} from './transitions.js';

export async function carryOutExit(lc: Lifecycle, id: string): Promise<void> {
	const me = thisProcess();
	let plan: {generation: number; at: number} | null = null;
	let removeAfter = false;
	try {
		await lc.store.withContainerLock(id, async () => {
			const record = await reconcileLocked(lc, id, {asScheduler: me});
			const {metadata: meta, internal} = record;
			if (meta.state === 'restarting' && internal.scheduler?.pid === me.pid) {
				plan = {generation: internal.generation, at: Date.parse(meta.nextRestartAt ?? '') || Date.now()};
			} else if (!isLive(record) && meta.state !== 'restarting' && record.config.autoRemove) {
				removeAfter = true;
			}
		});
	} catch (error) {
		if (isC32Error(error) && error.code === 'NOT_FOUND') return; // removed meanwhile
		throw error;
	}
	if (removeAfter) await remove(lc, id, {force: false});
	if (plan === null) return;
	const {generation, at} = plan as {generation: number; at: number};
	await sleep(Math.max(0, at - Date.now()));
	try {
		await lc.store.withContainerLock(id, async () => {
			const record = lc.store.readRecord(id);
			if (!record || !restartStillDue(record, generation) || record.internal.scheduler?.pid !== me.pid) return;
			await launch(lc, restartBegins(record)).catch((error) => lc.log(`restart of ${id.slice(0, 12)}`, error));
		});
	} catch (error) {
		if (isC32Error(error) && error.code === 'NOT_FOUND') return;
		throw error;
	}
}
