import assert from 'node:assert/strict';
import {describe, it} from 'node:test';
import {parseFlags} from '../../source/lib/flags.js';

const specs = {
	name: {type: 'string', shortFlag: 'n'},
	env: {type: 'string', shortFlag: 'e', isMultiple: true},
	force: {type: 'boolean', shortFlag: 'f'},
	interactive: {type: 'boolean', shortFlag: 'i'},
	tty: {type: 'boolean', shortFlag: 't'},
	tlsVerify: {type: 'boolean', default: true},
	signal: {type: 'string', shortFlag: 's', default: 'SIGKILL'},
	pidsLimit: {type: 'string', aliases: ['max-processes']},
} as const;

describe('parseFlags', () => {
	it('gives defaults for what is absent: false, [], the default, undefined', () => {
		const {flags, operands, unknown} = parseFlags(specs, []);
		assert.deepEqual(flags, {force: false, interactive: false, tty: false, tlsVerify: true, env: [], signal: 'SIGKILL'});
		assert.equal(flags.name, undefined);
		assert.deepEqual(operands, []);
		assert.deepEqual(unknown, []);
	});
	it('takes values separate, joined with =, and glued to a short flag', () => {
		assert.equal(parseFlags(specs, ['--name', 'a']).flags.name, 'a');
		assert.equal(parseFlags(specs, ['--name=a=b']).flags.name, 'a=b');
		assert.equal(parseFlags(specs, ['-na']).flags.name, 'a');
		assert.equal(parseFlags(specs, ['-n=a']).flags.name, 'a');
		assert.equal(parseFlags(specs, ['--max-processes', '5']).flags.pidsLimit, '5');
		assert.equal(parseFlags(specs, ['--pids-limit=-1']).flags.pidsLimit, '-1');
		assert.equal(parseFlags(specs, ['--pids-limit', '-1']).flags.pidsLimit, '-1', 'a negative number is a value');
		assert.equal(parseFlags(specs, ['--name', '-']).flags.name, '-');
	});
	it('collects a repeatable flag in order', () => {
		assert.deepEqual(parseFlags(specs, ['-e', 'A=1', '--env=B=2', '-eC=3']).flags.env, ['A=1', 'B=2', 'C=3']);
	});
	it('reads clusters of short booleans, the last one may take a value', () => {
		const {flags} = parseFlags(specs, ['-fit']);
		assert.deepEqual([flags.force, flags.interactive, flags.tty], [true, true, true]);
		const withValue = parseFlags(specs, ['-fs', 'HUP']).flags;
		assert.equal(withValue.force, true);
		assert.equal(withValue.signal, 'HUP');
	});
	it('negates booleans with --no- and reads --flag=true|false', () => {
		assert.equal(parseFlags(specs, ['--no-tls-verify']).flags.tlsVerify, false);
		assert.equal(parseFlags(specs, ['--tls-verify=false']).flags.tlsVerify, false);
		assert.equal(parseFlags(specs, ['--force=true']).flags.force, true);
		assert.throws(() => parseFlags(specs, ['--force=yes']), {message: 'invalid --force value "yes": use --force, --no-force or --force=false'});
		assert.throws(() => parseFlags(specs, ['--no-force=1']), /--no-force takes no value/);
	});
	it('does not take the word after a boolean as its value', () => {
		const {flags, operands} = parseFlags(specs, ['--force', 'true']);
		assert.equal(flags.force, true);
		assert.deepEqual(operands, ['true']);
	});
	it('keeps operands in order around flags, and everything after --', () => {
		const {operands, flags} = parseFlags(specs, ['a', '-f', 'b', '--', '--name', '-x']);
		assert.deepEqual(operands, ['a', 'b', '--name', '-x']);
		assert.equal(flags.name, undefined);
		assert.deepEqual(parseFlags(specs, ['-5', 'x']).operands, ['-5', 'x'], 'a negative number is an operand');
	});
	it('lists unknown flags as typed, long and short', () => {
		assert.deepEqual(parseFlags(specs, ['--bogus=1', '-xf', '--no-name', 'a']).unknown, ['--bogus', '-x', '--no-name']);
	});
	it('refuses a missing or empty value and a single-valued flag given twice', () => {
		assert.throws(() => parseFlags(specs, ['--name']), {name: 'UsageError', message: 'flag --name needs a value'});
		assert.throws(() => parseFlags(specs, ['--name', '--force']), {message: 'flag --name needs a value'});
		assert.throws(() => parseFlags(specs, ['--name=']), {message: 'flag --name needs a value'});
		assert.throws(() => parseFlags(specs, ['-n']), {message: 'flag -n needs a value'});
		assert.throws(() => parseFlags(specs, ['--name', 'a', '-n', 'b']), {message: 'flag -n was given twice: give it once'});
	});
});
