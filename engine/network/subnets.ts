// IPv4 subnets as numbers: parsing CIDRs, overlap, the next free c32 subnet. Pure.
import {C32Error} from '../errors.js';

export interface Cidr {
	/** The network address as an unsigned 32-bit number. */
	address: number;
	prefix: number;
}

/** Where c32's own subnets come from: 10.90.0.0/16 (podman uses 10.88.0.0/16 and 10.89.N.0/24). */
const POOL_BASE = (10 << 24) | (90 << 16);

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** An IPv4 address as a number, or null when `text` is not one. */
export function parseIpv4(text: string): number | null {
	const match = IPV4.exec(text);
	if (!match) return null;
	const octets = match.slice(1).map(Number);
	if (octets.some((octet) => octet > 255)) return null;
	return octets.reduce((sum, octet) => sum * 256 + octet, 0);
}

export function formatIpv4(address: number): string {
	return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** A subnet for a c32 network: IPv4, /8 to /30 (room for a gateway and a container), no host bits. */
export function parseCidr(text: string): Cidr {
	const example = 'give an IPv4 subnet such as 10.90.5.0/24';
	const [ip, prefixText, ...rest] = text.split('/');
	const address = parseIpv4(ip ?? '');
	if (address === null || prefixText === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText)) {
		throw new C32Error('INVALID_CONFIG', `${JSON.stringify(text)} is not a subnet: ${example}`);
	}
	const prefix = Number(prefixText);
	if (prefix < 8 || prefix > 30) {
		throw new C32Error('INVALID_CONFIG', `the subnet ${text} has a /${prefix} prefix: use a prefix from /8 to /30, such as 10.90.5.0/24`);
	}
	const network = (address & maskOf(prefix)) >>> 0;
	if (network !== address) {
		throw new C32Error('INVALID_CONFIG', `the subnet ${text} has host bits set: use ${formatCidr({address: network, prefix})}`);
	}
	return {address, prefix};
}

export const formatCidr = (cidr: Cidr) => `${formatIpv4(cidr.address)}/${cidr.prefix}`;

/** Whether two subnets share an address (one contains the other). */
export function overlaps(a: Cidr, b: Cidr): boolean {
	const mask = maskOf(Math.min(a.prefix, b.prefix));
	return (a.address & mask) >>> 0 === (b.address & mask) >>> 0;
}

/** The gateway of a c32 subnet: its first address (10.90.0.1 for 10.90.0.0/24). */
export const gatewayOf = (cidr: Cidr) => formatIpv4(cidr.address + 1);

/**
 * The first subnet of `prefix` (aligned, in 10.90.0.0/16) that overlaps neither a taken subnet
 * nor a route of the host; null when none is free.
 */
export function nextFreeSubnet(taken: Cidr[], routes: Cidr[], prefix = 24): Cidr | null {
	const used = [...taken, ...routes];
	const size = 2 ** (32 - prefix);
	for (let offset = 0; offset < 2 ** 16; offset += size) {
		const candidate = {address: (POOL_BASE + offset) >>> 0, prefix};
		if (!used.some((other) => overlaps(candidate, other))) return candidate;
	}
	return null;
}

export interface Route extends Cidr {
	device: string;
}

/**
 * The routes of /proc/net/route (addresses in the kernel's little-endian hex), without the
 * default route, which every subnet would "overlap".
 */
export function parseRouteTable(text: string): Route[] {
	const routes: Route[] = [];
	for (const line of text.split('\n').slice(1)) {
		const [device, destination, , , , , , mask] = line.trim().split(/\s+/);
		if (!device || !destination || !mask) continue;
		const prefix = popCount(littleEndian(mask));
		if (prefix === 0) continue;
		routes.push({device, address: (littleEndian(destination) & maskOf(prefix)) >>> 0, prefix});
	}
	return routes;
}

function littleEndian(hex: string): number {
	const value = Number.parseInt(hex, 16);
	return (((value & 255) << 24) | (((value >>> 8) & 255) << 16) | (((value >>> 16) & 255) << 8) | ((value >>> 24) & 255)) >>> 0;
}

function popCount(value: number): number {
	let count = 0;
	for (let v = value; v !== 0; v = (v & (v - 1)) >>> 0) count++;
	return count;
}

/** Whether an address lies in a subnet. */
export const contains = (cidr: Cidr, address: number) => overlaps(cidr, {address, prefix: 32});
