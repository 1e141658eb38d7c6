// A container on a network: its own network namespace, bound under the runtime directory,
// joined to the network's bridge through the CNI plugins; the result is cached for DEL.
// Everything here lives in the runtime directory, and is wiped when the host has rebooted.
import fs from 'node:fs';
import path from 'node:path';
import {C32Error} from '../errors.js';
import {replaceFile} from '../fs/in-root.js';
import {readBootId, readTrimmed} from '../host-facts.js';
import {attachName, containersDir, MOUNTS_BASE, type StorageLayout} from '../paths.js';
import {withLock} from '../store.js';
import {type CniResult, type CniTarget, runConflist} from './cni.js';
import {type Conflist, conflistFor, LOOPBACK_CONFLIST} from './conflist.js';
import {createNetns, removeNetns} from './netns.js';
import {bindError, ephemeralPort, type ForwardedPorts, readForwardedPorts} from './ports.js';
import {leasesDir, NetworkStore} from './store.js';
import {DEFAULT_NETWORK, type PortMapping} from './types.js';

/** The interface name inside the container. */
export const IF_NAME = 'eth0';

const cniDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'cni');
const resultsDir = (layout: StorageLayout) => path.join(cniDir(layout), 'results');
const netnsDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'netns');
/** 16 hex digits, as conmon's attach directory. */
export const netnsFile = (layout: StorageLayout, containerId: string) => path.join(netnsDir(layout), attachName(containerId));
const stateFile = (layout: StorageLayout, containerId: string) => path.join(resultsDir(layout), `${containerId}.json`);

/** What joinNetwork leaves for leaveNetwork: the list that ran, and what it answered (null until ADD has finished). */
export interface NetworkAttachment {
	containerId: string;
	network: string;
	netns: string;
	ifName: string;
	ports: PortMapping[];
	conflist: Conflist;
	result: CniResult | null;
}

export interface JoinInput {
	containerId: string;
	network: string;
	ports: PortMapping[];
	/** Megabits per second each way; 0 = no limit. */
	bandwidthMbps: number;
}

export interface JoinResult {
	netnsPath: string;
	ip: string;
	gateway: string;
	/** As asked, with every host port 0 replaced by the one chosen. */
	ports: PortMapping[];
}

/**
 * Gives the container a network namespace on `network` (the default one is made on first
 * use). Idempotent: an earlier attachment of the container is let go first. A host port in
 * use is refused before anything is set up; a failure leaves nothing behind.
 */
export async function joinNetwork(layout: StorageLayout, input: JoinInput): Promise<JoinResult> {
	checkId(input.containerId);
	if (!Number.isFinite(input.bandwidthMbps) || input.bandwidthMbps < 0) {
		throw new C32Error(
			'INVALID_CONFIG',
			`the network bandwidth limit ${input.bandwidthMbps} is not a number of megabits per second (0 = no limit)`,
		);
	}
	await wipeIfRebooted(layout);
	const store = new NetworkStore(layout);
	const network = input.network === DEFAULT_NETWORK ? await store.ensureDefault() : store.inspect(input.network);
	await store.ensureBridge(network);
	await leaveNetwork(layout, input.containerId);
	const join = async (): Promise<JoinResult> => {
		const ports = await resolvePorts(input.ports);
		const netns = netnsFile(layout, input.containerId);
		const attachment: NetworkAttachment = {
			containerId: input.containerId,
			network: network.name,
			netns,
			ifName: IF_NAME,
			ports,
			conflist: conflistFor(network, {ports, bandwidthMbps: input.bandwidthMbps, leaseDir: leasesDir(layout)}),
			result: null,
		};
		// Recorded before anything is made, so that a crash in between is cleaned up like any other attachment.
		writeAttachment(layout, attachment);
		try {
			await createNetns(netns);
			await runConflist('ADD', LOOPBACK_CONFLIST, {containerId: input.containerId, netns, ifName: 'lo'});
			attachment.result = await runConflist('ADD', attachment.conflist, targetOf(attachment));
			writeAttachment(layout, attachment);
		} catch (error) {
			await leaveNetwork(layout, input.containerId).catch(() => {});
			throw error;
		}
		const address = attachment.result?.ips?.[0];
		if (!address) {
			await leaveNetwork(layout, input.containerId).catch(() => {});
			throw new C32Error('RUNTIME_ERROR', `network ${network.name}: the CNI plugins gave the container no address`);
		}
		return {netnsPath: netns, ip: address.address.split('/')[0] ?? '', gateway: address.gateway ?? network.gateway, ports};
	};
	// Choosing free host ports and installing their forwarding is one step for the whole host.
	return input.ports.length > 0 ? withHostPortsLock(join) : join();
}

