// How systemd reads the settings of a unit that c32 writes, for tests that check a unit's
// meaning without systemd: specifiers, then quotes and C escapes, then $$ (systemd.syntax(7),
// systemd.service(5) "Command lines"). Only what a c32 unit uses; anything else throws.

/** The settings of a unit: section -> key -> every value in order. */
export function unitSettings(text: string): Map<string, Map<string, string[]>> {
	const sections = new Map<string, Map<string, string[]>>();
	let current: Map<string, string[]> | null = null;
	// A line that ends in a backslash goes on in the next; the backslash becomes a space.
	for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
		if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
		const header = /^\[(.+)\]$/.exec(line);
		if (header) {
			current = new Map();
			sections.set(header[1]!, current);
			continue;
		}
		const eq = line.indexOf('=');
		if (current === null || eq <= 0) throw new Error(`not a setting: ${JSON.stringify(line)}`);
		const key = line.slice(0, eq);
		current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
	}
	return sections;
}

/** The one value of a setting; throws when it is missing or given more than once. */
export function setting(text: string, section: string, key: string): string {
	const values = unitSettings(text).get(section)?.get(key) ?? [];
	if (values.length !== 1) throw new Error(`[${section}] ${key}= is given ${values.length} times`);
	return values[0]!;
}

/** systemd's specifiers: %% and those in `values` (t, n...); any other is an error here. */
export function expandSpecifiers(value: string, values: Record<string, string>): string {
	return value.replace(/%(.)/gs, (_, letter: string) => {
		if (letter === '%') return '%';
		const expansion = values[letter];
		if (expansion === undefined) throw new Error(`the specifier %${letter} is not expected in ${JSON.stringify(value)}`);
		return expansion;
	});
}

const ESCAPES: Record<string, string> = {
	a: '\x07',
	b: '\b',
	f: '\f',
	n: '\n',
	r: '\r',
	t: '\t',
	v: '\v',
	s: ' ',
	'\\': '\\',
	'"': '"',
	"'": "'",
};

/** Words as systemd's extract_first_word(EXTRACT_UNQUOTE | EXTRACT_CUNESCAPE) splits them. */
export function splitWords(value: string): string[] {
	const words: string[] = [];
	let word: string | null = null;
	let quote: '"' | "'" | null = null;
	for (let i = 0; i < value.length; i++) {
		const char = value[i]!;
		if (char === '\\') {
			const next = value[++i];
			if (next === undefined) throw new Error(`a trailing backslash in ${JSON.stringify(value)}`);
			const escaped = ESCAPES[next];
			if (escaped === undefined) throw new Error(`the escape \\${next} is not expected in ${JSON.stringify(value)}`);
			word = (word ?? '') + escaped;
		} else if (quote !== null) {
			if (char === quote) quote = null;
			else word = (word ?? '') + char;
		} else if (char === '"' || char === "'") {
			quote = char;
			word ??= '';
		} else if (char === ' ' || char === '\t') {
			if (word !== null) words.push(word);
			word = null;
		} else {
			word = (word ?? '') + char;
		}
	}
	if (quote !== null) throw new Error(`unbalanced quoting in ${JSON.stringify(value)}`);
	if (word !== null) words.push(word);
	return words;
}

export interface ExecCommand {
	argv: string[];
	/** The "-" prefix: a failure of the command is not a failure of the unit. */
	ignoreFailure: boolean;
}

/** An Exec*= value as the argv systemd runs: no shell, no environment variables ($$ is a "$"). */
export function execCommand(value: string, specifiers: Record<string, string>): ExecCommand {
	const expanded = expandSpecifiers(value, specifiers);
	const ignoreFailure = expanded.startsWith('-');
	const argv = splitWords(ignoreFailure ? expanded.slice(1) : expanded).map((word) => {
		if (word.replaceAll('$$', '').includes('$')) throw new Error(`the variable in ${JSON.stringify(word)} would be expanded`);
		return word.replaceAll('$$', '$');
	});
	if (!argv[0]?.startsWith('/')) throw new Error(`${JSON.stringify(value)} does not start with an absolute path`);
	return {argv, ignoreFailure};
}

/** The Environment= settings of [Service] as name -> value. */
export function unitEnvironment(text: string, specifiers: Record<string, string>): Record<string, string> {
	const environment: Record<string, string> = {};
	for (const value of unitSettings(text).get('Service')?.get('Environment') ?? []) {
		for (const word of splitWords(expandSpecifiers(value, specifiers))) {
			const eq = word.indexOf('=');
			environment[word.slice(0, eq)] = word.slice(eq + 1);
		}
	}
	return environment;
}
