// The CNI network configuration list of one container on one network. Pure: the same inputs
// give the same list, which is cached with the result so that DEL runs exactly what ADD ran.
import type {NetworkRecord, PortMapping} from './types.js';

export const CNI_VERSION = '1.0.0';

export interface PluginConfig {
	type: string;
	capabilities?: Record<string, boolean>;
	runtimeConfig?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Conflist {
	cniVersion: string;
	name: string;
	plugins: PluginConfig[];
}

export interface ConflistOptions {
	/** Host ports resolved (no 0). */
	ports: PortMapping[];
	/** Megabits per second each way; 0 = no limit. */
	bandwidthMbps: number;
	/** host-local's dataDir: it keeps the leases of each network in `<leaseDir>/<network>/`. */
	leaseDir: string;
	/**
	 * Whether the container's default route goes through this network (absent: yes). Only its
	 * first network has one: a second default route in one namespace is refused (EEXIST).
	 */
	defaultRoute?: boolean;
}

/**
 * bridge (host-local addresses, NAT unless internal) → portmap (the published ports) →
 * bandwidth (both directions) → firewall (no traffic between different bridges).
 * portmap and bandwidth are left out when there is nothing for them to do.
 */
export function conflistFor(network: NetworkRecord, options: ConflistOptions): Conflist {
	const plugins: PluginConfig[] = [
		{
			type: 'bridge',
			bridge: network.bridge,
			isGateway: true,
			ipMasq: !network.internal,
			// A container reaches its own published ports through the host's address.
			hairpinMode: true,
			ipam: {
				type: 'host-local',
				ranges: [[{subnet: network.subnet, gateway: network.gateway}]],
				// An internal network has no way out: only its own subnet is routed.
				routes: network.internal || options.defaultRoute === false ? [] : [{dst: '0.0.0.0/0'}],
				dataDir: options.leaseDir,
			},
		},
	];
	if (options.ports.length > 0) {
		plugins.push({
			type: 'portmap',
			capabilities: {portMappings: true},
			// Connections to a published port from the host's own loopback are masqueraded, so they come back.
			snat: true,
			runtimeConfig: {
				portMappings: options.ports.map((p) => ({
					hostPort: p.hostPort,
					containerPort: p.containerPort,
					protocol: p.protocol,
					hostIP: p.hostIp,
				})),
			},
		});
	}
	if (options.bandwidthMbps > 0) {
		const bitsPerSecond = Math.round(options.bandwidthMbps * 1_000_000);
		// A burst of 1/8 s of traffic (at least 64 KiB, about a TCP window) keeps the average within the limit.
		const burst = Math.max(bitsPerSecond / 8, 64 * 1024 * 8);
		plugins.push({
			type: 'bandwidth',
			capabilities: {bandwidth: true},
			runtimeConfig: {bandwidth: {ingressRate: bitsPerSecond, ingressBurst: burst, egressRate: bitsPerSecond, egressBurst: burst}},
		});
	}
	plugins.push({type: 'firewall', ingressPolicy: 'same-bridge'});
	return {cniVersion: CNI_VERSION, name: network.name, plugins};
}

/** The loopback interface of a new namespace, up. Its own list: it belongs to no network. */
export const LOOPBACK_CONFLIST: Conflist = {cniVersion: CNI_VERSION, name: 'c32-loopback', plugins: [{type: 'loopback'}]};
