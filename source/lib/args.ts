// One meow parse per subcommand. meow's own exits (unknown flag, --help) are replaced by
// UsageError and EarlyExit so every message has the `c32: error:` form and tests can run
// commands in-process.
import meow, {type AnyFlag, type AnyFlags, type Result} from 'meow';
import type {Context} from './context.js';
import {EarlyExit, UsageError} from './errors.js';
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
	flags: Result<Flags>['flags'];
	operands: string[];
}

const PACKAGE = {name: 'c32'};

/** Infers the flags' literal types for meow's typed result. */
export function defineCommand<Flags extends AnyFlags>(spec: CommandSpec<Flags>): CommandSpec<Flags> {
	return spec;
}

export function parseArgs<Flags extends AnyFlags>(spec: CommandSpec<Flags>, argv: string[], ctx: Context): Parsed<Flags> {
	if (wantsHelp(argv)) {
		ctx.stdout.write(helpText(spec.help));
		throw new EarlyExit(0);
	}
	let result: Result<Flags>;
	try {
		result = meow({
			importMeta: import.meta,
			pkg: PACKAGE,
			argv,
			flags: spec.flags,
			description: false,
			help: spec.help,
			autoHelp: false,
			autoVersion: false,
			allowUnknownFlags: true,
			booleanDefault: false,
		});
	} catch (error) {
		// meow throws for a repeated single-valued flag and for values outside `choices`.
		throw new UsageError(error instanceof Error ? error.message.replace(/`/g, '') : String(error));
	}
	const unknown = unknownFlags(result.unnormalizedFlags, spec.flags);
	if (unknown.length > 0) {
		const hint = unknown.map((flag) => spec.hints?.[flag]).find(Boolean);
		throw new UsageError(`unknown flag ${unknown.join(', ')}${hint ? `: ${hint}` : ''}`);
	}
	rejectEmptyValues(result.flags as Record<string, unknown>, spec.flags);
	const operands = result.input.map(String);
	const {min, max, label} = spec.operands;
	if (operands.length < min) throw new UsageError(`"c32 ${spec.name}" needs ${min === 1 ? 'a' : `at least ${min}`} ${label}`);
	if (operands.length > max) {
		throw new UsageError(
			`"c32 ${spec.name}" takes ${max === 0 ? 'no arguments' : `at most ${max} ${label}`}, got "${operands.slice(max).join(' ')}"`,
		);
	}
	return {flags: result.flags, operands};
}

/** --help or -h before any `--`. */
export function wantsHelp(argv: string[]): boolean {
	for (const arg of argv) {
		if (arg === '--') return false;
		if (arg === '--help' || arg === '-h') return true;
	}
	return false;
}

function unknownFlags(parsed: Record<string, unknown>, flags: AnyFlags): string[] {
	const known = new Set<string>();
	for (const [key, flag] of Object.entries(flags)) {
		known.add(key);
		known.add(kebab(key));
		if (flag.shortFlag) known.add(flag.shortFlag);
		for (const alias of flag.aliases ?? []) {
			known.add(alias);
			known.add(camel(alias));
		}
	}
	return Object.keys(parsed)
		.filter((key) => !known.has(key) && !known.has(camel(key)))
		.map((key) => (key.length === 1 ? `-${key}` : `--${kebab(key)}`));
}

/** yargs gives "" to a string flag with no value after it (`--name --rm`, `--name` last). */
function rejectEmptyValues(parsed: Record<string, unknown>, flags: AnyFlags): void {
	for (const [key, flag] of Object.entries(flags)) {
		if (flag.type !== 'string') continue;
		const value = parsed[key];
		const values = Array.isArray(value) ? value : [value];
		if (values.some((v) => v === '')) throw new UsageError(`flag --${kebab(key)} needs a value`);
	}
}

/** Every spelling (--long, --alias, -s) of the flags that take a value. */
export function valueFlagNames(flags: AnyFlags): Set<string> {
	const names = new Set<string>();
	for (const [key, flag] of Object.entries(flags)) {
		if (flag.type === 'string' || flag.type === 'number') for (const name of spellings(key, flag)) names.add(name);
	}
	return names;
}

/** How a flag is typed: --long-name, its aliases, -s; a boolean that defaults on as --no-name. */
export function spellings(key: string, flag: AnyFlag): string[] {
	const negated = flag.type === 'boolean' && flag.default === true;
	const long = [key, ...(flag.aliases ?? [])].map((name) => `--${negated ? 'no-' : ''}${kebab(name)}`);
	return flag.shortFlag && !negated ? [...long, `-${flag.shortFlag}`] : long;
}

function kebab(name: string): string {
	return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(name: string): string {
	return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
