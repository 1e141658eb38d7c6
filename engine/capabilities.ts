// Linux capabilities: the kernel's names, the default set of each isolation level, and
// docker's --cap-add / --cap-drop arithmetic. Pure.
import {C32Error} from './errors.js';
import type {IsolationType} from './types.js';

/** Every capability of Linux 5.9 and later (include/uapi/linux/capability.h), by number. */
export const KERNEL_CAPABILITIES = [
	'CAP_CHOWN',
	'CAP_DAC_OVERRIDE',
	'CAP_DAC_READ_SEARCH',
	'CAP_FOWNER',
	'CAP_FSETID',
	'CAP_KILL',
	'CAP_SETGID',
	'CAP_SETUID',
	'CAP_SETPCAP',
	'CAP_LINUX_IMMUTABLE',
	'CAP_NET_BIND_SERVICE',
	'CAP_NET_BROADCAST',
	'CAP_NET_ADMIN',
	'CAP_NET_RAW',
	'CAP_IPC_LOCK',
	'CAP_IPC_OWNER',
	'CAP_SYS_MODULE',
	'CAP_SYS_RAWIO',
	'CAP_SYS_CHROOT',
	'CAP_SYS_PTRACE',
	'CAP_SYS_PACCT',
	'CAP_SYS_ADMIN',
	'CAP_SYS_BOOT',
	'CAP_SYS_NICE',
	'CAP_SYS_RESOURCE',
	'CAP_SYS_TIME',
	'CAP_SYS_TTY_CONFIG',
	'CAP_MKNOD',
	'CAP_LEASE',
	'CAP_AUDIT_WRITE',
	'CAP_AUDIT_CONTROL',
	'CAP_SETFCAP',
	'CAP_MAC_OVERRIDE',
	'CAP_MAC_ADMIN',
	'CAP_SYSLOG',
	'CAP_WAKE_ALARM',
	'CAP_BLOCK_SUSPEND',
	'CAP_AUDIT_READ',
	'CAP_PERFMON',
	'CAP_BPF',
	'CAP_CHECKPOINT_RESTORE',
] as const;

/** A capability's canonical name, e.g. "CAP_NET_RAW". */
export type Capability = (typeof KERNEL_CAPABILITIES)[number];
/** What --cap-add / --cap-drop take: "CAP_NET_RAW", "NET_RAW" (any case at run time) or "ALL". */
export type CapabilityName = Capability | (Capability extends `CAP_${infer Short}` ? Short : never) | 'ALL';

/**
 * Podman's default set (containers.conf default_capabilities): docker's without NET_RAW,
 * MKNOD and AUDIT_WRITE. NET_RAW alone lets a container on the host network capture every
 * host process's traffic on loopback with an AF_PACKET socket.
 */
export const STANDARD_CAPABILITIES: readonly Capability[] = [
	'CAP_CHOWN',
	'CAP_DAC_OVERRIDE',
	'CAP_FOWNER',
	'CAP_FSETID',
	'CAP_KILL',
	'CAP_NET_BIND_SERVICE',
	'CAP_SETFCAP',
	'CAP_SETGID',
	'CAP_SETPCAP',
	'CAP_SETUID',
	'CAP_SYS_CHROOT',
];

/** The set a container of this level gets when it adds and drops nothing; null: minimal has no such concept. */
export function defaultCapabilities(isolation: IsolationType): Capability[] | null {
	if (isolation === 'minimal') return null;
	return isolation === 'strict' ? [] : [...STANDARD_CAPABILITIES];
}

/** "net_raw", "CAP_NET_RAW" -> "CAP_NET_RAW"; "all" -> "ALL". Throws INVALID_CONFIG for anything else. */
export function canonicalCapability(name: string, field: string, capLastCap: number): Capability | 'ALL' {
	const upper = typeof name === 'string' ? name.trim().toUpperCase() : '';
	if (upper === 'ALL') return 'ALL';
	const full = (upper.startsWith('CAP_') ? upper : `CAP_${upper}`) as Capability;
	const number = KERNEL_CAPABILITIES.indexOf(full);
	if (number < 0) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${field}: unknown capability ${JSON.stringify(name)}: use a name from capabilities(7) such as NET_RAW or SYS_PTRACE, or ALL`,
		);
	}
	if (number > capLastCap) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${field}: this host's kernel does not know ${full} (its last capability is ${KERNEL_CAPABILITIES[capLastCap] ?? capLastCap}): drop it`,
		);
	}
	return full;
}

/**
 * docker's rules: ALL in add means every capability but the dropped ones; ALL in drop means
 * only the added ones; otherwise the defaults minus the dropped plus the added. In kernel order.
 */
export function resolveCapabilities(
	isolation: IsolationType,
	add: readonly string[],
	drop: readonly string[],
	capLastCap: number,
): Capability[] | null {
	const base = defaultCapabilities(isolation);
	if (base === null) {
		if (add.length > 0 || drop.length > 0) {
			throw new C32Error(
				'INVALID_CONFIG',
				'minimal isolation has no capabilities to add or drop (its process has the privileges of whoever runs c32): use standard or strict isolation',
			);
		}
		return null;
	}
	const adds = add.map((name) => canonicalCapability(name, 'capAdd', capLastCap));
	const drops = drop.map((name) => canonicalCapability(name, 'capDrop', capLastCap));
	const known = KERNEL_CAPABILITIES.slice(0, capLastCap + 1);
	let result: Set<Capability>;
	if (adds.includes('ALL')) result = new Set(known.filter((c) => !drops.includes(c)));
	else if (drops.includes('ALL')) result = new Set(adds as Capability[]);
	else result = new Set([...base.filter((c) => !drops.includes(c)), ...(adds as Capability[])]);
	return KERNEL_CAPABILITIES.filter((c) => result.has(c));
}

/** The highest capability number the running kernel knows (/proc/sys/kernel/cap_last_cap). */
export function parseCapLastCap(text: string | null): number {
	const value = Number(text);
	return text !== null && Number.isInteger(value) && value >= 0
		? Math.min(value, KERNEL_CAPABILITIES.length - 1)
		: KERNEL_CAPABILITIES.length - 1;
}
