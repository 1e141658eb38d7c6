// The value syntaxes of compose files: durations (1m30s), sizes (512m) and command strings.

const DURATION_UNITS: Record<string, number> = {us: 0.000001, ms: 0.001, s: 1, m: 60, h: 3600};

/** "1m30s", "500ms", "10s" -> seconds; null when it is not a duration. */
export function parseDurationSeconds(text: string): number | null {
	const trimmed = text.trim();
	if (trimmed === '' || !/^((\d+(\.\d+)?)(us|ms|s|m|h))+$/.test(trimmed)) return null;
	let seconds = 0;
	for (const [, amount, , unit] of trimmed.matchAll(/(\d+(\.\d+)?)(us|ms|s|m|h)/g)) seconds += Number(amount) * DURATION_UNITS[unit!]!;
	return seconds;
}

const SIZE_UNITS: Record<string, number> = {b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3};

/** A memory size (bytes as a number, or "512m", "1g", "100mb") -> megabytes; null when it is none. */
export function parseMemoryMb(value: unknown): number | null {
	const match =
		typeof value === 'number'
			? [String(value), String(value), 'b']
			: typeof value === 'string'
				? /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(value.trim())
				: null;
	if (!match) return null;
	const bytes = Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!;
	return Math.round((bytes / 1024 ** 2) * 1000) / 1000;
}

/** A command string split into words as a POSIX shell would (quotes, backslashes), without running one; null for an open quote. */
export function splitCommand(text: string): string[] | null {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: '"' | "'" | null = null;
	for (let i = 0; i < text.length; i++) {
		const ch = text[i]!;
		if (quote === "'") {
			if (ch === "'") quote = null;
			else word += ch;
		} else if (quote === '"') {
			if (ch === '"') quote = null;
			else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
			else word += ch;
		} else if (ch === "'" || ch === '"') {
			quote = ch;
			inWord = true;
		} else if (ch === '\\' && i + 1 < text.length) {
			word += text[++i];
			inWord = true;
		} else if (/\s/.test(ch)) {
			if (inWord) words.push(word);
			word = '';
			inWord = false;
		} else {
			word += ch;
			inWord = true;
		}
	}
	if (quote !== null) return null;
	if (inWord) words.push(word);
	return words;
}
