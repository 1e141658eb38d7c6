import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {valueFlagNames} from '../../source/lib/args.js';
import {containerFlags, IMAGE_FLAGS} from '../../source/lib/container-options.js';
import {splitRunArgv} from '../../source/lib/run-argv.js';

const valueFlags = valueFlagNames({...containerFlags, detach: {type: 'boolean', shortFlag: 'd'}});
const split = (argv: string[]) => splitRunArgv(argv, valueFlags, IMAGE_FLAGS);

describe('splitRunArgv', () => {
	it('ends c32 options at the image so the command keeps its own flags', () => {
		assert.deepEqual(split(['-d', '--name', 'x', 'bot.py', '--verbose', '-n', '3']), {
			options: ['-d', '--name', 'x'],
			image: 'bot.py',
			command: ['--verbose', '-n', '3'],
		});
	});
	it('does not take an option value for the image', () => {
		assert.deepEqual(split(['-e', 'A=1', '-v', '/a:/b', '-m', '512m', 'img']).image, 'img');
		assert.deepEqual(split(['--name=x', 'img']).options, ['--name=x']);
	});
	it('takes everything after -- as the command, with no image', () => {
		assert.deepEqual(split(['--rm', '--', 'sh', '-c', 'echo hi']), {
			options: ['--rm'],
			image: undefined,
			command: ['sh', '-c', 'echo hi'],
		});
	});
	it('accepts IMAGE -- COMMAND', () => {
		assert.deepEqual(split(['img', '--', '-x']).command, ['-x']);
	});
	it('treats the first word as the command once --image is given', () => {
		assert.deepEqual(split(['--image', 'bot.py', 'python3', '-u']), {
			options: ['--image', 'bot.py'],
			image: undefined,
			command: ['python3', '-u'],
		});
		assert.equal(split(['--image=bot.py', 'arg']).command[0], 'arg');
	});
	it('keeps options that follow no image', () => {
		assert.deepEqual(split(['--name', 'x', '--rm']), {options: ['--name', 'x', '--rm'], image: undefined, command: []});
	});
});
