// Name resolution on a c32 network without asking anyone's DNS: c32 keeps, per network, who
// is on it (name, aliases, address) and writes that into the /etc/hosts of every container on
// it. A container on several networks has one hosts file: its addresses, then the members of
// every network it is on. A hosts file is bind-mounted into its running container, so it is
// rewritten in place. The rosters live in the runtime directory (<runtime>/cni/names/<network>.json)
// and start empty after a reboot; every change and the rewrites that follow run under one lock
// for all of them (a hosts file mixes several rosters), so the last writer leaves every file
// agreeing with the rosters.
import fs from 'node:fs';
import path from 'node:path';
import {replaceFile} from '../fs/in-root.js';
import {readBootId} from '../host-facts.js';
import {hostNames, hostsFile, OWN_NAME_ADDRESS, rewriteInPlace} from '../oci/etc-files.js';
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

/** The names a container is known by on a network: its name, hostname, and its aliases there (its first network's by default). */
export function namesOf(config: {name: string; hostname: string; networkAliases: string[]}, aliases = config.networkAliases): string[] {
	return [...new Set([config.name, ...hostNames(config.hostname), ...aliases])];
}

/** Puts the container on the network's roster (replacing an earlier entry of it) and rewrites every hosts file of the network. */
export async function addName(layout: StorageLayout, network: string, entry: NetworkName): Promise<void> {
	await changeRoster(layout, network, (members) => [...members.filter((m) => m.id !== entry.id), entry]);
}

/** Takes the container off every roster it is on, and rewrites the hosts files of those who remain. Idempotent. */
export async function removeName(layout: StorageLayout, id: string): Promise<void> {
	for (const network of rosterNetworks(layout)) {
		if (!readRoster(layout, network).members.some((m) => m.id === id)) continue;
		await changeRoster(layout, network, (members) => members.filter((m) => m.id !== id));
	}
}

/**
 * Takes the container off one network's roster: its peers there forget it, and its own hosts
 * file forgets them (on no network any more, it keeps `ownNames`, its hostname's, on 127.0.1.1). Idempotent.
 */
export async function removeNameFrom(layout: StorageLayout, network: string, id: string, ownNames: string[]): Promise<void> {
	await changeRoster(layout, network, (members) => members.filter((m) => m.id !== id), {id, ownNames});
}

/** New names for the container on every roster it is on (a rename), in every hosts file at once. */
export async function renameMember(layout: StorageLayout, id: string, namesOn: (network: string) => string[]): Promise<void> {
	for (const network of rosterNetworks(layout)) {
		if (!readRoster(layout, network).members.some((m) => m.id === id)) continue;
		await changeRoster(layout, network, (members) => members.map((m) => (m.id === id ? {...m, names: namesOn(network)} : m)));
	}
}

/**
 * Takes off every roster the containers whose network namespace is gone: they vanished
 * without their teardown (a container joins before it is put on a roster, and leaves after
 * it was taken off, so anyone on a roster without a namespace is stale).
 */
export async function pruneNames(layout: StorageLayout): Promise<void> {
	for (const network of rosterNetworks(layout)) {
		const gone = (m: NetworkName) => !fs.existsSync(netnsFile(layout, m.id));
		if (!readRoster(layout, network).members.some(gone)) continue;
		await changeRoster(layout, network, (members) => members.filter((m) => !gone(m)));
	}
}

/** Who is on the network now, as its roster says. */
export function rosterOf(layout: StorageLayout, network: string): NetworkName[] {
	return readRoster(layout, network).members;
}

/** The networks that have a roster file. */
function rosterNetworks(layout: StorageLayout): string[] {
	return list(namesDir(layout)).flatMap((file) => (NETWORK_FILE.test(file) ? [file.slice(0, -'.json'.length)] : []));
}

/** Changes one roster, then rewrites the hosts file of each of its members and of `leaving` (someone just taken off it). */
async function changeRoster(
	layout: StorageLayout,
	network: string,
	change: (members: NetworkName[]) => NetworkName[],
	leaving?: {id: string; ownNames: string[]},
): Promise<void> {
	const dir = namesDir(layout);
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	const file = `${network}.json`;
	await withLock(
		path.join(dir, 'rosters'),
		() => {
			const members = change(readRoster(layout, network).members);
			replaceFile(dir, file, `${JSON.stringify({bootId: readBootId() ?? '', members} satisfies Roster)}\n`, 0o600);
			const rosters = rosterNetworks(layout).map((name) => readRoster(layout, name).members);
			for (const member of members) writeHosts(layout, member.id, rosters, []);
			if (leaving && !members.some((m) => m.id === leaving.id)) writeHosts(layout, leaving.id, rosters, leaving.ownNames);
		},
		{waitMs: 30_000},
	);
}

/**
 * One container's hosts file: its own addresses (first the one it has the most names on),
 * then every other member of each network it is on. On no network any more: its names on
 * 127.0.1.1, as before it joined one. A container removed meanwhile has no file to write.
 */
function writeHosts(layout: StorageLayout, id: string, rosters: NetworkName[][], ownNames: string[]): void {
	const mine = rosters.flatMap((members) => members.filter((m) => m.id === id));
	const peers = rosters
		.filter((members) => members.some((m) => m.id === id))
		.flatMap((members) => members.filter((m) => m.id !== id))
		.map(({ip, names}) => ({ip, names}));
	const file = path.join(containerPaths(layout, id).etc, 'hosts');
	if (mine.length === 0) {
		rewriteInPlace(file, hostsFile({ip: OWN_NAME_ADDRESS, names: ownNames}, []));
		return;
	}
	const [first, ...others] = [...mine].sort((a, b) => b.names.length - a.names.length);
	rewriteInPlace(file, hostsFile({ip: first!.ip, names: first!.names}, [...others.map(({ip, names}) => ({ip, names})), ...peers]));
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
