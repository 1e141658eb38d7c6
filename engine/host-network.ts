// What the host has of the container network stack, for doctor(): the CNI reference plugins
// c32's networks are built from, and the firewall tools those plugins drive.
import {execFile} from 'node:child_process';
import {accessSync, constants} from 'node:fs';
import path from 'node:path';
import {promisify} from 'node:util';
import type {DoctorReport} from './types.js';

const run = promisify(execFile);

/** Where Debian's containernetworking-plugins installs them, then the upstream default. */
export const CNI_DIRS = ['/usr/lib/cni', '/opt/cni/bin'] as const;

/** The plugins a c32 network chains (engine/network/conflist.ts), and loopback for every netns. */
export const CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'bandwidth', 'firewall', 'loopback'] as const;

export const CNI_PACKAGE = 'containernetworking-plugins';

export type NetworkStack = DoctorReport['network'];

function executable(file: string): boolean {
	try {
		accessSync(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

/** The first directory holding any of the plugins, and which of them it has. */
export function findCniPlugins(dirs: readonly string[] = CNI_DIRS): Pick<NetworkStack, 'cniDir' | 'cniPlugins' | 'cniMissing'> {
	for (const dir of dirs) {
		const found = CNI_PLUGINS.filter((name) => executable(path.join(dir, name)));
		if (found.length > 0) return {cniDir: dir, cniPlugins: found, cniMissing: CNI_PLUGINS.filter((name) => !found.includes(name))};
	}
	return {cniDir: null, cniPlugins: [], cniMissing: [...CNI_PLUGINS]};
}

/** "iptables v1.8.9 (nf_tables)" → "1.8.9 (nf_tables)"; "nftables v1.0.6 (Lester Gooch #5)" → "1.0.6". */
export function parseFirewallVersion(output: string): string | null {
	const match = /\bv(\d[\w.]*)(?: \((nf_tables|legacy)\))?/.exec(output);
	if (!match) return null;
	return match[2] ? `${match[1]} (${match[2]})` : match[1]!;
}

async function firewallTool(file: string | null): Promise<{path: string; version: string} | null> {
	if (file === null) return null;
	try {
		const {stdout} = await run(file, ['--version'], {timeout: 5000});
		return {path: file, version: parseFirewallVersion(stdout) ?? 'unknown'};
	} catch {
		return {path: file, version: 'unknown'};
	}
}

/** The network stack, and the problems to report for what is missing. */
export async function detectNetworkStack(
	findExecutable: (name: string) => string | null,
	installCommand: (packages: string[]) => string,
	dirs: readonly string[] = CNI_DIRS,
): Promise<{network: NetworkStack; problems: string[]}> {
	const plugins = findCniPlugins(dirs);
	const [iptables, nft] = await Promise.all([firewallTool(findExecutable('iptables')), firewallTool(findExecutable('nft'))]);
	const problems: string[] = [];
	if (plugins.cniMissing.length > 0) {
		const which =
			plugins.cniDir === null ? 'No CNI plugins found' : `CNI plugins missing from ${plugins.cniDir}: ${plugins.cniMissing.join(', ')}`;
		problems.push(`${which}, so containers cannot have networks of their own (only host or none): ${installCommand([CNI_PACKAGE])}`);
	}
	if (iptables === null) {
		problems.push(`iptables is not installed, so networks have no NAT and ports cannot be published: ${installCommand(['iptables'])}`);
	}
	return {network: {...plugins, iptables, nft}, problems};
}
