// Display widths, cutting to a width, and turning styled segments into terminal text.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {clipToWidth, graphemeWidth, textWidth} from '../../components/model/width.js';
import {segmentsToAnsi, sgr} from '../../components/views/ansi.js';
import {segmentStyle, themeFromEnv} from '../../components/views/theme.js';

const strip = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('text width', () => {
	test('ASCII, box drawing, blocks and braille take one cell each', () => {
		assert.equal(textWidth('hello'), 5);
		assert.equal(textWidth('█▉▏·…▶┤│'), 8);
		assert.equal(textWidth('⣿⡀⠁'), 3);
		assert.equal(textWidth(''), 0);
	});

	test('wide scripts and emoji take two, combining marks none', () => {
		assert.equal(textWidth('日本語'), 6);
		assert.equal(textWidth('한국'), 4);
		assert.equal(textWidth('ｗｉｄｅ'), 8);
		assert.equal(textWidth('🚀'), 2);
		assert.equal(textWidth('👩‍💻'), 2, 'a ZWJ sequence is one grapheme');
		assert.equal(textWidth('e\u0301'), 1);
		assert.equal(textWidth('a\u200bb'), 2);
		assert.equal(graphemeWidth('\u0301'), 0);
		assert.equal(graphemeWidth('©'), 1);
		assert.equal(graphemeWidth('❤️'), 2, 'with the emoji presentation selector');
	});

	test('cutting never splits a wide character or a cluster', () => {
		assert.deepEqual(clipToWidth('abcdef', 4), {text: 'abcd', width: 4});
		assert.deepEqual(clipToWidth('ab', 4), {text: 'ab', width: 2});
		assert.deepEqual(clipToWidth('日本語', 5), {text: '日本', width: 4});
		assert.deepEqual(clipToWidth('a🚀b', 2), {text: 'a', width: 1});
		assert.deepEqual(clipToWidth('e\u0301x', 1), {text: 'e\u0301', width: 1});
		assert.deepEqual(clipToWidth('abc', 0), {text: '', width: 0});
	});
});

describe('segments to terminal text', () => {
	const colour = {color: true};
	const mono = {color: false};

	test('styles become SGR codes, each reset after its segment', () => {
		assert.equal(sgr({color: 'red', bold: true}), '\x1b[1;31m');
		assert.equal(sgr({backgroundColor: 'yellow', color: 'black'}), '\x1b[30;43m');
		assert.equal(sgr({}), '');
		assert.equal(segmentsToAnsi([{text: 'ok', tone: 'ok'}, {text: ' plain'}], colour, 20), '\x1b[32mok\x1b[0m plain');
	});

	test('the line is cut to the width, wide characters included', () => {
		const text = segmentsToAnsi([{text: 'abc', tone: 'bad'}, {text: '日本語'}], colour, 6);
		assert.equal(strip(text), 'abc日');
		assert.equal(textWidth(strip(text)), 5);
		assert.equal(segmentsToAnsi([{text: 'abc'}], colour, 0), '');
	});

	test('without colour no colour codes are written, but bold, dim and inverse stay', () => {
		const text = segmentsToAnsi(
			[
				{text: 'OOM', tone: 'bad', inverse: true},
				{text: 'ok', tone: 'ok'},
				{text: 'x', tone: 'match'},
				{text: 'dim', tone: 'dim'},
			],
			mono,
			80,
		);
		assert.doesNotMatch(text, /\x1b\[[0-9;]*(3\d|4\d|9\d|10\d)m/, 'no colour codes');
		assert.match(text, /\x1b\[1;7mOOM/);
		assert.match(text, /\x1b\[7mx/);
		assert.match(text, /\x1b\[2mdim/);
	});

	test('the selected row gets a background with colour, inverse without; never faint', () => {
		assert.deepEqual(segmentStyle({text: 'a', tone: 'dim', selected: true}, colour), {backgroundColor: 'gray'});
		assert.deepEqual(segmentStyle({text: 'a', tone: 'ok', selected: true}, colour), {color: 'green', backgroundColor: 'gray'});
		assert.deepEqual(segmentStyle({text: 'a', selected: true}, mono), {inverse: true});
		assert.deepEqual(segmentStyle({text: 'a', inverse: true, selected: true}, colour), {inverse: false});
	});

	test('NO_COLOR and TERM=dumb turn colour off', () => {
		assert.equal(themeFromEnv({}).color, true);
		assert.equal(themeFromEnv({NO_COLOR: '1'}).color, false);
		assert.equal(themeFromEnv({NO_COLOR: ''}).color, true, 'an empty NO_COLOR does not count');
		assert.equal(themeFromEnv({TERM: 'dumb'}).color, false);
	});
});
