// A command's flags and operands, checked against its spec. Errors are UsageError and --help is
// EarlyExit, so every message has the `c32: error:` form and tests can run commands in-process.
import type {Context} from './context.js';
import {EarlyExit, UsageError} from './errors.js';
import {type AnyFlag, type AnyFlags, type FlagValues, kebab, parseFlags} from './flags.js';
import {helpText} from './help.js';

export interface CommandSpec<Flags extends AnyFlags> {
	name: string;
	help: string;
	flags: Flags;
	/** How many operands (non-flag arguments) the command takes. */
	operands: {min: number; max: number; label: string};
	/** What to say about a flag the command does not have but users reach for (docker habits). */
	hints?: Record<string, string>;
}

export interface Parsed<Flags extends AnyFlags> {
	flags: FlagValues<Flags>;
	operands: string[];
}

/** Infers the flags' literal types for the typed result. */
export function defineCommand<Flags extends AnyFlags>(spec: CommandSpec<Flags>): CommandSpec<Flags> {
	return spec;
}

export function parseArgs<Flags extends AnyFlags>(spec: CommandSpec<Flags>, argv: string[], ctx: Context): Parsed<Flags> {
	if (wantsHelp(argv)) {
		ctx.stdout.write(helpText(spec.help));
		throw new EarlyExit(0);
	}
	const {flags, operands, unknown} = parseFlags(spec.flags, argv);
	if (unknown.length > 0) {
		const hint = unknown.map((flag) => spec.hints?.[flag]).find(Boolean);
		throw new UsageError(`unknown flag ${unknown.join(', ')}${hint ? `: ${hint}` : ''}`);
	}
	const {min, max, label} = spec.operands;
	if (operands.length < min) throw new UsageError(`"c32 ${spec.name}" needs ${min === 1 ? 'a' : `at least ${min}`} ${label}`);
	if (operands.length > max) {
		throw new UsageError(
			`"c32 ${spec.name}" takes ${max === 0 ? 'no arguments' : `at most ${max} ${label}`}, got "${operands.slice(max).join(' ')}"`,
		);
	}
	return {flags, operands};
}

/** --help or -h before any `--`. */
export function wantsHelp(argv: string[]): boolean {
	for (const arg of argv) {
		if (arg === '--') return false;
		if (arg === '--help' || arg === '-h') return true;
	}
	return false;
}

/** Every spelling (--long, --alias, -s) of the flags that take a value. */
export function valueFlagNames(flags: AnyFlags): Set<string> {
	const names = new Set<string>();
	for (const [key, flag] of Object.entries(flags)) {
		if (flag.type === 'string') for (const name of spellings(key, flag)) names.add(name);
	}
	return names;
}

/** How a flag is typed: --long-name, its aliases, -s; a boolean that defaults on as --no-name. */
export function spellings(key: string, flag: AnyFlag): string[] {
	const negated = flag.type === 'boolean' && flag.default === true;
	const long = [key, ...(flag.aliases ?? [])].map((name) => `--${negated ? 'no-' : ''}${kebab(name)}`);
	return flag.shortFlag && !negated ? [...long, `-${flag.shortFlag}`] : long;
}
