// The command typed at the dashboard's `e` prompt, split into words as a shell would split
// them (quotes and backslashes, nothing else: no variables, globs or operators), by the same
// splitter as hooks. The words go to the engine as an argv; no shell on the host ever sees the text.
import {splitCommand} from '../../engine/events/hooks.js';

export const DEFAULT_SHELL = ['sh'];

export type CommandLine = {words: string[]} | {error: string};

/** '' (or only blanks) is the default shell. */
export function splitCommandLine(text: string): CommandLine {
	try {
		const words = splitCommand(text);
		return {words: words.length === 0 ? [...DEFAULT_SHELL] : words};
	} catch (error) {
		return {error: (error as Error).message};
	}
}
