// A container's own /etc/hostname, /etc/hosts and /etc/resolv.conf: their contents are a
// pure function of the container and of its network; writeEtcFiles is the one place that
// puts them on disk before a start, in the container's directory, from where they are bound
// over the host's /etc view. Once bound, a hosts file is only ever rewritten in place
// (rewriteInPlace): a rename would leave the container looking at the old inode.
import fs from 'node:fs';
import {replaceFile} from '../fs/in-root.js';
import {byAddress} from '../order.js';

export const ETC_FILE_NAMES = ['hostname', 'hosts', 'resolv.conf'] as const;
export type EtcFileName = (typeof ETC_FILE_NAMES)[number];
export type EtcFiles = Record<EtcFileName, string>;

export interface EtcInput {
	hostname: string;
	/** The host's /etc/resolv.conf, as it is ('' when the host has none). */
	hostResolvConf: string;
	/** Whether the container has a network namespace of its own (a c32 network or none), where the host's loopback is not its. */
	ownNetwork: boolean;
}

/** One line of a hosts file: an address and the names that lead to it. */
export interface HostsEntry {
	ip: string;
	names: string[];
}

/** The address a container's own hostname resolves to without a network address of its own, as Debian does for a host's name. */
export const OWN_NAME_ADDRESS = '127.0.1.1';

export function etcFiles(input: EtcInput): EtcFiles {
	return {
		hostname: `${input.hostname}\n`,
		hosts: hostsFile({ip: OWN_NAME_ADDRESS, names: hostNames(input.hostname)}, []),
		'resolv.conf': input.ownNetwork ? withoutLoopbackResolvers(input.hostResolvConf) : input.hostResolvConf,
	};
}

/** A hostname and its first label ("bot.example" → ["bot.example", "bot"]). */
export function hostNames(hostname: string): string[] {
	const short = hostname.split('.')[0]!;
	return short === hostname ? [hostname] : [hostname, short];
}

/** localhost, the container's own names, then the others on its network (sorted: the file is the same whoever writes it). */
export function hostsFile(own: HostsEntry, peers: HostsEntry[]): string {
	const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', entryLine(own)];
	const sorted = [...peers].sort((a, b) => byAddress(a.ip, b.ip));
	for (const peer of sorted) if (peer.names.length > 0) lines.push(entryLine(peer));
	return `${lines.join('\n')}\n`;
}

function entryLine(entry: HostsEntry): string {
	return `${entry.ip}\t${[...new Set(entry.names)].join(' ')}`;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|0:0:0:0:0:0:0:1)(%.*)?$/i;

/**
 * The host's resolver configuration without its loopback nameservers (a local stub such as
 * systemd-resolved's 127.0.0.53 is the host's, unreachable from another network namespace).
 * With none left the container has no resolver: glibc would otherwise ask its own loopback.
 */
export function withoutLoopbackResolvers(resolvConf: string): string {
	const kept = resolvConf.split('\n').filter((line) => {
		const match = /^\s*nameserver\s+(\S+)/.exec(line);
		return match === null || !LOOPBACK.test(match[1]!);
	});
	return kept.join('\n');
}

/** The host's resolver configuration, or '' when it has none. */
export function readHostResolvConf(file = '/etc/resolv.conf'): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

/** Writes the files into `dir` (c32's own directory) before a start, each replaced whole, never written through a link. */
export function writeEtcFiles(dir: string, files: EtcFiles): void {
	fs.mkdirSync(dir, {recursive: true, mode: 0o755});
	for (const name of ETC_FILE_NAMES) replaceFile(dir, name, files[name], 0o644);
}

/**
 * Replaces the content of a file that may be bind-mounted into a running container: the same
 * inode, truncated and written (never through a symlink, never anything but a regular file).
 * False when the file is not there (its container was removed meanwhile).
 */
export function rewriteInPlace(file: string, content: string): boolean {
	let fd: number;
	try {
		fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
		throw error;
	}
	try {
		if (!fs.fstatSync(fd).isFile()) return false;
		fs.ftruncateSync(fd, 0);
		fs.writeFileSync(fd, content); // from offset 0: the file was just opened
		return true;
	} finally {
		fs.closeSync(fd);
	}
}
