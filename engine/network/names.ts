// Name resolution on a c32 network without asking anyone's DNS: c32 keeps, per network, who
// is on it (name, aliases, address) and writes that into the /etc/hosts of every container on
// it. A hosts file is bind-mounted into its running container, so it is rewritten in place.
// The roster lives in the runtime directory (<runtime>/cni/names/<network>.json) and starts
// empty after a reboot; every change and the rewrite that follows run under its lock, so the
// last writer leaves every file of the network agreeing with the roster.
import fs from 'node:fs';
import path from 'node:path';
import {replaceFile} from '../fs/in-root.js';
import {readBootId} from '../host-facts.js';
import {hostNames, hostsFile, rewriteInPlace} from '../oci/etc-files.js';
import {containerPaths, type StorageLayout} from '../paths.js';
import {withLock} from '../store.js';
import {netnsFile} from './attach.js';

/** One container on a network, as the others see it. */
export interface NetworkName {
	id: string;
	ip: string;
	/** Its container name, hostname (and first label) and aliases. */
	names: string[];
}

interface Roster {
	bootId: string;
	members: NetworkName[];
}

const namesDir = (layout: StorageLayout) => path.join(layout.runtimeDir, 'cni', 'names');
const NETWORK_FILE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}\.json$/;

/** The names a container is known by on its network. */
export function namesOf(config: {name: string; hostname: string; networkAliases: string[]}): string[] {
	return [...new Set([config.name, ...hostNames(config.hostname), ...config.networkAliases])];
}

/** Puts the container on the network's roster (replacing an earlier entry of it) and rewrites every hosts file of the network. */
export async function addName(layout: StorageLayout, network: string, entry: NetworkName): Promise<void> {
	await changeRoster(layout, network, (members) => [...members.filter((m) => m.id !== entry.id), entry]);
}

/** Takes the container off every roster it is on, and rewrites the hosts files of those who remain. Idempotent. */
export async function removeName(layout: StorageLayout, id: string): Promise<void> {
	for (const file of list(namesDir(layout))) {
		if (!NETWORK_FILE.test(file)) continue;
		const network = file.slice(0, -'.json'.length);
		if (!readRoster(layout, network).members.some((m) => m.id === id)) continue;
		await changeRoster(layout, network, (members) => members.filter((m) => m.id !== id));
	}
}

/**
 * Takes off every roster the containers whose network namespace is gone: they vanished
 * without their teardown (a container joins before it is put on a roster, and leaves after
 * it was taken off, so anyone on a roster without a namespace is stale).
 */
export async function pruneNames(layout: StorageLayout): Promise<void> {
	for (const file of list(namesDir(layout))) {
		if (!NETWORK_FILE.test(file)) continue;
		const network = file.slice(0, -'.json'.length);
		const gone = (m: NetworkName) => !fs.existsSync(netnsFile(layout, m.id));
		if (!readRoster(layout, network).members.some(gone)) continue;
		await changeRoster(layout, network, (members) => members.filter((m) => !gone(m)));
	}
}

/** Who is on the network now, as its roster says. */
export function rosterOf(layout: StorageLayout, network: string): NetworkName[] {
	return readRoster(layout, network).members;
}

async function changeRoster(layout: StorageLayout, network: string, change: (members: NetworkName[]) => NetworkName[]): Promise<void> {
	const dir = namesDir(layout);
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	const file = `${network}.json`;
	await withLock(
		path.join(dir, file),
		() => {
			const members = change(readRoster(layout, network).members);
			replaceFile(dir, file, `${JSON.stringify({bootId: readBootId() ?? '', members} satisfies Roster)}\n`, 0o600);
			for (const member of members) writeHosts(layout, member, members);
		},
		{waitMs: 30_000},
	);
}

/** One container's hosts file: itself, then every other member. A container removed meanwhile has no file to write. */
function writeHosts(layout: StorageLayout, member: NetworkName, members: NetworkName[]): void {
	const peers = members.filter((m) => m.id !== member.id).map(({ip, names}) => ({ip, names}));
	rewriteInPlace(path.join(containerPaths(layout, member.id).etc, 'hosts'), hostsFile({ip: member.ip, names: member.names}, peers));
}

/** The roster; empty when there is none, it is damaged, or it is from before the last boot (nobody is on any network then). */
function readRoster(layout: StorageLayout, network: string): Roster {
	const bootId = readBootId() ?? '';
	try {
		const data = JSON.parse(fs.readFileSync(path.join(namesDir(layout), `${network}.json`), 'utf8')) as Roster;
		if (data?.bootId === bootId && Array.isArray(data.members)) return data;
	} catch {
		// none yet, or unreadable: start again
	}
	return {bootId, members: []};
}

function list(dir: string): string[] {
	try {
		return fs.readdirSync(dir);
	} catch {
		return [];
	}
}