/** Undoes joinNetwork: DEL with the cached result (veth, lease, port rules, shaping), then the namespace. Idempotent. */
export async function leaveNetwork(layout: StorageLayout, containerId: string): Promise<void> {
	checkId(containerId);
	const attachment = readAttachment(layout, containerId);
	if (attachment !== null) await runConflist('DEL', attachment.conflist, targetOf(attachment), attachment.result ?? undefined);
	await removeNetns(netnsFile(layout, containerId));
	fs.rmSync(stateFile(layout, containerId), {force: true});
}

/** The container's attachment as joinNetwork recorded it, or null. */
export function readAttachment(layout: StorageLayout, containerId: string): NetworkAttachment | null {
	try {
		const data = JSON.parse(fs.readFileSync(stateFile(layout, containerId), 'utf8')) as NetworkAttachment;
		return data?.conflist && Array.isArray(data.conflist.plugins) ? data : null;
	} catch {
		return null;
	}
}

/**
 * Lets go of the attachments, namespaces and leases of containers that ended without their
 * teardown (a crash, a kill of c32): those not in `liveIds` whose lock nobody holds (a
 * container being started holds its lock). After a reboot, everything is wiped first.
 * Cheap when there is nothing to do: a few directory reads.
 */
export async function freeStaleLeases(layout: StorageLayout, liveIds: Set<string>): Promise<void> {
	await wipeIfRebooted(layout);
	// An attachment is recorded before its namespace and lease exist, so each is looked up
	// afresh: a container that joins meanwhile is seen.
	const attachedNow = () =>
		list(resultsDir(layout)).flatMap((name) => (name.endsWith('.json') && ID.test(name.slice(0, -5)) ? [name.slice(0, -5)] : []));
	for (const id of attachedNow()) {
		if (!liveIds.has(id) && (await isIdle(layout, id))) await leaveNetwork(layout, id);
	}
	for (const name of list(netnsDir(layout))) {
		const kept = [...liveIds, ...attachedNow()];
		if (!kept.some((id) => attachName(id) === name)) await removeNetns(path.join(netnsDir(layout), name));
	}
	for (const network of list(leasesDir(layout))) {
		const dir = path.join(leasesDir(layout), network);
		for (const lease of list(dir)) {
			// host-local names a lease after its address and writes "<container id>\r\n<interface>" into it.
			if (!/^[0-9.]+$/.test(lease)) continue;
			const holder = readTrimmed(path.join(dir, lease))?.split(/\r?\n/)[0] ?? '';
			if (liveIds.has(holder) || fs.existsSync(stateFile(layout, holder))) continue;
			if (await isIdle(layout, holder)) fs.rmSync(path.join(dir, lease), {force: true});
		}
	}
}

const ID = /^[0-9a-f]{64}$/;

/** Container ids name files here: only c32's own (64 hex digits). */
function checkId(id: string): void {
	if (!ID.test(id)) throw new C32Error('INVALID_CONFIG', `${JSON.stringify(id)} is not a container id (64 hex digits)`);
}

/** Whether nobody holds the container's lock (or the container is gone). */
async function isIdle(layout: StorageLayout, id: string): Promise<boolean> {
	if (!ID.test(id)) return true;
	try {
		await withLock(path.join(containersDir(layout), id, 'state.json'), () => {}, {waitMs: 0});
		return true;
	} catch (error) {
		return error instanceof C32Error && error.code === 'NOT_FOUND';
	}
}

