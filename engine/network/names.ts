// Name resolution on a c32 network without asking anyone's DNS: c32 keeps, per network, who
// is on it (name, aliases, address) and writes that into the /etc/hosts of every container on
// it. A container on several networks has one hosts file: its addresses, then the members of
// every network it is on. A hosts file is bind-mounted into its running container, so it is
// rewritten in place. The rosters live in the runtime directory (<runtime>/cni/names/<network>.json)
// and start empty after a reboot; every change and the rewrites that follow run under one lock
// for all of them (a hosts file mixes several rosters), so the last writer leaves every file
// agreeing with the rosters. What one change costs must not grow with the roster more than it
// has to: a newcomer whose address sorts after everyone's is appended to its peers' files (the
// file is then byte for byte what a rewrite would give), removals asked for together in one
// process share one pass, and a file is rewritten without first truncating it to nothing (on
// ext4 that flushes it to disk at close). A marker file names a pass under way: a change that
// finds one left by a crash rewrites every file.
import fs from 'node:fs';
import path from 'node:path';
import {replaceFile} from '../fs/in-root.js';
import {readBootId} from '../host-facts.js';
import {hostNames, hostsFile, OWN_NAME_ADDRESS} from '../oci/etc-files.js';
import {byAddress} from '../order.js';
import {containerPaths, type StorageLayout} from '../paths.js';
import {withLock} from '../store.js';
import {netnsFile} from './attach.js';
import {DEFAULT_NETWORK} from './types.js';

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

/**
 * Whether the members of a network learn each other's names. The default network's do not,
 * as on docker's and podman's default networks: standard containers are strangers to each
 * other (and the hosts files of a thousand of them need no rewriting); a user network is
 * where containers that work together find each other.
 */
const sharesNames = (network: string): boolean => network !== DEFAULT_NETWORK;

/** The members whose hosts files a change on `network` touches: all of them where names are shared, else `subject`'s own. */
const touched = (network: string, members: NetworkName[], subject?: string): NetworkName[] =>
	sharesNames(network) ? members : members.filter((m) => m.id === subject);

/** The names a container is known by on a network: its name, hostname, and its aliases there (its first network's by default). */
export function namesOf(config: {name: string; hostname: string; networkAliases: string[]}, aliases = config.networkAliases): string[] {
	return [...new Set([config.name, ...hostNames(config.hostname), ...aliases])];
}

/** Puts the container on the network's roster (replacing an earlier entry of it) and rewrites every hosts file of the network. */
export async function addName(layout: StorageLayout, network: string, entry: NetworkName): Promise<void> {
	await withRosters(layout, () => {
		const before = readRoster(layout, network).members;
		const members = [...before.filter((m) => m.id !== entry.id), entry];
		const rostersBefore = allRosters(layout);
		writeRoster(layout, network, members);
		const rosters = allRosters(layout);
		if (before.some((m) => m.id === entry.id)) return rewriteAll(layout, touched(network, members, entry.id), rosters);
		// A newcomer: its own file is written whole; each peer's gets one line more, appended
		// when the newcomer's address sorts after every address in the peer's file (else rewritten whole).
		writeHosts(layout, entry.id, rosters, []);
		if (entry.names.length === 0 || !sharesNames(network)) return;
		const line = `${entryLine(entry)}\n`;
		const last = lastAddresses(rostersBefore);
		for (const member of before) {
			if ((last.get(member.id) ?? []).every((ip) => byAddress(ip, entry.ip) < 0)) appendHosts(layout, member.id, line);
			else writeHosts(layout, member.id, rosters, []);
		}
	});
}

/**
 * Takes the container off every roster it is on, and rewrites the hosts files of those who
 * remain. Removals asked for while an earlier one waits for the lock or runs join the next
 * pass: `rm -f` of many rewrites each remaining file once per pass, not once per container. Idempotent.
 */
export function removeName(layout: StorageLayout, id: string): Promise<void> {
	const key = namesDir(layout);
	let batch = pendingRemovals.get(key);
	if (batch === undefined) {
		const ids = new Set<string>([id]);
		const done = withRosters(layout, () => {
			// From here on, removals asked for wait for the next pass.
			if (pendingRemovals.get(key)?.ids === ids) pendingRemovals.delete(key);
			const changed = new Set<string>();
			for (const network of rosterNetworks(layout)) {
				const members = readRoster(layout, network).members;
				const kept = members.filter((m) => !ids.has(m.id));
				if (kept.length === members.length) continue;
				writeRoster(layout, network, kept);
				for (const member of touched(network, kept)) changed.add(member.id);
			}
			const rosters = allRosters(layout);
			for (const member of changed) writeHosts(layout, member, rosters, []);
		});
		batch = {ids, done};
		pendingRemovals.set(key, batch);
		done
			.catch(() => {})
			.finally(() => {
				if (pendingRemovals.get(key) === batch) pendingRemovals.delete(key);
			});
	}
	batch.ids.add(id);
	return batch.done;
}

