// The engine's network commands: the store's records plus which containers are configured
// on each. Loaded on first use, so container commands do not pay for it.

import {byCodeUnit} from '../order.js';
import type {Store} from '../store.js';
import {NetworkStore} from './store.js';
import {DEFAULT_NETWORK, type NetworkInfo, type NetworkRecord} from './types.js';

/** The names of the containers whose config puts them on the network (first or further), by name, sorted. */
export function containersOn(store: Store, network: string): string[] {
	const names: string[] = [];
	for (const [name, id] of Object.entries(store.readIndex())) {
		const read = store.inspectRecord(id);
		if (read === null || !('record' in read)) continue;
		// Read defensively: records from before networks have no such fields.
		const config = read.record.config as {network?: unknown; additionalNetworks?: {name?: unknown}[]};
		const further = Array.isArray(config.additionalNetworks) ? config.additionalNetworks : [];
		if (config.network === network || further.some((link) => link?.name === network)) names.push(name);
	}
	return names.sort();
}

const infoOf = (store: Store, record: NetworkRecord): NetworkInfo => ({...record, containers: containersOn(store, record.name)});

export async function createNetwork(store: Store, name: string, options: {subnet?: string; internal?: boolean}): Promise<NetworkInfo> {
	return infoOf(store, await new NetworkStore(store.layout).create({name, ...options}));
}

/** Every network, the default one first (made on first use when it can be). */
export async function listNetworks(store: Store): Promise<NetworkInfo[]> {
	const networks = new NetworkStore(store.layout);
	await networks.ensureDefault().catch(() => {});
	const records = networks
		.list()
		.sort((a, b) => Number(b.name === DEFAULT_NETWORK) - Number(a.name === DEFAULT_NETWORK) || byCodeUnit(a.name, b.name));
	return records.map((record) => infoOf(store, record));
}

export async function inspectNetwork(store: Store, name: string): Promise<NetworkInfo> {
	const networks = new NetworkStore(store.layout);
	return infoOf(store, name === DEFAULT_NETWORK ? await networks.ensureDefault() : networks.inspect(name));
}

/** BAD_STATE while a container is configured on it. */
export async function removeNetwork(store: Store, name: string): Promise<void> {
	await new NetworkStore(store.layout).remove(name, containersOn(store, name));
}
