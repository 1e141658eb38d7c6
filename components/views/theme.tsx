// Colours in one place, and NO_COLOR honoured in one place: with it, meaning is carried by
// text, bold, dim and inverse only.
import {createContext, useContext} from 'react';
import type {Segment} from '../model/segments.js';

export interface Theme {
	color: boolean;
}

export const ThemeContext = createContext<Theme>({color: true});

export function useTheme(): Theme {
	return useContext(ThemeContext);
}

/** The terminal's width in cells: every line of the dashboard spans it. */
export const ScreenWidthContext = createContext(80);

export function useScreenWidth(): number {
	return useContext(ScreenWidthContext);
}

/** NO_COLOR (https://no-color.org), present and not empty, or a dumb terminal: no colour. */
export function themeFromEnv(env: NodeJS.ProcessEnv = process.env): Theme {
	const noColor = env['NO_COLOR'];
	return {color: !(noColor !== undefined && noColor !== '') && env['TERM'] !== 'dumb'};
}

export interface TextStyle {
	color?: string;
	backgroundColor?: string;
	dimColor?: boolean;
	bold?: boolean;
	inverse?: boolean;
}

const COLORS: Record<NonNullable<Segment['tone']>, TextStyle> = {
	ok: {color: 'green'},
	warn: {color: 'yellow'},
	bad: {color: 'red'},
	muted: {color: 'gray'},
	info: {color: 'blue'},
	busy: {color: 'magenta'},
	accent: {color: 'cyan'},
	dim: {dimColor: true},
	stderr: {color: 'red'},
	match: {color: 'black', backgroundColor: 'yellow'},
	'current-match': {color: 'black', backgroundColor: 'magenta'},
	graph: {color: 'cyan'},
	limit: {color: 'red'},
	// The containers of a merged log: never red (stderr, errors).
	name0: {color: 'cyan'},
	name1: {color: 'yellow'},
	name2: {color: 'green'},
	name3: {color: 'magenta'},
	name4: {color: 'blue'},
	name5: {color: 'white'},
};

// Without colour: loud tones get bold, quiet ones dim, matches inverse.
const MONO: Record<NonNullable<Segment['tone']>, TextStyle> = {
	ok: {},
	warn: {bold: true},
	bad: {bold: true},
	muted: {dimColor: true},
	info: {},
	busy: {},
	accent: {bold: true},
	dim: {dimColor: true},
	stderr: {bold: true},
	match: {inverse: true},
	'current-match': {inverse: true, bold: true},
	graph: {},
	limit: {dimColor: true},
	name0: {},
	name1: {},
	name2: {},
	name3: {},
	name4: {},
	name5: {},
};

export function segmentStyle(segment: Segment, theme: Theme): TextStyle {
	const base = segment.tone ? (theme.color ? COLORS : MONO)[segment.tone] : {};
	const style: TextStyle = {...base};
	if (segment.bold) style.bold = true;
	if (segment.inverse) style.inverse = true;
	if (segment.selected) {
		// A background keeps the row's colours (bars, states) readable; without colour, inverse.
		if (theme.color && !style.backgroundColor && !segment.inverse) {
			style.backgroundColor = 'gray';
			// Faint text on the highlight would all but vanish.
			delete style.dimColor;
		} else style.inverse = !style.inverse;
	}
	return style;
}
