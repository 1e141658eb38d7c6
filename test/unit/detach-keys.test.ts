// Detach keys: docker's spelling, and the watcher that holds back a started sequence.
import assert from 'node:assert/strict';
import {describe, test} from 'node:test';
import {DEFAULT_DETACH_KEYS, DetachWatcher, parseDetachKeys} from '../../engine/detach-keys.js';
import {stdioArgs} from '../../engine/drivers/oci.js';
import {isC32Error} from '../../engine/errors.js';

describe('parseDetachKeys', () => {
	test('ctrl- letters and symbols become control bytes, plain keys themselves', () => {
		assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS)], [0x10, 0x11]);
		assert.deepEqual([...parseDetachKeys('ctrl-a,d')], [0x01, 0x64]);
		assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f]);
		assert.deepEqual([...parseDetachKeys('CTRL-Z')], [0x1a]);
	});

	for (const bad of ['', 'ctrl-', 'ctrl-1', 'ab', 'ctrl-p,', ' ', 'ctrl-p,,ctrl-q']) {
		test(`refuses ${JSON.stringify(bad)} with one INVALID_CONFIG line`, () => {
			assert.throws(
				() => parseDetachKeys(bad),
				(error) => isC32Error(error) && error.code === 'INVALID_CONFIG' && /invalid detach keys/.test(error.message),
			);
		});
	}
});

describe('DetachWatcher', () => {
	const keys = parseDetachKeys('ctrl-p,ctrl-q');
	const feed = (watcher: DetachWatcher, text: string) => {
		const {forward, detach} = watcher.feed(Buffer.from(text, 'latin1'));
		return {forward: forward.toString('latin1'), detach};
	};

	test('passes everything else on, and detaches on the whole sequence', () => {
		const watcher = new DetachWatcher(keys);
		assert.deepEqual(feed(watcher, 'ls\r'), {forward: 'ls\r', detach: false});
		assert.deepEqual(feed(watcher, 'x\x10\x11y'), {forward: 'x', detach: true});
	});

	test('holds a started sequence across chunks and lets it go when it breaks', () => {
		const watcher = new DetachWatcher(keys);
		assert.deepEqual(feed(watcher, 'a\x10'), {forward: 'a', detach: false});
		assert.deepEqual(feed(watcher, 'b'), {forward: '\x10b', detach: false});
		assert.deepEqual(feed(watcher, '\x10'), {forward: '', detach: false});
		assert.deepEqual(feed(watcher, '\x11'), {forward: '', detach: true});
	});

	test('a repeated first key restarts the sequence (Ctrl-P Ctrl-P Ctrl-Q detaches, one Ctrl-P passes)', () => {
		const watcher = new DetachWatcher(keys);
		assert.deepEqual(feed(watcher, '\x10\x10\x11'), {forward: '\x10', detach: true});
	});

	test('a one-key sequence detaches on that key', () => {
		assert.deepEqual(feed(new DetachWatcher(parseDetachKeys('ctrl-x')), 'ab\x18cd'), {forward: 'ab', detach: true});
	});
});

describe("conmon's stdio options", () => {
	test('-t for a terminal (never with -i), -i for stdin alone, nothing otherwise', () => {
		assert.deepEqual(stdioArgs({tty: true, stdinOpen: true}), ['-t']);
		assert.deepEqual(stdioArgs({tty: true, stdinOpen: false}), ['-t']);
		assert.deepEqual(stdioArgs({tty: false, stdinOpen: true}), ['-i']);
		assert.deepEqual(stdioArgs({tty: false, stdinOpen: false}), []);
	});
});
