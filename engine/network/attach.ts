// A container on its networks: its own network namespace, bound under the runtime directory,
// joined to its first network's bridge (eth0) and to any further network's (eth1, eth2...)
// through the CNI plugins; each network's result is cached for its DEL, in its own file
// (<id>.json for eth0, <id>.<ifName>.json for the others). Everything here lives in the
// runtime directory, and is wiped when the host has rebooted.
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

/** The interface of the container's first network. */
export const IF_NAME = 'eth0';

const cniDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'cni');
const resultsDir = (layout: StorageLayout) => path.join(cniDir(layout), 'results');
const netnsDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'netns');
/** 16 hex digits, as conmon's attach directory. */
export const netnsFile = (layout: StorageLayout, containerId: string) => path.join(netnsDir(layout), attachName(containerId));
const stateName = (containerId: string, ifName: string) => (ifName === IF_NAME ? `${containerId}.json` : `${containerId}.${ifName}.json`);
const stateFile = (layout: StorageLayout, containerId: string, ifName = IF_NAME) =>
	path.join(resultsDir(layout), stateName(containerId, ifName));
/** An attachment file's name: the container's id, and the interface (absent for eth0). */
const STATE_FILE = /^([0-9a-f]{64})(?:\.(eth[1-9][0-9]{0,2}))?\.json$/;
/** eth0 to eth999. */
const IF_NAME_PATTERN = /^eth(?:0|[1-9][0-9]{0,2})$/;

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
 * `onNamespace` hears of the namespace as soon as it exists, before the plugins wire it up:
 * a runtime may create the container in it meanwhile. `onAddress` hears of the container's
 * address as soon as the plugin that gives it has run, while the later ones (the firewall) still run.
 */
