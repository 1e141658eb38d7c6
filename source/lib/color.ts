// Colour only for people: on a terminal, never when NO_COLOR is set or TERM is dumb.

export interface Palette {
	green(text: string): string;
	red(text: string): string;
	yellow(text: string): string;
	dim(text: string): string;
	bold(text: string): string;
}

export function colorEnabled(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv): boolean {
	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
	if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
	return stream.isTTY === true && env.TERM !== 'dumb';
}

export function palette(enabled: boolean): Palette {
	const wrap = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
	return {
		green: wrap(32, 39),
		red: wrap(31, 39),
		yellow: wrap(33, 39),
		dim: wrap(2, 22),
		bold: wrap(1, 22),
	};
}

// Told apart from each other and from red (errors, stderr): cyan, yellow, green, magenta,
// blue, then their bright forms.
const NAME_COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** The colour of the index-th of several names shown side by side (container prefixes). */
export function nameColor(index: number, enabled: boolean): (text: string) => string {
	const code = NAME_COLORS[index % NAME_COLORS.length]!;
	return (text) => (enabled ? `\x1b[${code}m${text}\x1b[39m` : text);
}

// eslint-disable-next-line no-control-regex
const ANSI_PATTERN = /\x1b\[[0-9;]*m/g;

/** The width a string takes on screen, escape codes left out. */
export function visibleWidth(text: string): number {
	return [...text.replace(ANSI_PATTERN, '')].length;
}
