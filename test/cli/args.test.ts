import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {defineCommand, parseArgs, spellings, wantsHelp} from '../../source/lib/args.js';
import {EarlyExit, UsageError} from '../../source/lib/errors.js';
import {fakeContext} from './fake-context.js';

const spec = defineCommand({
	name: 'demo',
	help: 'Usage\n  $ c32 demo [options] THING...',
	flags: {
		name: {type: 'string', shortFlag: 'n'},
		env: {type: 'string', shortFlag: 'e', isMultiple: true},
		force: {type: 'boolean', shortFlag: 'f'},
		stream: {type: 'boolean', default: true},
		pidsLimit: {type: 'string', aliases: ['max-processes']},
	},
	operands: {min: 1, max: 2, label: 'thing'},
});

describe('parseArgs', () => {
	it('parses long, short, repeated, negated and aliased flags', () => {
		const {ctx} = fakeContext();
		const {flags, operands} = parseArgs(
			spec,
			['-n', 'x', '-e', 'A=1', '--env', 'B=2', '-f', '--no-stream', '--max-processes', '5', 'a'],
			ctx,
		);
		assert.equal(flags.name, 'x');
		assert.deepEqual(flags.env, ['A=1', 'B=2']);
		assert.equal(flags.force, true);
		assert.equal(flags.stream, false);
		assert.equal(flags.pidsLimit, '5');
		assert.deepEqual(operands, ['a']);
	});
	it('rejects unknown flags, long and short', () => {
		const {ctx} = fakeContext();
		assert.throws(() => parseArgs(spec, ['--bogus', 'a'], ctx), {name: 'UsageError', message: 'unknown flag --bogus'});
		assert.throws(() => parseArgs(spec, ['-x', 'a'], ctx), {message: 'unknown flag -x'});
	});
	it('says what to do instead of a flag users bring from docker', () => {
		const {ctx} = fakeContext();
		const withHints = {...spec, hints: {'-i': 'no interactive mode'}};
		assert.throws(() => parseArgs(withHints, ['-it', 'a'], ctx), {message: 'unknown flag -i, -t: no interactive mode'});
	});
	it('rejects a flag missing its value', () => {
		const {ctx} = fakeContext();
		assert.throws(() => parseArgs(spec, ['a', '--name'], ctx), {message: 'flag --name needs a value'});
		assert.throws(() => parseArgs(spec, ['--name', '--force', 'a'], ctx), UsageError);
	});
	it('rejects a single-valued flag given twice', () => {
		const {ctx} = fakeContext();
		assert.throws(() => parseArgs(spec, ['--name', 'a', '--name', 'b', 'x'], ctx), UsageError);
	});
	it('counts operands', () => {
		const {ctx} = fakeContext();
		assert.throws(() => parseArgs(spec, [], ctx), {message: '"c32 demo" needs a thing'});
		assert.throws(() => parseArgs(spec, ['a', 'b', 'c'], ctx), /at most 2 thing, got "c"/);
	});
	it('prints help for --help or -h and ends the command with 0', () => {
		const {ctx, out} = fakeContext();
		assert.throws(
			() => parseArgs(spec, ['a', '-h'], ctx),
			(e: unknown) => e instanceof EarlyExit && e.code === 0,
		);
		assert.match(out.stdout, /\$ c32 demo \[options\] THING\.\.\./);
	});
});

describe('wantsHelp', () => {
	it('ignores --help meant for the container command', () => {
		assert.equal(wantsHelp(['--help']), true);
		assert.equal(wantsHelp(['--', 'ls', '--help']), false);
	});
});

describe('spellings', () => {
	it('lists every way to type a flag', () => {
		assert.deepEqual(spellings('pidsLimit', {type: 'string', aliases: ['max-processes']}), ['--pids-limit', '--max-processes']);
		assert.deepEqual(spellings('force', {type: 'boolean', shortFlag: 'f'}), ['--force', '-f']);
		assert.deepEqual(spellings('stream', {type: 'boolean', default: true}), ['--no-stream']);
	});
});
