// Putting a container on one more c32 network, or taking it off one, as podman does: a
// container may be on several networks. A running (or paused) one is rewired at once in its
// network namespace (CNI ADD or DEL of that network only, its names put on or taken off that
// network's roster, so every hosts file concerned changes with it); a created or ended one
// only has its config changed, which its next start applies. Its first network carries the
// published ports, the bandwidth limit and the default route. Loaded on first use by
// connectNetwork and disconnectNetwork.
import fs from 'node:fs';
import {isNamedNetwork, NETWORK_NAME_PATTERN} from '../config.js';
import {C32Error} from '../errors.js';
import {type Lifecycle, save} from '../lifecycle/context.js';
import {reconcileLocked} from '../lifecycle/reconcile.js';
import {isLive} from '../lifecycle/transitions.js';
import {hostNames} from '../oci/etc-files.js';
import type {ContainerRecord, NetworkState} from '../record.js';
import type {ResolvedConfig} from '../types.js';
import {IF_NAME, joinFurtherNetwork, leaveOneNetwork, netnsFile} from './attach.js';
import {addName, namesOf, removeNameFrom} from './names.js';
import {NetworkStore} from './store.js';
import {DEFAULT_NETWORK} from './types.js';

/**
 * The state of a running container that left its last network but keeps the namespace c32
 * made for it (loopback only): it is still c32's to tear down, and to connect again.
 */
const NAMESPACE_ONLY = 'none';

/** The c32 networks the config puts the container on, its first one first. */
export function networksOfConfig(config: ResolvedConfig): string[] {
	return isNamedNetwork(config.network) ? [config.network, ...config.additionalNetworks.map((link) => link.name)] : [];
}

/** Puts the container on `network` too, known there by its names and `aliases`: at once when it runs, else from its next start. */
export async function connect(lc: Lifecycle, id: string, network: string, aliases: string[] = []): Promise<ContainerRecord> {
	checkNetworkName(network, 'connect to');
	if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !NETWORK_NAME_PATTERN.test(a))) {
		throw new C32Error('INVALID_CONFIG', 'invalid network alias: use 1-63 letters, digits, "_", "." or "-" for each');
	}
	const wanted = [...new Set(aliases)];
	const store = new NetworkStore(lc.layout);
	if (network === DEFAULT_NETWORK) await store.ensureDefault();
	else store.inspect(network); // NOT_FOUND names the fix
	return lc.store.withContainerLock(id, async () => {
		const record = await reconcileLocked(lc, id);
		const {config} = record;
		refuseSharedNetwork(config);
		if (networksOfConfig(config).includes(network)) {
			throw new C32Error('INVALID_CONFIG', `container ${config.name} is already on network ${network}: nothing to connect`);
		}
		const joinsFirst = !isNamedNetwork(config.network);
		const nextConfig: ResolvedConfig = joinsFirst
			? {...config, network, networkAliases: wanted}
			: {...config, additionalNetworks: [...config.additionalNetworks, {name: network, aliases: wanted}]};
		if (!isLive(record)) return saved(lc, {...record, config: nextConfig});
		return connectLive(lc, record, nextConfig, network, wanted);
	});
}

/** ADD of `network` into the running container's namespace, on the first free interface; undone if anything after it fails. */
async function connectLive(
	lc: Lifecycle,
	record: ContainerRecord,
	nextConfig: ResolvedConfig,
	network: string,
	aliases: string[],
): Promise<ContainerRecord> {
	const {id, name} = record.metadata;
	const first = record.internal.network;
	if (first === null || !fs.existsSync(netnsFile(lc.layout, id))) {
		throw new C32Error(
			'BAD_STATE',
			`container ${name} runs without a network namespace of c32's (it started with --network none): stop it, connect it, start it again`,
		);
	}
	const used = new Set([
		...(first.name === NAMESPACE_ONLY ? [] : [first.ifName ?? IF_NAME]),
		...record.internal.additionalNetworks.map(ifNameOf),
	]);
	let index = 0;
	while (used.has(`eth${index}`)) index++;
	const ifName = `eth${index}`;
	const joined = await joinFurtherNetwork(lc.layout, {containerId: id, network, ifName});
	const state: NetworkState = {name: network, ...joined, ifName};
	try {
		await addName(lc.layout, network, {id, ip: joined.ip, names: namesOf(nextConfig, aliases)});
		const internal =
			first.name === NAMESPACE_ONLY
				? {...record.internal, network: state}
				: {...record.internal, additionalNetworks: [...record.internal.additionalNetworks, state]};
		return await saved(lc, {...record, config: nextConfig, internal});
	} catch (error) {
		await removeNameFrom(lc.layout, network, id, hostNames(record.config.hostname)).catch(() => {});
		await leaveOneNetwork(lc.layout, id, ifName).catch(() => {});
		throw error;
	}
}

