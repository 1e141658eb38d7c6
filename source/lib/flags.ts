// The command-line flag parser every command uses: GNU-style long and short flags, typed by a
// spec. Pure and small on purpose: it runs in every `c32` process, before anything else.
import {UsageError} from './errors.js';

export interface StringFlag {
	type: 'string';
	shortFlag?: string;
	aliases?: readonly string[];
	isMultiple?: boolean;
	default?: string;
}

export interface BooleanFlag {
	type: 'boolean';
	shortFlag?: string;
	aliases?: readonly string[];
	default?: boolean;
}

export type AnyFlag = StringFlag | BooleanFlag;
export type AnyFlags = Record<string, AnyFlag>;

/** What a spec parses to: repeatable flags are arrays, a string without default may be absent. */
export type FlagValues<Flags extends AnyFlags> = {
	[Key in keyof Flags]: Flags[Key] extends {type: 'boolean'}
		? boolean
		: Flags[Key] extends {isMultiple: true}
			? string[]
			: Flags[Key] extends {default: string}
				? string
				: string | undefined;
};

export interface FlagParse<Flags extends AnyFlags> {
	flags: FlagValues<Flags>;
	operands: string[];
	/** Every flag the spec does not have, as typed (`--bogus`, `-x`), in order. */
	unknown: string[];
}

/**
 * `--name value`, `--name=value`, `-n value`, `-nvalue`, `-abc` (booleans), `--no-bool`,
 * `--bool=true|false`; `--` ends the flags. A value may not start with `-` unless it is a
 * negative number or is joined with `=`: `--name --rm` is a missing value, not a name.
 */
export function parseFlags<Flags extends AnyFlags>(specs: Flags, argv: readonly string[]): FlagParse<Flags> {
	const byName = flagIndex(specs);
	const values: Record<string, unknown> = {};
	const given = new Set<string>();
	const operands: string[] = [];
	const unknown: string[] = [];

	const set = (key: string, shown: string, value: string | boolean): void => {
		const spec = specs[key]!;
		if (spec.type === 'string' && spec.isMultiple) {
			values[key] = [...((values[key] as string[] | undefined) ?? []), value as string];
			return;
		}
		if (given.has(key) && spec.type === 'string') throw new UsageError(`flag ${shown} was given twice: give it once`);
		given.add(key);
		values[key] = value;
	};
	const takeValue = (shown: string, index: number): string => {
		const next = argv[index];
		if (next === undefined || (next.startsWith('-') && next !== '-' && !/^-\d/.test(next))) {
			throw new UsageError(`flag ${shown} needs a value`);
		}
		return next;
	};

	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (arg === '--') {
			operands.push(...argv.slice(i + 1));
			break;
		}
		if (arg.startsWith('--')) {
			const equals = arg.indexOf('=');
			const name = arg.slice(2, equals === -1 ? undefined : equals);
			const inline = equals === -1 ? undefined : arg.slice(equals + 1);
			const shown = `--${name}`;
			const direct = byName.get(name);
			const negated = direct === undefined && name.startsWith('no-') ? byName.get(name.slice(3)) : undefined;
			if (negated !== undefined && specs[negated]!.type === 'boolean') {
				if (inline !== undefined) throw new UsageError(`flag ${shown} takes no value`);
				set(negated, shown, false);
			} else if (direct === undefined) {
				unknown.push(shown);
			} else if (specs[direct]!.type === 'boolean') {
				set(direct, shown, inline === undefined ? true : booleanValue(shown, inline));
			} else {
				const value = inline ?? takeValue(shown, ++i);
				if (value === '') throw new UsageError(`flag ${shown} needs a value`);
				set(direct, shown, value);
			}
			continue;
		}
		if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
			// A cluster of short flags: booleans, then at most one that takes the rest as its value.
			for (let j = 1; j < arg.length; j++) {
				const letter = arg[j]!;
				const shown = `-${letter}`;
				const key = byName.get(letter);
				if (key === undefined) {
					unknown.push(shown);
					continue;
				}
				if (specs[key]!.type === 'boolean') {
					set(key, shown, true);
					continue;
				}
				const rest = arg.slice(j + 1).replace(/^=/, '');
				set(key, shown, rest === '' ? takeValue(shown, ++i) : rest);
				break;
			}
			continue;
		}
		operands.push(arg);
	}

	for (const [key, spec] of Object.entries(specs)) {
		if (key in values) continue;
		if (spec.type === 'boolean') values[key] = spec.default ?? false;
		else if (spec.isMultiple) values[key] = [];
		else if (spec.default !== undefined) values[key] = spec.default;
	}
	return {flags: values as FlagValues<Flags>, operands, unknown};
}

/** Every name a flag answers to (kebab-case long name, aliases, short letter) -> its key. */
function flagIndex(specs: AnyFlags): Map<string, string> {
	const index = new Map<string, string>();
	for (const [key, spec] of Object.entries(specs)) {
		index.set(kebab(key), key);
		for (const alias of spec.aliases ?? []) index.set(alias, key);
		if (spec.shortFlag) index.set(spec.shortFlag, key);
	}
	return index;
}

function booleanValue(shown: string, text: string): boolean {
	if (text === 'true') return true;
	if (text === 'false') return false;
	throw new UsageError(`invalid ${shown} value "${text}": use ${shown}, --no-${shown.slice(2)} or ${shown}=false`);
}

export function kebab(name: string): string {
	return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