export async function joinNetwork(
	layout: StorageLayout,
	input: JoinInput,
	onNamespace?: (netnsPath: string) => void,
	onAddress?: (ip: string) => void,
): Promise<JoinResult> {
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
			onNamespace?.(netns);
			// Two independent plugin chains in one namespace: run side by side, both settled before any clean-up.
			const [loopback, joined] = await Promise.allSettled([
				runConflist('ADD', LOOPBACK_CONFLIST, {containerId: input.containerId, netns, ifName: 'lo'}),
				runConflist('ADD', attachment.conflist, targetOf(attachment), undefined, (result) => {
					const ip = result.ips?.[0]?.address.split('/')[0];
					if (ip) onAddress?.(ip);
				}),
			]);
			if (joined.status === 'fulfilled') attachment.result = joined.value;
			writeAttachment(layout, attachment);
			for (const outcome of [joined, loopback]) if (outcome.status === 'rejected') throw outcome.reason;
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

export interface JoinFurtherInput {
	containerId: string;
	network: string;
	/** eth1, eth2...: free in the namespace (eth0 only when the container has left its first network meanwhile). */
	ifName: string;
}

/**
 * Puts a container that joined its first network (joinNetwork) on one more, in the same
 * namespace: an interface `ifName` on that network's bridge, an address, no published ports
 * or shaping, and no default route (that stays the first network's) unless it is eth0 again.
 * A failure leaves nothing.
 */
export async function joinFurtherNetwork(layout: StorageLayout, input: JoinFurtherInput): Promise<JoinResult> {
	checkId(input.containerId);
	if (!IF_NAME_PATTERN.test(input.ifName)) throw new C32Error('INVALID_CONFIG', `${JSON.stringify(input.ifName)} is not eth0 to eth999`);
	const netns = netnsFile(layout, input.containerId);
	if (!fs.existsSync(netns)) {
		throw new C32Error(
			'BAD_STATE',
			`the container ${input.containerId.slice(0, 12)} has no network namespace of c32's to join ${input.network} in`,
		);
	}
	const store = new NetworkStore(layout);
	const network = input.network === DEFAULT_NETWORK ? await store.ensureDefault() : store.inspect(input.network);
	await store.ensureBridge(network);
	await leaveOneNetwork(layout, input.containerId, input.ifName);
	const attachment: NetworkAttachment = {
		containerId: input.containerId,
		network: network.name,
		netns,
		ifName: input.ifName,
		ports: [],
		conflist: conflistFor(network, {ports: [], bandwidthMbps: 0, leaseDir: leasesDir(layout), defaultRoute: input.ifName === IF_NAME}),
		result: null,
	};
	writeAttachment(layout, attachment);
	try {
		attachment.result = await runConflist('ADD', attachment.conflist, targetOf(attachment));
		writeAttachment(layout, attachment);
	} catch (error) {
		await leaveOneNetwork(layout, input.containerId, input.ifName).catch(() => {});
		throw error;
	}
	const address = attachment.result?.ips?.[0];
	if (!address) {
		await leaveOneNetwork(layout, input.containerId, input.ifName).catch(() => {});
		throw new C32Error('RUNTIME_ERROR', `network ${network.name}: the CNI plugins gave the container no address`);
	}
	return {netnsPath: netns, ip: address.address.split('/')[0] ?? '', gateway: address.gateway ?? network.gateway, ports: []};
}

/** DEL of one network of the container (its interface, lease, rules); the namespace and the other networks stay. Idempotent. */
export async function leaveOneNetwork(layout: StorageLayout, containerId: string, ifName: string): Promise<void> {
	checkId(containerId);
	await deleteAttachment(layout, containerId, ifName);
}

/** Undoes joinNetwork and every joinFurtherNetwork: DEL of each with its cached result (veth, lease, port rules, shaping), then the namespace. Idempotent. */
export async function leaveNetwork(layout: StorageLayout, containerId: string): Promise<void> {
	checkId(containerId);
	let firstError: unknown;
	const interfaces = attachedInterfaces(layout, containerId).sort((a, b) => Number(a === IF_NAME) - Number(b === IF_NAME));
	for (const ifName of interfaces) await deleteAttachment(layout, containerId, ifName).catch((error) => (firstError ??= error));
	await removeNetns(netnsFile(layout, containerId));
	if (firstError !== undefined) throw firstError;
}

/** The container's attachment on `ifName` (its first network by default) as it was recorded, or null. */
export function readAttachment(layout: StorageLayout, containerId: string, ifName = IF_NAME): NetworkAttachment | null {
	try {
		const data = JSON.parse(fs.readFileSync(stateFile(layout, containerId, ifName), 'utf8')) as NetworkAttachment;
		return data?.conflist && Array.isArray(data.conflist.plugins) ? data : null;
	} catch {
		return null;
	}
}

/** The interfaces the container has an attachment recorded for (eth0 first when it has one). */
export function attachedInterfaces(layout: StorageLayout, containerId: string): string[] {
	const found = list(resultsDir(layout)).flatMap((name) => {
		const match = STATE_FILE.exec(name);
		return match && match[1] === containerId ? [match[2] ?? IF_NAME] : [];
	});
	return found.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
}

async function deleteAttachment(layout: StorageLayout, containerId: string, ifName: string): Promise<void> {
	const attachment = readAttachment(layout, containerId, ifName);
	if (attachment !== null) await runConflist('DEL', attachment.conflist, targetOf(attachment), attachment.result ?? undefined);
	fs.rmSync(stateFile(layout, containerId, ifName), {force: true});
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
	const attachedNow = () => [...new Set(list(resultsDir(layout)).flatMap((name) => STATE_FILE.exec(name)?.[1] ?? []))];
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
			if (liveIds.has(holder) || (ID.test(holder) && attachedInterfaces(layout, holder).length > 0)) continue;
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
	replaceFile(resultsDir(layout), stateName(attachment.containerId, attachment.ifName), `${JSON.stringify(attachment)}\n`, 0o600);
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
