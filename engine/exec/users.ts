// Who an exec'd command runs as: a user given by name or id, looked up in the container's
// /etc/passwd (the host's for minimal isolation, which has the host's filesystem). Pure.
import {C32Error} from '../errors.js';
import type {ResolvedConfig} from '../types.js';
import type {UserSpec} from './request.js';

export interface PasswdEntry {
	name: string;
	uid: number;
	gid: number;
	home: string;
}

export interface ExecUser {
	uid: number;
	gid: number;
	/** The home directory of its /etc/passwd entry, when it has one. */
	home: string | null;
}

/** The entries of an /etc/passwd text; malformed lines are skipped, as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
	const entries: PasswdEntry[] = [];
	for (const line of text.split('\n')) {
		const [name, , uid, gid, , home] = line.split(':');
		if (!name || !/^\d+$/.test(uid ?? '') || !/^\d+$/.test(gid ?? '')) continue;
		entries.push({name, uid: Number(uid), gid: Number(gid), home: home ?? ''});
	}
	return entries;
}

/**
 * A name must be in `passwd`; a uid need not be (docker's rule), but when it is its entry
 * gives the group and home. Without a gid or an entry the group is the uid, as create does.
 * `where` names the passwd file for the error.
 */
export function resolveUser(spec: UserSpec, passwd: PasswdEntry[], where: string): ExecUser {
	const entry = spec.name !== null ? passwd.find((e) => e.name === spec.name) : passwd.find((e) => e.uid === spec.uid);
	if (spec.name !== null && entry === undefined) {
		throw new C32Error('INVALID_CONFIG', `unknown user ${JSON.stringify(spec.name)} in ${where}: give a user it lists, or a numeric uid`);
	}
	const uid = entry?.uid ?? spec.uid!;
	return {uid, gid: spec.gid ?? entry?.gid ?? uid, home: entry?.home || null};
}

/** HOME for a command run as another user than the container's: its own, unless the container's config sets HOME. */
export function homeOf(user: ExecUser, config: ResolvedConfig): Record<string, string> {
	if (Object.hasOwn(config.environment, 'HOME')) return {};
	return {HOME: user.home ?? (user.uid === 0 ? '/root' : '/tmp')};
}
