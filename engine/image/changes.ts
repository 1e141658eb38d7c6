// docker's --change instructions applied to an image's runtime config. Pure.
//   CMD / ENTRYPOINT  ["exec", "form"]  or  shell form (run by /bin/sh -c)
//   ENV K=V [K2="v 2" ...] | ENV K V     LABEL k=v [...]     WORKDIR /abs     USER u[:g]
//   EXPOSE 80 [8080/udp ...]             STOPSIGNAL SIGINT
// The instruction and its value are separated by a space or by "=" ("CMD=echo hi").
import {C32Error} from '../errors.js';
import {parseSignal} from '../signals.js';
import type {OciImageConfig} from './types.js';

const INSTRUCTIONS = 'CMD, ENTRYPOINT, ENV, LABEL, WORKDIR, USER, EXPOSE or STOPSIGNAL';

function bad(change: string, why: string): C32Error {
	return new C32Error('INVALID_CONFIG', `invalid --change ${JSON.stringify(change)}: ${why}`);
}

/** `config` with every change applied in order; INVALID_CONFIG for one c32 cannot apply. */
export function applyChanges(config: OciImageConfig, changes: readonly string[] = []): OciImageConfig {
	let result: OciImageConfig = {...config, env: [...config.env], labels: {...config.labels}, exposedPorts: [...config.exposedPorts]};
	for (const change of changes) result = applyChange(result, change);
	return result;
}

function applyChange(config: OciImageConfig, change: string): OciImageConfig {
	const match = typeof change === 'string' ? /^\s*([A-Za-z]+)(?:[\s=]([\s\S]*))?$/.exec(change) : null;
	if (!match) throw bad(String(change), `give an instruction (${INSTRUCTIONS}) and its value`);
	const instruction = match[1]!.toUpperCase();
	const value = (match[2] ?? '').trim();
	if (value === '') throw bad(change, `${instruction} needs a value`);
	switch (instruction) {
		case 'CMD':
			return {...config, cmd: commandOf(change, value)};
		case 'ENTRYPOINT':
			return {...config, entrypoint: commandOf(change, value)};
		case 'ENV': {
			const env = [...config.env];
			for (const [key, val] of pairs(change, value)) {
				const at = env.findIndex((entry) => entry.split('=', 1)[0] === key);
				if (at >= 0) env[at] = `${key}=${val}`;
				else env.push(`${key}=${val}`);
			}
			return {...config, env};
		}
		case 'LABEL':
			return {...config, labels: {...config.labels, ...Object.fromEntries(pairs(change, value))}};
		case 'WORKDIR':
			if (!value.startsWith('/')) throw bad(change, 'WORKDIR must be an absolute path');
			return {...config, workingDir: value};
		case 'USER':
			if (/\s/.test(value)) throw bad(change, 'USER is one user name or uid, optionally :group');
			return {...config, user: value};
		case 'EXPOSE': {
			const ports = [...config.exposedPorts];
			for (const port of value.split(/\s+/)) {
				const p = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(port);
				if (!p || Number(p[1]) < 1 || Number(p[1]) > 65535)
					throw bad(change, `${JSON.stringify(port)} is not a port (e.g. 8080 or 53/udp)`);
				const name = `${Number(p[1])}/${(p[2] ?? 'tcp').toLowerCase()}`;
				if (!ports.includes(name)) ports.push(name);
			}
			return {...config, exposedPorts: ports};
		}
		case 'STOPSIGNAL': {
			if (parseSignal(value) === null) throw bad(change, `${JSON.stringify(value)} is not a signal (e.g. SIGINT or 2)`);
			const name = value.toUpperCase();
			return {...config, stopSignal: /^\d+$/.test(name) || name.startsWith('SIG') ? name : `SIG${name}`};
		}
		default:
			throw bad(change, `c32 knows the instructions ${INSTRUCTIONS}`);
	}
}

/** A JSON array of strings (exec form), else a command for /bin/sh -c (shell form). */
function commandOf(change: string, value: string): string[] {
	if (!value.startsWith('[')) return ['/bin/sh', '-c', value];
	let parsed: unknown;
	try {
		parsed = JSON.parse(value);
	} catch {
		throw bad(change, 'the exec form is a JSON array of strings, e.g. ["/bin/sh", "-c", "echo hi"]');
	}
	if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((part) => typeof part === 'string')) {
		throw bad(change, 'the exec form is a non-empty JSON array of strings');
	}
	return parsed;
}

/** "K=V K2="v 2"" or the legacy "K V with spaces". */
function pairs(change: string, value: string): [string, string][] {
	const first = /^[^\s=]+/.exec(value)![0];
	if (value[first.length] !== '=') {
		const rest = value.slice(first.length).trim();
		if (rest === '') throw bad(change, 'give KEY=value');
		return [[checkedKey(change, first), rest]];
	}
	const result: [string, string][] = [];
	const token = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)(?:\s+|$)/y;
	let at = 0;
	while (at < value.length) {
		token.lastIndex = at;
		const m = token.exec(value);
		if (!m) throw bad(change, 'give KEY=value pairs, quoting values with spaces ("a b")');
		const raw = m[2]!;
		const val = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw.startsWith("'") ? raw.slice(1, -1) : raw;
		result.push([checkedKey(change, m[1]!), val]);
		at = token.lastIndex;
	}
	return result;
}

function checkedKey(change: string, key: string): string {
	if (key.includes('\0')) throw bad(change, 'a key cannot hold NUL');
	return key;
}