/** The removals of this process not yet begun, per names directory. */
const pendingRemovals = new Map<string, {ids: Set<string>; done: Promise<void>}>();

/**
 * Takes the container off one network's roster: its peers there forget it, and its own hosts
 * file forgets them (on no network any more, it keeps `ownNames`, its hostname's, on 127.0.1.1). Idempotent.
 */
export async function removeNameFrom(layout: StorageLayout, network: string, id: string, ownNames: string[]): Promise<void> {
	await changeRoster(layout, network, (members) => members.filter((m) => m.id !== id), {leaving: {id, ownNames}});
}

/** New names for the container on every roster it is on (a rename), in every hosts file at once. */
export async function renameMember(layout: StorageLayout, id: string, namesOn: (network: string) => string[]): Promise<void> {
	for (const network of rosterNetworks(layout)) {
		if (!readRoster(layout, network).members.some((m) => m.id === id)) continue;
		await changeRoster(layout, network, (members) => members.map((m) => (m.id === id ? {...m, names: namesOn(network)} : m)), {
			renamed: id,
		});
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

/**
 * Changes one roster, then rewrites the hosts file of each of its members (on a network that
 * shares no names, only `renamed`'s) and of `leaving` (someone just taken off it).
 */
async function changeRoster(
	layout: StorageLayout,
	network: string,
	change: (members: NetworkName[]) => NetworkName[],
	{leaving, renamed}: {leaving?: {id: string; ownNames: string[]}; renamed?: string} = {},
): Promise<void> {
	await withRosters(layout, () => {
		const members = change(readRoster(layout, network).members);
		writeRoster(layout, network, members);
		const rosters = allRosters(layout);
		rewriteAll(layout, touched(network, members, renamed), rosters);
		if (leaving && !members.some((m) => m.id === leaving.id)) writeHosts(layout, leaving.id, rosters, leaving.ownNames);
	});
}

/**
 * Runs `pass` under the lock of all rosters, with the marker that says a pass is under way.
 * A marker found when the lock is taken was left by a pass that did not finish: every
 * member's file is rewritten first.
 */
async function withRosters(layout: StorageLayout, pass: () => void): Promise<void> {
	const dir = namesDir(layout);
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	await withLock(
		path.join(dir, 'rosters'),
		() => {
			const marker = path.join(dir, PASS_MARKER);
			const unfinished = fs.existsSync(marker);
			fs.writeFileSync(marker, '', {mode: 0o600});
			if (unfinished) {
				const rosters = allRosters(layout);
				rewriteAll(layout, rosters.flat(), rosters);
			}
			pass();
			fs.rmSync(marker, {force: true});
		},
		{waitMs: 30_000},
	);
}

const PASS_MARKER = 'pass-under-way';

function writeRoster(layout: StorageLayout, network: string, members: NetworkName[]): void {
	replaceFile(namesDir(layout), `${network}.json`, `${JSON.stringify({bootId: readBootId() ?? '', members} satisfies Roster)}\n`, 0o600);
}

/**
 * Every roster's members, each roster sorted by address (so that a hosts file's sort has
 * nothing left to do). A network that shares no names is, to its members' hosts files, a
 * roster of one each: each knows its own address there and no one else's.
 */
function allRosters(layout: StorageLayout): NetworkName[][] {
	return rosterNetworks(layout).flatMap((name) => {
		const members = [...readRoster(layout, name).members].sort((a, b) => byAddress(a.ip, b.ip));
		return sharesNames(name) ? [members] : members.map((member) => [member]);
	});
}

function rewriteAll(layout: StorageLayout, members: NetworkName[], rosters: NetworkName[][]): void {
	for (const id of new Set(members.map((m) => m.id))) writeHosts(layout, id, rosters, []);
}

/** For each member, the highest address of each network it is on (rosters sorted by address): what its hosts file sorts last. */
function lastAddresses(rosters: NetworkName[][]): Map<string, string[]> {
	const found = new Map<string, string[]>();
	for (const members of rosters) {
		const last = members.at(-1)?.ip;
		if (last === undefined) continue;
		for (const {id} of members) found.set(id, [...(found.get(id) ?? []), last]);
	}
	return found;
}

/**
 * One container's hosts file: its own addresses (first the one it has the most names on),
 * then every other member of each network it is on. On no network any more: its names on
 * 127.0.1.1, as before it joined one. A container removed meanwhile has no file to write.
 */
function writeHosts(layout: StorageLayout, id: string, rosters: NetworkName[][], ownNames: string[]): void {
	const index = indexOf(rosters);
	const mine = index.entriesOf.get(id) ?? [];
	const theirs = index.rostersOf.get(id) ?? [];
	const file = hostsPath(layout, id);
	if (mine.length === 0) {
		overwrite(file, hostsFile({ip: OWN_NAME_ADDRESS, names: ownNames}, []));
		return;
	}
	if (mine.length === 1 && theirs.length === 1) {
		// One network, its roster sorted by address: the peers are in hostsFile's order already.
		const roster = theirs[0]!;
		const peers = index.linesOf(roster).filter((_, i) => roster[i]!.id !== id && roster[i]!.names.length > 0);
		overwrite(file, `${[...HOSTS_HEAD, entryLine(mine[0]!), ...peers].join('\n')}\n`);
		return;
	}
	const peers = theirs.flatMap((members) => members.filter((m) => m.id !== id)).map(({ip, names}) => ({ip, names}));
	const [first, ...others] = [...mine].sort((a, b) => b.names.length - a.names.length);
	overwrite(file, hostsFile({ip: first!.ip, names: first!.names}, [...others.map(({ip, names}) => ({ip, names})), ...peers]));
}

/** hostsFile's first lines: the text written without it is held to its own by the unit tests. */
const HOSTS_HEAD = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];

const entryLine = (entry: {ip: string; names: string[]}) => `${entry.ip}\t${[...new Set(entry.names)].join(' ')}`;

interface RosterIndex {
	/** Each member's entries (one per network it is on). */
	entriesOf: Map<string, NetworkName[]>;
	/** The rosters each member is on. */
	rostersOf: Map<string, NetworkName[][]>;
	/** A roster's hosts lines, one per member, made once per pass. */
	linesOf: (roster: NetworkName[]) => string[];
}

/** Who is where, worked out once per pass over the rosters: a pass writes every member's file, with a lookup each, not a scan. */
const indexes = new WeakMap<NetworkName[][], RosterIndex>();
function indexOf(rosters: NetworkName[][]): RosterIndex {
	const known = indexes.get(rosters);
	if (known) return known;
	const entriesOf = new Map<string, NetworkName[]>();
	const rostersOf = new Map<string, NetworkName[][]>();
	for (const members of rosters) {
		for (const member of members) {
			entriesOf.set(member.id, [...(entriesOf.get(member.id) ?? []), member]);
			const on = rostersOf.get(member.id) ?? [];
			if (!on.includes(members)) rostersOf.set(member.id, [...on, members]);
		}
	}
	const lines = new WeakMap<NetworkName[], string[]>();
	const linesOf = (roster: NetworkName[]) => {
		const made = lines.get(roster) ?? roster.map(entryLine);
		lines.set(roster, made);
		return made;
	};
	const index = {entriesOf, rostersOf, linesOf};
	indexes.set(rosters, index);
	return index;
}

const hostsPath = (layout: StorageLayout, id: string) => path.join(containerPaths(layout, id).etc, 'hosts');

/**
 * Opens the container's hosts file to change it in place (it is bind-mounted into the running
 * container): never through a symlink, never anything but a regular file; null when it is not
 * there (its container was removed meanwhile).
 */
function openHosts(file: string, flags: number): number | null {
	let fd: number;
	try {
		fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK | flags);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
		throw error;
	}
	if (fs.fstatSync(fd).isFile()) return fd;
	fs.closeSync(fd);
	return null;
}

/** The new content over the old, then cut to its length: never truncated to nothing first (see the top of this file). */
function overwrite(file: string, content: string): void {
	const fd = openHosts(file, 0);
	if (fd === null) return;
	try {
		const data = Buffer.from(content);
		let written = 0;
		while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written, written);
		fs.ftruncateSync(fd, data.length);
	} finally {
		fs.closeSync(fd);
	}
}

function appendHosts(layout: StorageLayout, id: string, line: string): void {
	const fd = openHosts(hostsPath(layout, id), fs.constants.O_APPEND);
	if (fd === null) return;
	try {
		fs.writeSync(fd, line);
	} finally {
		fs.closeSync(fd);
	}
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
