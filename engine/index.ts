// The public API of the c32 engine.
export type {
	AttachOptions,
	AttachResult,
	AttachSink,
	Engine,
	ExecOptions,
	HealthcheckRun,
	HostStats,
	RemoveOptions,
	StopOptions,
} from './api.js';
export {ContainerEngine} from './engine.js';
export {C32Error, type C32ErrorCode, isC32Error} from './errors.js';
export type {Webhook} from './events/hook-config.js';
export {type ContainerHook, HOOK_EVENTS, parseHookSpec} from './events/hooks.js';
export {type EventFilters, type EventsOptions, FILTER_KEYS, parseEventFilters} from './events/query.js';
export {type C32Event, CONTAINER_EVENTS, type EventSubject, type EventValue} from './events/types.js';
export type * from './image/types.js';
export type {NetworkInfo, NetworkRecord} from './network/types.js';
// Types only: the stack functions (engine/stack/index.js) load the schema, which the engine module must not.
export type * from './stack/types.js';
export {escapeControl} from './text.js';
export * from './types.js';

import {ContainerEngine} from './engine.js';
import {resolveStorage} from './paths.js';
import {createServices} from './services.js';

/** The engine for a storage root (default: C32_STORAGE_DIR, else /var/lib/c32 for root). */
export function getEngine(options: {storageDir?: string; runtimeDir?: string} = {}): ContainerEngine {
	const layout = resolveStorage(options);
	return new ContainerEngine(createServices(layout), layout);
}
