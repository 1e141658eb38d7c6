// Published ports: docker's -p syntax parsed into mappings (pure), and whether a host port
// is free — neither bound by a process nor already forwarded by a DNAT rule.
import {execFile} from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import {promisify} from 'node:util';
import {C32Error} from '../errors.js';
import {parseIpv4} from './subnets.js';
import type {PortMapping} from './types.js';

const GOOD = 'use [HOSTIP:]HOSTPORT:CONTAINERPORT[/tcp|udp], CONTAINERPORT or ranges such as 8000-8001:80-81';

/**
 * '8080:80/tcp', '127.0.0.1:8080:80', '127.0.0.1::80' (any free host port), '80' (the same),
 * '8000-8001:80-81' (one mapping per port). hostIp '' is every address; hostPort 0 is "pick one".
 */
export function parsePortSpec(spec: string): PortMapping[] {
	const bad = (why: string) => new C32Error('INVALID_CONFIG', `the port ${JSON.stringify(spec)} ${why}: ${GOOD}`);
	const [body, protocolText, ...extra] = spec.split('/');
	const protocol = protocolText ?? 'tcp';
	if (extra.length > 0 || (protocol !== 'tcp' && protocol !== 'udp')) throw bad('has an unknown protocol (tcp or udp)');
	const parts = (body ?? '').split(':');
	if (parts.length > 3) throw bad('has too many parts (IPv6 host addresses are not supported)');
	const [hostIp, hostText, containerText] = parts.length === 3 ? parts : parts.length === 2 ? ['', ...parts] : ['', '', ...parts];
	if (hostIp !== '' && parseIpv4(hostIp ?? '') === null) throw bad(`names ${JSON.stringify(hostIp)}, which is not an IPv4 address`);
	const containerPorts = portRange(containerText ?? '', bad);
	const hostPorts = hostText === '' ? containerPorts.map(() => 0) : portRange(hostText ?? '', bad);
	if (hostPorts.length !== containerPorts.length) throw bad('maps ranges of different lengths');
	return containerPorts.map((containerPort, i) => ({hostIp: hostIp ?? '', hostPort: hostPorts[i] ?? 0, containerPort, protocol}));
}

function portRange(text: string, bad: (why: string) => C32Error): number[] {
	const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
	if (!match) throw bad(text === '' ? 'has no container port' : `has ${JSON.stringify(text)}, which is not a port or a range`);
	const first = Number(match[1]);
	const last = match[2] === undefined ? first : Number(match[2]);
	for (const port of [first, last]) if (port < 1 || port > 65535) throw bad(`has the port ${port}, outside 1-65535`);
	if (last < first) throw bad(`has the range ${text}, which ends before it starts`);
	if (last - first >= 1000) throw bad(`has the range ${text} of more than 1000 ports`);
	return Array.from({length: last - first + 1}, (_, i) => first + i);
}

/** The host ports (by protocol) that DNAT rules of `iptables-save -t nat` forward: portmap's, netavark's, anyone's. */
export function forwardedPorts(natTable: string): {tcp: Set<number>; udp: Set<number>} {
	const found = {tcp: new Set<number>(), udp: new Set<number>()};
	for (const line of natTable.split('\n')) {
		if (!line.startsWith('-A ') || !/-j DNAT\b/.test(line)) continue;
		const protocol = /-p (tcp|udp)\b/.exec(line)?.[1] as 'tcp' | 'udp' | undefined;
		const ports = /--dport (\d+)(?::(\d+))?/.exec(line);
		if (!protocol || !ports) continue;
		const first = Number(ports[1]);
		const last = ports[2] === undefined ? first : Number(ports[2]);
		for (let port = first; port <= last && port - first < 65536; port++) found[protocol].add(port);
	}
	return found;
}

/** Why a process could not bind the port (an errno code such as EADDRINUSE), or null when it could. hostIp '' is every address. */
export function bindError(hostIp: string, port: number, protocol: 'tcp' | 'udp'): Promise<string | null> {
	const address = hostIp === '' ? '0.0.0.0' : hostIp;
	const failed = (error: NodeJS.ErrnoException) => error.code ?? error.message;
	return new Promise((resolve) => {
		if (protocol === 'udp') {
			const socket = dgram.createSocket('udp4');
			socket.once('error', (error) => resolve(failed(error)));
			socket.bind({port, address, exclusive: true}, () => socket.close(() => resolve(null)));
			return;
		}
		const server = net.createServer();
		server.once('error', (error) => resolve(failed(error)));
		server.listen({port, host: address, exclusive: true}, () => server.close(() => resolve(null)));
	});
}

/** A port the kernel would hand out now (bound to port 0 and let go), or null. */
export function ephemeralPort(hostIp: string, protocol: 'tcp' | 'udp'): Promise<number | null> {
	const address = hostIp === '' ? '0.0.0.0' : hostIp;
	return new Promise((resolve) => {
		if (protocol === 'udp') {
			const socket = dgram.createSocket('udp4');
			socket.once('error', () => resolve(null));
			socket.bind({port: 0, address, exclusive: true}, () => {
				const {port} = socket.address();
				socket.close(() => resolve(port));
			});
			return;
		}
		const server = net.createServer();
		server.once('error', () => resolve(null));
		server.listen({port: 0, host: address, exclusive: true}, () => {
			const {port} = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

export type ForwardedPorts = ReturnType<typeof forwardedPorts>;

/** The ports the host's DNAT rules forward now. */
export async function readForwardedPorts(): Promise<ForwardedPorts> {
	const {stdout} = await promisify(execFile)('iptables-save', ['-t', 'nat'], {maxBuffer: 64 << 20});
	return forwardedPorts(stdout);
}

/** Free: nobody forwards it (`forwarded`: read now unless given) and nobody listens on it. */
export async function hostPortFree(hostIp: string, port: number, protocol: 'tcp' | 'udp', forwarded?: ForwardedPorts): Promise<boolean> {
	const rules = forwarded ?? (await readForwardedPorts());
	return !rules[protocol].has(port) && (await bindError(hostIp, port, protocol)) === null;
}
