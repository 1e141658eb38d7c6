// Signal names and numbers: the one place a user's signal is checked. Pure and small, so the
// CLI checks a signal while it parses its flags, before any container is looked up.
import {constants as osConstants} from 'node:os';
import {C32Error} from './errors.js';

/** glibc's SIGRTMIN on Linux: 32 and 33 belong to the threads library. */
export const SIGRTMIN = 34;
export const SIGRTMAX = 64;
const MAX_SIGNAL = 64;

/** The standard signals' numbers by name (first name wins for aliases such as SIGIOT). */
const NAMED: ReadonlyMap<number, string> = (() => {
	const byNumber = new Map<number, string>();
	for (const [name, number] of Object.entries(osConstants.signals)) {
		if (number > 0 && number < 32 && !byNumber.has(number)) byNumber.set(number, name);
	}
	return byNumber;
})();

/** The name c32 stores for a signal number: SIGTERM, SIGRTMIN+3, SIGRTMAX-2, or "32"/"33". */
function nameOf(number: number): string {
	if (number >= SIGRTMIN)
		return number - SIGRTMIN <= SIGRTMAX - number ? rt('SIGRTMIN', number - SIGRTMIN) : rt('SIGRTMAX', SIGRTMAX - number, '-');
	return NAMED.get(number) ?? String(number);
}

function rt(base: string, offset: number, sign = '+'): string {
	return offset === 0 ? base : `${base}${sign}${offset}`;
}

/** The number of a signal given by name ("TERM", "sigterm", "SIGRTMIN+3", "RTMAX-1") or number, or null. */
export function parseSignal(signal: string): number | null {
	if (typeof signal !== 'string') return null;
	const text = signal.trim().toUpperCase();
	if (/^\d{1,2}$/.test(text)) {
		const number = Number(text);
		return number >= 1 && number <= MAX_SIGNAL ? number : null;
	}
	const name = text.startsWith('SIG') ? text : `SIG${text}`;
	const realtime = /^SIGRT(MIN|MAX)(?:([+-])(\d{1,2}))?$/.exec(name);
	if (realtime) {
		const [, base, sign, digits] = realtime;
		const offset = digits === undefined ? 0 : Number(digits);
		if (base === 'MIN' && sign !== '-' && SIGRTMIN + offset <= SIGRTMAX) return SIGRTMIN + offset;
		if (base === 'MAX' && sign !== '+' && SIGRTMAX - offset >= SIGRTMIN) return SIGRTMAX - offset;
		return null;
	}
	const number = (osConstants.signals as Record<string, number>)[name];
	return number !== undefined && number > 0 && number < 32 ? number : null;
}

/** A signal's canonical name (what is stored and shown); throws INVALID_CONFIG for an unknown one. */
export function resolveSignal(signal: string): string {
	const number = parseSignal(signal);
	if (number === null) {
		throw new C32Error(
			'INVALID_CONFIG',
			`unknown signal ${JSON.stringify(String(signal))}: use a name such as TERM or SIGHUP, a number from 1 to ${MAX_SIGNAL}, or SIGRTMIN+n / SIGRTMAX-n`,
		);
	}
	return nameOf(number);
}

/** The number of a signal resolveSignal accepted: what kill(2), runc kill and process.kill are given. */
export function signalNumber(signal: string): number {
	const number = parseSignal(signal);
	if (number === null) throw new C32Error('INVALID_CONFIG', `unknown signal ${JSON.stringify(signal)}`);
	return number;
}
