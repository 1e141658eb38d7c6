// Moving a container between networks: a change of its config, which its next start applies
// (a container is on one network at a time; its running network namespace is not rewired).
// Loaded on first use by connectNetwork and disconnectNetwork.
import {isNamedNetwork, NETWORK_NAME_PATTERN} from '../config.js';
import {C32Error} from '../errors.js';
import {type Lifecycle, readExisting, save} from '../lifecycle/context.js';
import type {ContainerRecord} from '../record.js';
import type {ResolvedConfig} from '../types.js';
import {NetworkStore} from './store.js';
import {DEFAULT_NETWORK} from './types.js';

/** Puts the container on `network` (with these aliases there) from its next start; its ports and bandwidth limit go along. */
export async function connect(lc: Lifecycle, id: string, network: string, aliases: string[] = []): Promise<ContainerRecord> {
	if (typeof network !== 'string' || !isNamedNetwork(network) || !NETWORK_NAME_PATTERN.test(network)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`cannot connect to ${JSON.stringify(String(network))}: name a c32 network (c32 network ls); host and none are chosen at create`,
		);
	}
	if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !NETWORK_NAME_PATTERN.test(a))) {
		throw new C32Error('INVALID_CONFIG', 'invalid network alias: use 1-63 letters, digits, "_", "." or "-" for each');
	}
	const store = new NetworkStore(lc.layout);
	if (network === DEFAULT_NETWORK) await store.ensureDefault();
	else store.inspect(network); // NOT_FOUND names the fix
	return change(lc, id, (config) => {
		if (config.isolationLevel === 'minimal') {
			throw new C32Error(
				'INVALID_CONFIG',
				`container ${config.name} has minimal isolation: it shares the host's network and joins no other`,
			);
		}
		return {...config, network, networkAliases: [...new Set(aliases)]};
	});
}

/** Takes the container off `network` from its next start: it then has loopback only, and no published ports, aliases or bandwidth limit. */
export async function disconnect(lc: Lifecycle, id: string, network: string): Promise<ContainerRecord> {
	return change(lc, id, (config) => {
		if (config.network !== network) {
			throw new C32Error(
				'INVALID_CONFIG',
				`container ${config.name} is not on network ${JSON.stringify(String(network))} (it is on ${config.network}): nothing to disconnect`,
			);
		}
		const {networkBandwidthLimitMbps, ...limits} = config.resourceLimits;
		void networkBandwidthLimitMbps;
		return {...config, network: 'none', ports: [], networkAliases: [], resourceLimits: limits};
	});
}

async function change(lc: Lifecycle, id: string, update: (config: ResolvedConfig) => ResolvedConfig): Promise<ContainerRecord> {
	return lc.store.withContainerLock(id, async () => {
		const record = readExisting(lc, id);
		const next = {...record, config: update(record.config)};
		await save(lc, next);
		return next;
	});
}