/** After a reboot no namespace, veth or rule of the runtime directory's records exists: they are forgotten, leases too. */
async function wipeIfRebooted(layout: StorageLayout): Promise<void> {
	const file = path.join(cniDir(layout), 'boot-id');
	const bootId = readBootId() ?? 'unknown';
	if (readTrimmed(file) === bootId) return;
	fs.mkdirSync(cniDir(layout), {recursive: true, mode: 0o700});
	await withLock(
		file,
		async () => {
			if (readTrimmed(file) === bootId) return;
			for (const name of list(netnsDir(layout))) await removeNetns(path.join(netnsDir(layout), name));
			fs.rmSync(resultsDir(layout), {recursive: true, force: true});
			fs.rmSync(leasesDir(layout), {recursive: true, force: true});
			replaceFile(cniDir(layout), 'boot-id', `${bootId}\n`, 0o600);
		},
		{},
	);
}

/** Host ports as asked, each checked free; every 0 replaced by a free one. */
async function resolvePorts(wanted: PortMapping[]): Promise<PortMapping[]> {
	if (wanted.length === 0) return [];
	const forwarded = await readForwardedPorts();
	const chosen: PortMapping[] = [];
	const clashes = (p: PortMapping) =>
		chosen.some(
			(c) => c.protocol === p.protocol && c.hostPort === p.hostPort && (c.hostIp === '' || p.hostIp === '' || c.hostIp === p.hostIp),
		);
	for (const mapping of wanted) {
		if (mapping.hostPort !== 0) {
			if (clashes(mapping))
				throw new C32Error('INVALID_CONFIG', `the host port ${describe(mapping)} is published twice: publish each host port once`);
			await checkFree(mapping, forwarded);
			chosen.push(mapping);
			continue;
		}
		chosen.push(await pickFree(mapping, forwarded, clashes));
	}
	return chosen;
}

async function checkFree(mapping: PortMapping, forwarded: ForwardedPorts): Promise<void> {
	if (forwarded[mapping.protocol].has(mapping.hostPort)) {
		throw new C32Error(
			'INVALID_CONFIG',
			`the host port ${describe(mapping)} is already published by another container: choose another host port`,
		);
	}
	const error = await bindError(mapping.hostIp, mapping.hostPort, mapping.protocol);
	if (error === 'EADDRNOTAVAIL')
		throw new C32Error('INVALID_CONFIG', `${mapping.hostIp} is not an address of this host: publish on one of its addresses, or on all`);
	if (error !== null) {
		throw new C32Error(
			'INVALID_CONFIG',
			`the host port ${describe(mapping)} is in use (${error}): choose another host port, or publish only the container port for a free one`,
		);
	}
}

async function pickFree(mapping: PortMapping, forwarded: ForwardedPorts, clashes: (p: PortMapping) => boolean): Promise<PortMapping> {
	for (let attempt = 0; attempt < 50; attempt++) {
		const port = await ephemeralPort(mapping.hostIp, mapping.protocol);
		if (port === null) break;
		const candidate = {...mapping, hostPort: port};
		if (!forwarded[mapping.protocol].has(port) && !clashes(candidate)) return candidate;
	}
	await checkFree(mapping, forwarded); // says why (an address that is not the host's)
	throw new C32Error(
		'INVALID_CONFIG',
		`no free host port for ${mapping.containerPort}/${mapping.protocol}: give one with HOSTPORT:${mapping.containerPort}`,
	);
}

const describe = (p: PortMapping) => `${p.hostIp === '' ? '' : `${p.hostIp}:`}${p.hostPort}/${p.protocol}`;

const targetOf = (attachment: NetworkAttachment): CniTarget => ({
	containerId: attachment.containerId,
	netns: attachment.netns,
	ifName: attachment.ifName,
});

function writeAttachment(layout: StorageLayout, attachment: NetworkAttachment): void {
	fs.mkdirSync(resultsDir(layout), {recursive: true, mode: 0o700});
	replaceFile(resultsDir(layout), `${attachment.containerId}.json`, `${JSON.stringify(attachment)}\n`, 0o600);
}

function list(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}

function withHostPortsLock<T>(fn: () => Promise<T>): Promise<T> {
	fs.mkdirSync(MOUNTS_BASE, {recursive: true, mode: 0o711});
	return withLock(path.join(MOUNTS_BASE, 'ports'), fn, {waitMs: 60_000});
}
