// Flag values with a fixed vocabulary (signals, restart policies, enums), checked while the
// command line is parsed: a bad one is a usage error (exit 2) before any container is looked up.
// The engine's own checks are used, so the CLI and the API accept exactly the same values.
import {isC32Error} from '../../engine/errors.js';
import {parseRestartPolicy} from '../../engine/restart.js';
import {resolveSignal} from '../../engine/signals.js';
import {UsageError} from './errors.js';

/** `--flag VALUE` through an engine check; its refusal becomes `invalid --flag "VALUE": <how to fix>`. */
function checked<T>(flag: string, value: string, check: (value: string) => T): T {
	try {
		return check(value);
	} catch (error) {
		if (!isC32Error(error)) throw error;
		const hint = error.message.slice(error.message.lastIndexOf(': ') + 2);
		throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: ${hint}`);
	}
}

/** A signal name or number -> its canonical name (SIGTERM, SIGRTMIN+3). */
export function signalFlag(flag: string, value: string): string {
	return checked(flag, value, resolveSignal);
}

/** A restart policy string, checked; returned as given. */
export function restartFlag(flag: string, value: string): string {
	checked(flag, value, parseRestartPolicy);
	return value;
}

/** One of `choices`, else `invalid --flag "x": use a, b or c`. */
export function choiceFlag<const T extends string>(flag: string, value: string, choices: readonly T[]): T {
	if ((choices as readonly string[]).includes(value)) return value as T;
	const list = choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : String(choices[0]);
	throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: use ${list}`);
}
