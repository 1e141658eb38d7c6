// The networks of one storage root, in <storage>/networks.json (written whole and renamed,
// under a lock). Making or removing a network also makes or removes its bridge, under a
// host-wide lock, because subnets and bridge names are the host's, not the storage root's.
import {randomBytes} from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {replaceFile} from '../fs/in-root.js';
import {MOUNTS_BASE, type StorageLayout} from '../paths.js';
import {withLock} from '../store.js';
import {
	bridgeExists,
	bridgeOwner,
	createBridge,
	deleteBridge,
	freeBridgeName,
	hostRoutes,
	networksFile,
	readNetworksFile,
	removeOrphanBridges,
} from './bridges.js';
import {type Cidr, formatCidr, gatewayOf, nextFreeSubnet, overlaps, parseCidr} from './subnets.js';
import {DEFAULT_NETWORK, type NetworkRecord} from './types.js';

const FORMAT_VERSION = 1;
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;
const RESERVED = new Set(['host', 'none', 'bridge', 'default']);

/** One lock for the whole host: subnets and bridges are shared by every storage root. */
const HOST_LOCK = path.join(MOUNTS_BASE, 'networks');

export const leasesDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'cni', 'leases');

export interface CreateNetworkOptions {
	name: string;
	subnet?: string;
	internal?: boolean;
}

/**
 * The default network's size: a /22 (1021 containers; a bridge takes at most 1024 ports). User
 * networks get a /24 each, the next free one after it.
 */
const DEFAULT_PREFIX = 22;

export class NetworkStore {
	constructor(readonly layout: StorageLayout) {}

	get file(): string {
		return networksFile(this.layout.storageDir);
	}

	list(): NetworkRecord[] {
		return readNetworksFile(this.layout.storageDir);
	}

	find(name: string): NetworkRecord | null {
		return this.list().find((network) => network.name === name) ?? null;
	}

	/** NOT_FOUND names the fix. */
	inspect(name: string): NetworkRecord {
		const network = this.find(name);
		if (network === null) {
			throw new C32Error(
				'NOT_FOUND',
				`no network named ${JSON.stringify(name)}: create it with c32 network create ${name} (c32 network ls lists them)`,
			);
		}
		return network;
	}

	async create(options: CreateNetworkOptions): Promise<NetworkRecord> {
		checkName(options.name);
		const subnet = options.subnet === undefined ? undefined : parseCidr(options.subnet);
		return this.locked(async () => {
			if (this.find(options.name)) {
				throw new C32Error(
					'NAME_IN_USE',
					`a network named ${JSON.stringify(options.name)} exists already: choose another name or remove it first`,
				);
			}
			return this.add(options.name, subnet, options.internal ?? false);
		});
	}

	/** The default network, made on first use. */
	ensureDefault(): Promise<NetworkRecord> {
		const existing = this.find(DEFAULT_NETWORK);
		if (existing) return Promise.resolve(existing);
		return this.locked(() => this.find(DEFAULT_NETWORK) ?? this.add(DEFAULT_NETWORK, undefined, false, DEFAULT_PREFIX));
	}

	/** BAD_STATE while `inUse` (names of containers configured on it) is not empty. Its bridge and leases go with it. */
	async remove(name: string, inUse: string[]): Promise<void> {
		return this.locked(async () => {
			const network = this.inspect(name);
			if (inUse.length > 0) {
				throw new C32Error(
					'BAD_STATE',
					`network ${name} is in use by ${inUse.slice(0, 5).join(', ')}${inUse.length > 5 ? ` and ${inUse.length - 5} more` : ''}: remove those containers first`,
				);
			}
			this.write(this.list().filter((other) => other.name !== name));
			if (bridgeOwner(network.bridge) === this.layout.storageDir) await deleteBridge(network.bridge);
			fs.rmSync(path.join(leasesDir(this.layout), name), {recursive: true, force: true});
		});
	}

