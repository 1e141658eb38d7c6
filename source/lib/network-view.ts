// How networks and published ports are shown: docker's spellings.
import type {ContainerNetwork, NetworkInfo, PortMapping} from '../../engine/index.js';
import {byCodeUnit} from '../../engine/order.js';
import type {Cell} from './table.js';

/** Where on the host a port is published: "127.0.0.1:8080", "0.0.0.0:8080" for every address (docker's spelling). */
export function hostAddress(port: PortMapping): string {
	return `${port.hostIp === '' ? '0.0.0.0' : port.hostIp}:${port.hostPort}`;
}

/** "127.0.0.1:8080->80/tcp", as docker ps shows it. */
export function portText(port: PortMapping): string {
	return `${hostAddress(port)}->${port.containerPort}/${port.protocol}`;
}

/** The PORTS cell of ps: every mapping, comma-separated. */
export function portsText(network: ContainerNetwork | null): string {
	return network === null ? '' : network.ports.map(portText).join(', ');
}

/** `c32 port` lines: "80/tcp -> 0.0.0.0:8080". */
export function portLine(port: PortMapping): string {
	return `${port.containerPort}/${port.protocol} -> ${hostAddress(port)}`;
}

export const NETWORK_HEADERS = ['NETWORK ID', 'NAME', 'SUBNET', 'GATEWAY', 'BRIDGE', 'INTERNAL', 'CONTAINERS'];

export function networkRows(networks: readonly NetworkInfo[], fullIds: boolean): Cell[][] {
	return networks.map((network) => [
		fullIds ? network.id : network.id.slice(0, 12),
		network.name,
		network.subnet,
		network.gateway,
		network.bridge,
		network.internal ? 'yes' : 'no',
		String(network.containers.length),
	]);
}

/** Oldest first, as they were made: the default network c32 comes first. */
export function byCreation(networks: readonly NetworkInfo[]): NetworkInfo[] {
	return [...networks].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt) || byCodeUnit(a.name, b.name));
}
