// The host's c32 bridges. A network's bridge is made when the network is, with its gateway
// address, so its route reserves the subnet on the whole host: two storage roots never pick
// the same subnet. Its alias names the storage root, so a bridge whose network is gone (its
// storage root deleted) is found and removed.
import {execFile} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import {C32Error} from '../errors.js';
import {readTrimmed} from '../host-facts.js';
import {type Cidr, parseRouteTable, type Route} from './subnets.js';
import type {NetworkRecord} from './types.js';

const run = promisify(execFile);
const TOOL_ENV = {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C'};
const SYS_NET = '/sys/class/net';
export const BRIDGE_PREFIX = 'c32br';
const ALIAS_PREFIX = 'c32 ';

export const networksFile = (storageDir: string) => path.join(storageDir, 'networks.json');

/** The records of a storage root's networks.json; [] when it has none or it cannot be read. */
export function readNetworksFile(storageDir: string): NetworkRecord[] {
	try {
		const data = JSON.parse(fs.readFileSync(networksFile(storageDir), 'utf8')) as {networks?: unknown};
		return Array.isArray(data?.networks) ? (data.networks as NetworkRecord[]) : [];
	} catch {
		return [];
	}
}

export function hostRoutes(): Route[] {
	return parseRouteTable(readTrimmed('/proc/net/route') ?? '');
}

export const bridgeExists = (bridge: string) => fs.existsSync(path.join(SYS_NET, bridge));

/** The storage root a c32 bridge belongs to (its alias), or null. */
export function bridgeOwner(bridge: string): string | null {
	const alias = readTrimmed(path.join(SYS_NET, bridge, 'ifalias'));
	return alias?.startsWith(ALIAS_PREFIX) ? alias.slice(ALIAS_PREFIX.length) : null;
}

const attachedInterfaces = (bridge: string) => {
	try {
		return fs.readdirSync(path.join(SYS_NET, bridge, 'brif'));
	} catch {
		return [];
	}
};

/** c32 bridges with nothing attached whose storage root no longer lists them (their network was removed with its root). */
export async function removeOrphanBridges(): Promise<void> {
	for (const bridge of fs.readdirSync(SYS_NET).filter((name) => name.startsWith(BRIDGE_PREFIX))) {
		const owner = bridgeOwner(bridge);
		if (owner === null || attachedInterfaces(bridge).length > 0) continue;
		if (readNetworksFile(owner).some((network) => network.bridge === bridge)) continue;
		await deleteBridge(bridge);
	}
}

/** The lowest c32br<N> that no device and no network of `records` has. */
export function freeBridgeName(records: NetworkRecord[]): string {
	for (let n = 0; ; n++) {
		const name = `${BRIDGE_PREFIX}${n}`;
		if (!bridgeExists(name) && !records.some((network) => network.bridge === name)) return name;
	}
}

/** Makes the bridge with the gateway address, up, named after its storage root. */
export async function createBridge(network: NetworkRecord, subnet: Cidr, storageDir: string): Promise<void> {
	try {
		await ip(['link', 'add', 'name', network.bridge, 'type', 'bridge']);
		await ip(['addr', 'add', `${network.gateway}/${subnet.prefix}`, 'dev', network.bridge]);
		await ip(['link', 'set', 'dev', network.bridge, 'alias', `${ALIAS_PREFIX}${storageDir}`.slice(0, 255), 'up']);
	} catch (error) {
		await deleteBridge(network.bridge);
		throw new C32Error('RUNTIME_ERROR', `cannot create the bridge ${network.bridge} of network ${network.name}: ${toolMessage(error)}`);
	}
}

export async function deleteBridge(bridge: string): Promise<void> {
	if (!bridgeExists(bridge)) return;
	await ip(['link', 'del', 'dev', bridge]).catch((error) => {
		if (bridgeExists(bridge)) throw new C32Error('RUNTIME_ERROR', `cannot delete the bridge ${bridge}: ${toolMessage(error)}`);
	});
}

async function ip(args: string[]): Promise<void> {
	await run('ip', args, {env: TOOL_ENV, timeout: 30_000});
}

function toolMessage(error: unknown): string {
	const stderr = String((error as {stderr?: string}).stderr ?? '').trim();
	return stderr.split('\n').pop() || (error as Error).message;
}
