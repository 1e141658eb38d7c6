// The command typed at the dashboard's `e` prompt, split into words as a shell would split
// them (quotes and backslashes, nothing else: no variables, globs or operators). The words
// go to the engine as an argv; no shell on the host ever sees the text.

export const DEFAULT_SHELL = ['sh'];

export type CommandLine = {words: string[]} | {error: string};

/** '' (or only blanks) is the default shell. */
export function splitCommandLine(text: string): CommandLine {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: "'" | '"' | null = null;
	for (let i = 0; i < text.length; i++) {
		const char = text[i]!;
		if (quote === "'") {
			if (char === "'") quote = null;
			else word += char;
		} else if (quote === '"') {
			if (char === '"') quote = null;
			else if (char === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
			else word += char;
		} else if (char === "'" || char === '"') {
			quote = char;
			inWord = true;
		} else if (char === '\\') {
			if (i + 1 === text.length) return {error: 'the command ends with a lone backslash'};
			word += text[++i];
			inWord = true;
		} else if (char === ' ' || char === '\t') {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += char;
			inWord = true;
		}
	}
	if (quote !== null) return {error: `unclosed ${quote === "'" ? 'single' : 'double'} quote in the command`};
	if (inWord) words.push(word);
	return {words: words.length === 0 ? [...DEFAULT_SHELL] : words};
}
