// The user-namespace decisions: which containers get one (strict, always: never silently
// dropped), how ids map, and what the mapped ids must be allowed to do on the host.
// Pure functions of the config and of stat results, so they are tested without root.
import type fs from 'node:fs';
import {C32Error} from '../errors.js';
import type {ResolvedConfig, UserNamespace} from '../types.js';

/** Container root of a strict container is this unprivileged host uid (and gid). */
export const USERNS_HOST_BASE = 100_000;
export const USERNS_SIZE = 65_536;

type IsolationOf = Pick<ResolvedConfig, 'isolationLevel'>;

/** The user namespace of a container: strict gets one, the other levels share the host's. */
export function userNamespaceOf(config: IsolationOf): UserNamespace | null {
	if (config.isolationLevel !== 'strict') return null;
	const mapping = [{containerID: 0, hostID: USERNS_HOST_BASE, size: USERNS_SIZE}];
	return {uidMappings: mapping, gidMappings: mapping};
}

/** The host id of container id `id` under `mappings` (identity without a user namespace); null when unmapped. */
export function hostIdOf(id: number, mappings: UserNamespace['uidMappings'] | null): number | null {
	if (mappings === null) return id;
	const range = mappings.find((m) => id >= m.containerID && id < m.containerID + m.size);
	return range ? range.hostID + (id - range.containerID) : null;
}

/** Who the container's root is on the host. */
export function containerRootOnHost(config: IsolationOf): {uid: number; gid: number} {
	const userns = userNamespaceOf(config);
	return {uid: hostIdOf(0, userns?.uidMappings ?? null)!, gid: hostIdOf(0, userns?.gidMappings ?? null)!};
}

/**
 * Who the container's user is on the host: the owner of its image snapshot, so the image's
 * own modes (a 0600 .env) give that user access and nobody else.
 */
export function containerUserOnHost(config: IsolationOf & Pick<ResolvedConfig, 'user'>): {uid: number; gid: number} {
	const userns = userNamespaceOf(config);
	const uid = hostIdOf(config.user.uid, userns?.uidMappings ?? null);
	const gid = hostIdOf(config.user.gid, userns?.gidMappings ?? null);
	// checkUserNamespace refuses unmapped ids before anything is created.
	return {uid: uid ?? config.user.uid, gid: gid ?? config.user.gid};
}

type StatOf = (path: string) => Pick<fs.Stats, 'uid' | 'gid' | 'mode' | 'isDirectory'>;

/** Whether host `uid`/`gid` (with no capabilities and no other groups) may write `stat`'s file, or enter and write its directory. */
export function mayWrite(stat: Pick<fs.Stats, 'uid' | 'gid' | 'mode' | 'isDirectory'>, uid: number, gid: number): boolean {
	const wanted = stat.isDirectory() ? 0o3 : 0o2;
	const bits = stat.uid === uid ? (stat.mode >> 6) & 7 : stat.gid === gid ? (stat.mode >> 3) & 7 : stat.mode & 7;
	return (bits & wanted) === wanted;
}

export interface UserNamespaceHost {
	/** Whether this host lets root create user namespaces. */
	userNamespacesAllowed: boolean;
	stat: StatOf;
}

/**
 * Throws when a container cannot run with its user namespace as configured: the host
 * forbids user namespaces, its user is outside the mapping, or a read-write volume is not
 * writable by the mapped user (strict has no capabilities, so only the modes count). Called
 * at create and again at every start, since a volume's owner can change in between.
 */
export function checkUserNamespace(config: ResolvedConfig, host: UserNamespaceHost): void {
	const userns = userNamespaceOf(config);
	if (userns === null) return;
	if (!host.userNamespacesAllowed) {
		throw new C32Error(
			'UNSUPPORTED',
			'strict isolation needs a user namespace, which this host does not allow: sysctl -w user.max_user_namespaces=15000, or use --isolation standard',
		);
	}
	const uid = hostIdOf(config.user.uid, userns.uidMappings);
	const gid = hostIdOf(config.user.gid, userns.gidMappings);
	if (uid === null || gid === null) {
		throw new C32Error(
			'INVALID_CONFIG',
			`strict isolation maps container ids 0-${USERNS_SIZE - 1}: user ${config.user.uid}:${config.user.gid} is outside them, pick a smaller uid and gid`,
		);
	}
	for (const volume of config.volumes) {
		if (volume.readOnly) continue;
		const stat = host.stat(volume.source);
		if (mayWrite(stat, uid, gid)) continue;
		throw new C32Error(
			'PERMISSION_DENIED',
			`strict runs the container's user as host uid ${uid} (a user namespace), which cannot write the volume ${volume.source} ` +
				`(owner ${stat.uid}:${stat.gid}, mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}): ` +
				`chown ${uid}:${gid} ${volume.source}, mount it read-only (${volume.source}:${volume.destination}:ro), or use --isolation standard`,
		);
	}
}
