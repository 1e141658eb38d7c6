// Image references in docker's grammar, and the names c32 stores them under. Pure.
//
//   [host[:port]/]path-component[/path-component...][:tag][@sha256:<64 hex>]
//
// A name made here (import, commit, tag) without a host lives under `localhost/`; a name
// looked up without a host is tried as `localhost/NAME`, then `docker.io/library/NAME`;
// a pull without a host goes to docker.io (with `library/` for one-component names).
import {C32Error} from '../errors.js';

export interface Reference {
	/** The registry host (with its port), or null when the reference names none. */
	domain: string | null;
	/** The repository path below the host, e.g. "team/bot". */
	path: string;
	tag: string | null;
	digest: string | null;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
	/^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
export const DIGEST = /^sha256:[0-9a-f]{64}$/;
const NAME_MAX = 255;

export const LOCAL_DOMAIN = 'localhost';
export const DOCKER_DOMAIN = 'docker.io';

const EXAMPLE = 'e.g. busybox, team/bot:1, 127.0.0.1:5000/team/bot:1 or bot@sha256:<64 hex>';

function malformed(ref: string, why: string): C32Error {
	return new C32Error('INVALID_CONFIG', `invalid image reference ${JSON.stringify(ref)}: ${why} (${EXAMPLE})`);
}

/** Parses a reference; INVALID_CONFIG says what is wrong and what a good one looks like. */
export function parseReference(ref: string): Reference {
	if (typeof ref !== 'string' || ref === '') throw malformed(String(ref ?? ''), 'it is empty');
	let rest = ref;
	let digest: string | null = null;
	const at = rest.indexOf('@');
	if (at >= 0) {
		digest = rest.slice(at + 1);
		rest = rest.slice(0, at);
		if (!DIGEST.test(digest)) throw malformed(ref, 'a digest is sha256: and 64 lowercase hex digits');
	}
	let tag: string | null = null;
	const colon = rest.lastIndexOf(':');
	if (colon > rest.lastIndexOf('/')) {
		tag = rest.slice(colon + 1);
		rest = rest.slice(0, colon);
		if (!TAG.test(tag)) throw malformed(ref, 'a tag is up to 128 letters, digits, _, . and - (not starting with . or -)');
	}
	if (rest === '') throw malformed(ref, 'it names no repository');
	if (rest.length > NAME_MAX) throw malformed(ref, `the name is longer than ${NAME_MAX} characters`);
	const parts = rest.split('/');
	let domain: string | null = null;
	const first = parts[0]!;
	if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === LOCAL_DOMAIN || first !== first.toLowerCase())) {
		if (!DOMAIN.test(first)) throw malformed(ref, `${JSON.stringify(first)} is not a registry host[:port]`);
		domain = first;
		parts.shift();
	}
	for (const part of parts) {
		if (!COMPONENT.test(part)) {
			throw malformed(ref, `${JSON.stringify(part)} is not a name component: lowercase letters and digits, separated by ., _, __ or -`);
		}
	}
	return {domain, path: parts.join('/'), tag, digest};
}

/** Strips a `docker://` transport prefix (accepted on pull). */
export function stripTransport(ref: string): string {
	return typeof ref === 'string' && ref.startsWith('docker://') ? ref.slice('docker://'.length) : ref;
}

/** docker.io's own spelling: one-component names live under library/. */
function dockerPath(path: string): string {
	return path.includes('/') ? path : `library/${path}`;
}

function format(domain: string, path: string, tag: string | null, digest: string | null): string {
	return `${domain}/${path}${tag === null ? '' : `:${tag}`}${digest === null ? '' : `@${digest}`}`;
}

/**
 * The name an image made here is stored under: `localhost/NAME:latest` for a bare name; a
 * host given stays. A digest has no place in a name given to an image.
 */
export function localName(ref: string): string {
	const parsed = parseReference(ref);
	if (parsed.digest !== null) throw malformed(ref, 'a name given to an image cannot carry a digest');
	const domain = parsed.domain ?? LOCAL_DOMAIN;
	const path = domain === DOCKER_DOMAIN ? dockerPath(parsed.path) : parsed.path;
	return format(domain, path, parsed.tag ?? 'latest', null);
}

/** What a pull fetches and the name it stores: docker.io/library/NAME:latest for a bare name. */
export function pullName(ref: string): string {
	const parsed = parseReference(stripTransport(ref));
	const domain = parsed.domain ?? DOCKER_DOMAIN;
	const path = domain === DOCKER_DOMAIN ? dockerPath(parsed.path) : parsed.path;
	return format(domain, path, parsed.tag ?? (parsed.digest === null ? 'latest' : null), parsed.digest);
}

/** The full names a reference may stand for, in lookup order (without its digest). */
export function lookupNames(parsed: Reference): string[] {
	const tag = parsed.tag ?? (parsed.digest === null ? 'latest' : null);
	if (parsed.domain !== null) {
		const path = parsed.domain === DOCKER_DOMAIN ? dockerPath(parsed.path) : parsed.path;
		return [format(parsed.domain, path, tag, null)];
	}
	return [format(LOCAL_DOMAIN, parsed.path, tag, null), format(DOCKER_DOMAIN, dockerPath(parsed.path), tag, null)];
}

/** The repository part of a stored name ("127.0.0.1:5000/team/bot:1" → "127.0.0.1:5000/team/bot"). */
export function repositoryOf(name: string): string {
	const at = name.indexOf('@');
	const base = at >= 0 ? name.slice(0, at) : name;
	const colon = base.lastIndexOf(':');
	return colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
}

/** An image id or a prefix of one (12 hex digits at least), with or without `sha256:`; null otherwise. */
export function idPrefix(ref: string): string | null {
	const match = /^(?:sha256:)?([0-9a-f]{12,64})$/.exec(ref);
	return match ? match[1]! : null;
}