/**
 * Takes the container off `network`: at once when it runs (DEL of that network only; it keeps
 * running on the others), else from its next start. Leaving its first network hands the first
 * place to the next one; the published ports and the bandwidth limit, which belonged to the
 * first network, are dropped. Off its last network it has loopback only.
 */
export async function disconnect(lc: Lifecycle, id: string, network: string): Promise<ContainerRecord> {
	checkNetworkName(network, 'disconnect from');
	return lc.store.withContainerLock(id, async () => {
		const record = await reconcileLocked(lc, id);
		const {config} = record;
		refuseSharedNetwork(config);
		const on = networksOfConfig(config);
		if (!on.includes(network)) {
			const where = on.length === 0 ? `it is on ${config.network}` : `it is on ${on.join(', ')}`;
			throw new C32Error('INVALID_CONFIG', `container ${config.name} is not on network ${network} (${where}): nothing to disconnect`);
		}
		const nextConfig = withoutNetwork(config, network);
		if (!isLive(record)) return saved(lc, {...record, config: nextConfig});
		const {internal} = record;
		const joined = [internal.network, ...internal.additionalNetworks].find((state) => state?.name === network) ?? null;
		if (joined !== null) {
			await removeNameFrom(lc.layout, network, id, hostNames(config.hostname));
			await leaveOneNetwork(lc.layout, id, ifNameOf(joined));
		}
		let remaining = [internal.network, ...internal.additionalNetworks].filter(
			(state): state is NetworkState => state !== null && state.name !== network,
		);
		if (remaining[0]?.name === NAMESPACE_ONLY) remaining = remaining.slice(1);
		const [nextFirst, ...others] = remaining;
		// Off every network, the namespace is still c32's: recorded as such, so that the ending tears it down.
		const namespaceOnly = (state: NetworkState): NetworkState => ({...state, name: NAMESPACE_ONLY, ip: '', gateway: '', ports: []});
		const firstState = nextFirst ?? (internal.network ? namespaceOnly(internal.network) : null);
		return saved(lc, {...record, config: nextConfig, internal: {...internal, network: firstState, additionalNetworks: others}});
	});
}

/** The config without `network`; the next network moves up when it was the first. */
function withoutNetwork(config: ResolvedConfig, network: string): ResolvedConfig {
	if (config.network !== network) {
		return {...config, additionalNetworks: config.additionalNetworks.filter((link) => link.name !== network)};
	}
	const {networkBandwidthLimitMbps, ...limits} = config.resourceLimits;
	void networkBandwidthLimitMbps;
	const [next, ...rest] = config.additionalNetworks;
	return {
		...config,
		network: next?.name ?? 'none',
		networkAliases: next?.aliases ?? [],
		additionalNetworks: rest,
		ports: [],
		resourceLimits: limits,
	};
}

function checkNetworkName(network: string, what: string): void {
	if (typeof network !== 'string' || !isNamedNetwork(network) || !NETWORK_NAME_PATTERN.test(network)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`cannot ${what} ${JSON.stringify(String(network))}: name a c32 network (c32 network ls); host and none are chosen at create`,
		);
	}
}

function refuseSharedNetwork(config: ResolvedConfig): void {
	if (config.isolationLevel === 'minimal') {
		throw new C32Error('INVALID_CONFIG', `container ${config.name} has minimal isolation: it shares the host's network and joins no other`);
	}
	if (config.network === 'host') {
		throw new C32Error(
			'INVALID_CONFIG',
			`container ${config.name} shares the host's network (--network host): recreate it with --network NAME to put it on c32 networks`,
		);
	}
}

const ifNameOf = (state: NetworkState) => state.ifName ?? IF_NAME;

async function saved(lc: Lifecycle, record: ContainerRecord): Promise<ContainerRecord> {
	await save(lc, record);
	return record;
}
