// What an event sets off, decided by the process that records it: the hooks and webhooks that
// name the event. When there are any, a detached runner (dispatch-main.ts) carries them out,
// so a slow or failing hook never delays or breaks the lifecycle change. When there are none,
// nothing is started: the check is a stat of two config files and, for a container whose
// hooks the caller did not pass, a read of its record.
import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {childProcess} from '../builtins.js';
import {debugLogAt} from '../debug-log.js';
import {monitorEnvironment} from '../exit-command.js';
import {containersDir, type StorageLayout} from '../paths.js';
import {HOOK_TIMEOUT_SECONDS, readGlobalHooks, readWebhooks, type Webhook} from './hook-config.js';
import {type ContainerHook, eventMatches} from './hooks.js';
import type {C32Event} from './types.js';

const RUNNER = fileURLToPath(new URL('./dispatch-main.js', import.meta.url));
/** The runner finds its work here: the environment, unlike argv, is readable only by the runner's own user. */
export const PAYLOAD_VARIABLE = 'C32_DISPATCH_PAYLOAD';

export const hooksLogFile = (layout: StorageLayout) => path.join(layout.storageDir, 'events', 'hooks.log');

export interface HookRun {
	command: string[];
	timeoutSeconds: number;
	/** "container" or "global", for the hooks log. */
	source: string;
}

export interface DispatchPayload {
	storageDir: string;
	event: C32Event;
	hooks: HookRun[];
	webhooks: Webhook[];
}

/** The work an event sets off; null when there is none. A config file that cannot be read is reported and skipped, not the others. */
export function dispatchPlan(
	layout: StorageLayout,
	event: C32Event,
	containerHooks: ContainerHook[],
	report: (what: string, error: unknown) => void = () => {},
): DispatchPayload | null {
	const globalHooks = readOrReport(() => readGlobalHooks(layout), 'global hooks', report);
	const hooks: HookRun[] = [
		...containerHooks
			.filter((hook) => eventMatches(hook.event, event))
			.map((hook) => ({command: hook.command, timeoutSeconds: HOOK_TIMEOUT_SECONDS, source: 'container'})),
		...globalHooks
			.filter((hook) => eventMatches(hook.event, event))
			.map((hook) => ({command: hook.command, timeoutSeconds: hook.timeoutSeconds ?? HOOK_TIMEOUT_SECONDS, source: 'global'})),
	];
	const webhooks = readOrReport(() => readWebhooks(layout), 'webhooks', report).filter((hook) =>
		hook.events.some((wanted) => eventMatches(wanted, event)),
	);
	if (hooks.length === 0 && webhooks.length === 0) return null;
	return {storageDir: layout.storageDir, event, hooks, webhooks};
}

function readOrReport<T>(read: () => T[], what: string, report: (what: string, error: unknown) => void): T[] {
	try {
		return read();
	} catch (error) {
		report(what, error);
		return [];
	}
}

/** Starts the runner for what the event sets off, if anything. Never throws: failures go to the hooks log. */
export function dispatchEvent(layout: StorageLayout, event: C32Event, containerHooks?: ContainerHook[]): void {
	const log = debugLogAt(hooksLogFile(layout));
	try {
		const plan = dispatchPlan(layout, event, containerHooks ?? hooksOnDisk(layout, event), log);
		if (plan === null) return;
		const child = childProcess().spawn(process.execPath, [RUNNER], {
			detached: true,
			stdio: 'ignore',
			cwd: '/',
			env: {...monitorEnvironment(), [PAYLOAD_VARIABLE]: JSON.stringify(plan)},
		});
		child.on('error', (error) => log(`hook runner for ${event.event}`, error));
		child.unref();
	} catch (error) {
		log(`hooks for ${event.event} of ${event.id.slice(0, 12)}`, error);
	}
}

/** A container's own hooks, from its record (an emitter that has no record at hand, such as the health scheduler). */
function hooksOnDisk(layout: StorageLayout, event: C32Event): ContainerHook[] {
	if (event.subject !== 'container' || !/^[0-9a-f]{64}$/.test(event.id)) return [];
	let text: string;
	try {
		text = fs.readFileSync(path.join(containersDir(layout), event.id, 'state.json'), 'utf8');
	} catch {
		return [];
	}
	const hooks = (JSON.parse(text) as {config?: {hooks?: unknown}}).config?.hooks;
	return Array.isArray(hooks) ? (hooks as ContainerHook[]) : [];
}