	/**
	 * Before a container joins: the bridge is there and still this root's. After a reboot the
	 * bridges are gone; one is made again unless another storage root took its subnet meanwhile.
	 */
	ensureBridge(network: NetworkRecord): Promise<void> {
		if (bridgeExists(network.bridge) && bridgeOwner(network.bridge) === this.layout.storageDir) return Promise.resolve();
		return withHostLock(async () => {
			if (bridgeExists(network.bridge)) {
				if (bridgeOwner(network.bridge) === this.layout.storageDir) return;
				throw new C32Error(
					'BAD_STATE',
					`the bridge ${network.bridge} of network ${network.name} belongs to another c32 storage root: remove and recreate the network`,
				);
			}
			const subnet = parseCidr(network.subnet);
			const route = hostRoutes().find((r) => overlaps(r, subnet));
			if (route) {
				throw new C32Error(
					'BAD_STATE',
					`the subnet ${network.subnet} of network ${network.name} is now routed to ${route.device}: remove and recreate the network`,
				);
			}
			await createBridge(network, subnet, this.layout.storageDir);
		});
	}

	/** Under both locks: picks the subnet and bridge, makes the bridge, then records the network. */
	private async add(name: string, wanted: Cidr | undefined, internal: boolean, prefix = 24): Promise<NetworkRecord> {
		const records = this.list();
		return withHostLock(async () => {
			await removeOrphanBridges();
			const taken = records.map((network) => ({name: network.name, cidr: parseCidr(network.subnet)}));
			const ownBridges = new Set(records.map((network) => network.bridge));
			const routes = hostRoutes().filter((route) => !ownBridges.has(route.device));
			let subnet: Cidr;
			if (wanted) {
				const clash = taken.find((other) => overlaps(other.cidr, wanted));
				if (clash)
					throw new C32Error(
						'INVALID_CONFIG',
						`the subnet ${formatCidr(wanted)} overlaps network ${clash.name} (${formatCidr(clash.cidr)}): choose another`,
					);
				const route = routes.find((r) => overlaps(r, wanted));
				if (route) {
					throw new C32Error(
						'INVALID_CONFIG',
						`the subnet ${formatCidr(wanted)} overlaps the host's route to ${formatCidr(route)} (${route.device}): choose another`,
					);
				}
				subnet = wanted;
			} else {
				const cidrs = taken.map((other) => other.cidr);
				// The default network falls back to a /24 when no larger block is free.
				const free = nextFreeSubnet(cidrs, routes, prefix) ?? (prefix === 24 ? null : nextFreeSubnet(cidrs, routes, 24));
				if (free === null)
					throw new C32Error('INVALID_CONFIG', 'every subnet 10.90.0.0/24 to 10.90.255.0/24 is used: give one with --subnet');
				subnet = free;
			}
			const network: NetworkRecord = {
				name,
				id: randomBytes(32).toString('hex'),
				subnet: formatCidr(subnet),
				gateway: gatewayOf(subnet),
				bridge: freeBridgeName(records),
				internal,
				createdAt: new Date().toISOString(),
			};
			await createBridge(network, subnet, this.layout.storageDir);
			try {
				this.write([...records, network]);
			} catch (error) {
				await deleteBridge(network.bridge);
				throw error;
			}
			return network;
		});
	}

	private write(networks: NetworkRecord[]): void {
		fs.mkdirSync(this.layout.storageDir, {recursive: true, mode: 0o700});
		replaceFile(
			this.layout.storageDir,
			path.basename(this.file),
			`${JSON.stringify({formatVersion: FORMAT_VERSION, networks}, null, '\t')}\n`,
			0o600,
		);
	}

	private locked<T>(fn: () => Promise<T> | T): Promise<T> {
		fs.mkdirSync(this.layout.storageDir, {recursive: true, mode: 0o700});
		return withLock(this.file, fn, {});
	}
}

function withHostLock<T>(fn: () => Promise<T>): Promise<T> {
	fs.mkdirSync(MOUNTS_BASE, {recursive: true, mode: 0o711});
	return withLock(HOST_LOCK, fn, {});
}

function checkName(name: string): void {
	if (!NAME.test(name)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${JSON.stringify(name)} is not a network name: use up to 63 letters, digits, '_', '.' and '-', starting with a letter or digit`,
		);
	}
	if (RESERVED.has(name))
		throw new C32Error('INVALID_CONFIG', `${JSON.stringify(name)} is reserved (--network ${name} needs no network): choose another name`);
}
