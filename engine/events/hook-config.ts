// Where hooks and webhooks are configured, under the storage root (so two storage roots never
// see each other's): config/hooks.json (global hooks, written by a person) and
// config/webhooks.json (written by `c32 notify`). Both are read on every event by whoever
// records it, so the read is cached per process and redone only when a file changed.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import type {StorageLayout} from '../paths.js';
import {withLock} from '../store.js';
import {type ContainerHook, checkHook, checkHookEvent} from './hooks.js';

export interface GlobalHook extends ContainerHook {
	/** Seconds before the hook's process group is killed; default HOOK_TIMEOUT_SECONDS. */
	timeoutSeconds?: number;
}

export interface Webhook {
	/** 8 hex digits, given by `c32 notify add`. */
	id: string;
	url: string;
	/** The events it is POSTed (names as hooks take them). */
	events: string[];
	timeoutMs: number;
	createdAt: string;
}

export const HOOK_TIMEOUT_SECONDS = 10;
export const DEFAULT_WEBHOOK_EVENTS = ['die', 'oom', 'unhealthy', 'restart_loop'];
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 5000;

export const configDir = (layout: StorageLayout) => path.join(layout.storageDir, 'config');
export const globalHooksFile = (layout: StorageLayout) => path.join(configDir(layout), 'hooks.json');
export const webhooksFile = (layout: StorageLayout) => path.join(configDir(layout), 'webhooks.json');

/** Global hooks from config/hooks.json: `[{"event": "die", "command": ["/usr/bin/logger", "died"], "timeoutSeconds": 5}]`. */
export function parseGlobalHooks(text: string, file: string): GlobalHook[] {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new C32Error('INVALID_CONFIG', `${file} is not valid JSON: fix it (a list of {event, command})`);
	}
	if (!Array.isArray(data)) throw new C32Error('INVALID_CONFIG', `${file}: expected a list of {event, command}`);
	return data.map((entry, index) => {
		const hook: GlobalHook = checkHook(entry, `${file}[${index}]`);
		const timeout = (entry as {timeoutSeconds?: unknown}).timeoutSeconds;
		if (timeout !== undefined) {
			if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= 3600)) {
				throw new C32Error('INVALID_CONFIG', `${file}[${index}].timeoutSeconds: give 1 to 3600 seconds`);
			}
			hook.timeoutSeconds = timeout;
		}
		return hook;
	});
}

export function parseWebhooks(text: string, file: string): Webhook[] {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new C32Error('INVALID_CONFIG', `${file} is not valid JSON: remove it and add the webhooks again (c32 notify add)`);
	}
	if (!Array.isArray(data)) throw new C32Error('INVALID_CONFIG', `${file}: expected a list of webhooks`);
	return data.map((entry: Partial<Webhook>, index) => {
		if (typeof entry?.id !== 'string' || typeof entry.url !== 'string' || !Array.isArray(entry.events)) {
			throw new C32Error('INVALID_CONFIG', `${file}[${index}]: expected {id, url, events, timeoutMs}`);
		}
		return {
			id: entry.id,
			url: checkWebhookUrl(entry.url),
			events: entry.events.map((event) => checkHookEvent(String(event), 'webhook')),
			timeoutMs: typeof entry.timeoutMs === 'number' ? entry.timeoutMs : DEFAULT_WEBHOOK_TIMEOUT_MS,
			createdAt: typeof entry.createdAt === 'string' ? entry.createdAt : '',
		};
	});
}

/** An absolute http or https URL with a host, at most 2048 characters; returned as given. */
export function checkWebhookUrl(text: string): string {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new C32Error('INVALID_CONFIG', `invalid webhook URL ${JSON.stringify(text)}: give an http:// or https:// URL`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new C32Error('INVALID_CONFIG', `invalid webhook URL ${JSON.stringify(text)}: only http:// and https:// are supported`);
	}
	if (url.hostname === '' || text.length > 2048 || /[\s\0]/.test(text)) {
		throw new C32Error('INVALID_CONFIG', `invalid webhook URL ${JSON.stringify(text)}: give a host and no spaces, at most 2048 characters`);
	}
	return text;
}

interface Cached<T> {
	key: string;
	value: T;
}
const cache = new Map<string, Cached<unknown>>();

/** A file's parsed content, read again only when its inode, size or mtime changed; [] when there is none. */
function cachedRead<T>(file: string, parse: (text: string, file: string) => T[]): T[] {
	const stat = fs.statSync(file, {throwIfNoEntry: false});
	if (!stat) return [];
	const key = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
	const hit = cache.get(file);
	if (hit?.key === key) return hit.value as T[];
	const value = parse(fs.readFileSync(file, 'utf8'), file);
	cache.set(file, {key, value});
	return value;
}

export function readGlobalHooks(layout: StorageLayout): GlobalHook[] {
	return cachedRead(globalHooksFile(layout), parseGlobalHooks);
}

export function readWebhooks(layout: StorageLayout): Webhook[] {
	return cachedRead(webhooksFile(layout), parseWebhooks);
}

/** Changes the webhook list under its lock; the file is replaced atomically, 0600 in a 0700 directory. */
async function updateWebhooks<T>(layout: StorageLayout, change: (hooks: Webhook[]) => {hooks: Webhook[]; result: T}): Promise<T> {
	const file = webhooksFile(layout);
	fs.mkdirSync(configDir(layout), {recursive: true, mode: 0o700});
	return withLock(
		file,
		() => {
			const {hooks, result} = change(readWebhooks(layout));
			const temp = `${file}.${process.pid}.tmp`;
			fs.writeFileSync(temp, `${JSON.stringify(hooks, null, '\t')}\n`, {mode: 0o600, flag: 'wx'});
			fs.renameSync(temp, file);
			return result;
		},
		{},
	);
}

export async function addWebhook(layout: StorageLayout, options: {url: string; events?: string[]; timeoutMs?: number}): Promise<Webhook> {
	const url = checkWebhookUrl(options.url);
	const events = [...new Set((options.events ?? DEFAULT_WEBHOOK_EVENTS).map((event) => checkHookEvent(event, 'webhook')))];
	if (events.length === 0) throw new C32Error('INVALID_CONFIG', 'a webhook needs at least one event: give --events die,oom');
	const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
	if (!Number.isFinite(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000) {
		throw new C32Error('INVALID_CONFIG', `invalid webhook timeout ${timeoutMs} ms: give 100ms to 60s`);
	}
	return updateWebhooks(layout, (hooks) => {
		const hook: Webhook = {id: randomBytes(4).toString('hex'), url, events, timeoutMs, createdAt: new Date().toISOString()};
		return {hooks: [...hooks, hook], result: hook};
	});
}

/** Removes the webhooks with this id or URL; NOT_FOUND when there is none. */
export async function removeWebhook(layout: StorageLayout, ref: string): Promise<Webhook[]> {
	return updateWebhooks(layout, (hooks) => {
		const removed = hooks.filter((hook) => hook.id === ref || hook.url === ref);
		if (removed.length === 0) {
			throw new C32Error('NOT_FOUND', `no webhook ${JSON.stringify(ref)}: c32 notify ls lists their ids and URLs`);
		}
		return {hooks: hooks.filter((hook) => !removed.includes(hook)), result: removed};
	});
}
