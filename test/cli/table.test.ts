import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {colorEnabled, palette, visibleWidth} from '../../source/lib/color.js';
import {renderTable, truncateEnd, truncateStart} from '../../source/lib/table.js';

describe('renderTable', () => {
	it('aligns columns three spaces apart without trailing blanks', () => {
		const text = renderTable(
			['ID', 'NAME', 'STATUS'],
			[
				['a1', 'web', 'Up 2 minutes'],
				['b2', 'worker-long', 'Created'],
			],
		);
		assert.equal(text, 'ID   NAME          STATUS\n' + 'a1   web           Up 2 minutes\n' + 'b2   worker-long   Created\n');
	});
	it('colours styled cells after measuring and padding them', () => {
		const colors = palette(true);
		const text = renderTable(
			['A', 'B'],
			[
				[{text: 'xx', style: colors.green}, 'y'],
				['long', 'z'],
			],
		);
		assert.equal(text.split('\n')[1], `${colors.green('xx')}     y`);
	});
	it('shows control characters in cells escaped, so a row stays one line', () => {
		const text = renderTable(
			['NAME', 'LABEL'],
			[
				['bot', 'a\x1b]0;pwned\x07\nb\x9bc\u202ed'],
				['x', 'y'],
			],
		);
		assert.equal(text, 'NAME   LABEL\nbot    a\\x1b]0;pwned\\x07\\nb\\x9bc\\u202ed\nx      y\n');
		assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]/);
	});
	it('prints headers alone for no rows', () => {
		assert.equal(renderTable(['A', 'B'], []), 'A   B\n');
	});
});

describe('colour', () => {
	it('is on for a terminal and off for pipes, NO_COLOR and dumb terminals', () => {
		assert.equal(colorEnabled({isTTY: true}, {}), true);
		assert.equal(colorEnabled({isTTY: false}, {}), false);
		assert.equal(colorEnabled({isTTY: true}, {NO_COLOR: '1'}), false);
		assert.equal(colorEnabled({isTTY: true}, {TERM: 'dumb'}), false);
		assert.equal(colorEnabled({isTTY: false}, {FORCE_COLOR: '1'}), true);
	});
	it('leaves text alone when disabled', () => {
		assert.equal(palette(false).red('x'), 'x');
		assert.equal(visibleWidth(palette(true).red('héllo')), 5);
	});
});

describe('truncation', () => {
	it('keeps the end of paths and the start of text', () => {
		assert.equal(truncateStart('/very/long/path/bot.py', 10), '…th/bot.py');
		assert.equal(truncateEnd('abcdefghij', 5), 'abcd…');
		assert.equal(truncateStart('short', 10), 'short');
	});
});
