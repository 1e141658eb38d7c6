// A container's own /etc/hostname, /etc/hosts and /etc/resolv.conf: their contents are a
// pure function of the container (and, later, of its networks); writeEtcFiles is the one
// place that puts them on disk, in the container's directory, from where they are bound
// over the host's /etc view.
import fs from 'node:fs';
import {replaceFile} from '../fs/in-root.js';

export const ETC_FILE_NAMES = ['hostname', 'hosts', 'resolv.conf'] as const;
export type EtcFileName = (typeof ETC_FILE_NAMES)[number];
export type EtcFiles = Record<EtcFileName, string>;

export interface EtcInput {
	hostname: string;
	/** The host's /etc/resolv.conf, copied as it is ('' when the host has none). */
	hostResolvConf: string;
}

/** The address a container's own hostname resolves to, as Debian does for a host's name. */
export const OWN_NAME_ADDRESS = '127.0.1.1';

export function etcFiles(input: EtcInput): EtcFiles {
	const short = input.hostname.split('.')[0]!;
	const names = short === input.hostname ? input.hostname : `${input.hostname} ${short}`;
	return {
		hostname: `${input.hostname}\n`,
		hosts: ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', `${OWN_NAME_ADDRESS}\t${names}`, ''].join('\n'),
		'resolv.conf': input.hostResolvConf,
	};
}

/** The host's resolver configuration, or '' when it has none. */
export function readHostResolvConf(file = '/etc/resolv.conf'): string {
	try {
		return fs.readFileSync(file, 'utf8');
	} catch {
		return '';
	}
}

/** Writes the files into `dir` (c32's own directory), each replaced whole, never written through a link. */
export function writeEtcFiles(dir: string, files: EtcFiles): void {
	fs.mkdirSync(dir, {recursive: true, mode: 0o755});
	for (const name of ETC_FILE_NAMES) replaceFile(dir, name, files[name], 0o644);
}
