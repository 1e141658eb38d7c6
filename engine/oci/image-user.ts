// The user of a container on an OCI root, given by name (or by the image): looked up in the
// container's own /etc/passwd and /etc/group once its root is assembled, at every start, as
// docker does. The files are read inside the mounted root (symlinks expanded within it, no
// component followed out of it): the container may have written them in its upper layer.
import {C32Error} from '../errors.js';
import {type ExecUser, parsePasswd, resolveUser} from '../exec/users.js';
import {readFileInRoot} from '../fs/in-root.js';
import type {ResolvedConfig} from '../types.js';

const ACCOUNTS_MAX_BYTES = 4 * 1024 * 1024;

/** The gid of a group name in an /etc/group text. */
export function groupId(text: string, name: string): number | null {
	for (const line of text.split('\n')) {
		const [group, , gid] = line.split(':');
		if (group === name && /^\d+$/.test(gid ?? '')) return Number(gid);
	}
	return null;
}

/** Resolves "user[:group]" (names or ids) against the root's account files; `where` names the container for errors. */
export function lookupImageUser(spec: string, files: {passwd: string; group: string}, where: string): ExecUser {
	const [who = '', group] = spec.split(':');
	let gid: number | null = null;
	if (group !== undefined) {
		gid = /^\d+$/.test(group) ? Number(group) : groupId(files.group, group);
		if (gid === null) {
			throw new C32Error(
				'INVALID_CONFIG',
				`unknown group ${JSON.stringify(group)} in the /etc/group of ${where}: give a group it lists, or a gid`,
			);
		}
	}
	const numeric = /^\d+$/.test(who);
	return resolveUser(
		{name: numeric ? null : who, uid: numeric ? Number(who) : null, gid},
		parsePasswd(files.passwd),
		`the /etc/passwd of ${where}`,
	);
}

/**
 * The config a start runs with: a looked-up user replaced by its ids, and HOME from its
 * passwd entry unless the config sets one. A config without a lookup is returned as it is.
 */
export function withImageUser(config: ResolvedConfig, rootfs: string): ResolvedConfig {
	const spec = config.user.lookup;
	if (spec === undefined) return config;
	const read = (file: string) => readFileInRoot(rootfs, file, ACCOUNTS_MAX_BYTES)?.toString('utf8') ?? '';
	const user = lookupImageUser(spec, {passwd: read('/etc/passwd'), group: read('/etc/group')}, `container ${config.name}`);
	const home: Record<string, string> = Object.hasOwn(config.environment, 'HOME') || user.home === null ? {} : {HOME: user.home};
	return {...config, user: {uid: user.uid, gid: user.gid, name: spec}, environment: {...home, ...config.environment}};
}
