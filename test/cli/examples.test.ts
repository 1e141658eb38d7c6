// The examples in the README, the docs and every --help text name only files that a fresh
// clone has, and the README's "Running a worker" commands run as written.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {describe, it} from 'node:test';
import {fileURLToPath} from 'node:url';
import {COMMANDS} from '../../source/commands/registry.js';
import {topLevelHelp} from '../../source/main.js';
import {needsRuntime} from '../helpers/engine.js';
import {needsImageTools, ociFixtures, push, startRegistry} from '../helpers/oci-fixtures.js';
import {readmeBlock, suiteSandbox} from './binary.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The files of a fresh clone: what git tracks (or, outside a checkout, what is on disk). */
function cloneFiles(): Set<string> {
	if (fs.existsSync(path.join(ROOT, '.git'))) {
		return new Set(execFileSync('git', ['ls-files', '-z'], {cwd: ROOT, encoding: 'utf8'}).split('\0').filter(Boolean));
	}
	const files = new Set<string>();
	const walk = (dir: string) => {
		for (const entry of fs.readdirSync(path.join(ROOT, dir), {withFileTypes: true})) {
			if (entry.name === 'node_modules' || entry.name === 'dist') continue;
			const rel = path.posix.join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else files.add(rel);
		}
	};
	walk('');
	return files;
}

const FILES = cloneFiles();
const exists = (rel: string) => FILES.has(rel) || [...FILES].some((file) => file.startsWith(`${rel.replace(/\/$/, '')}/`));

/** Shell words of one command line: quotes removed, $PWD kept as written. */
function shellWords(line: string): string[] {
	const words: string[] = [];
	let word: string | null = null;
	let quote: '"' | "'" | null = null;
	for (const char of line) {
		if (quote) {
			if (char === quote) quote = null;
			else word = (word ?? '') + char;
		} else if (char === '"' || char === "'") {
			quote = char;
			word ??= '';
		} else if (/\s/.test(char)) {
			if (word !== null) words.push(word);
			word = null;
		} else if (char === '#' && word === null) {
			break;
		} else {
			word = (word ?? '') + char;
		}
	}
	if (word !== null) words.push(word);
	return words;
}

interface Example {
	where: string;
	lines: string[];
}

/** Fenced code blocks of a markdown file, each one example. */
function markdownExamples(file: string): Example[] {
	const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
	const blocks = [...text.matchAll(/```(?:sh|bash|console)?\n([\s\S]*?)```/g)];
	return blocks.map((block) => ({where: file, lines: block[1]!.replace(/\\\n/g, ' ').split('\n')}));
}

/** The `$ ...` lines of a help text, as one example. */
function helpExample(where: string, help: string): Example {
	return {
		where,
		lines: help
			.split('\n')
			.filter((line) => /^\s+\$ /.test(line))
			.map((line) => line.replace(/^\s+\$ /, '')),
	};
}

/** Host paths an example's words name: ./relative ones and $PWD/ ones (volume sources too). */
function namedPaths(words: string[]): string[] {
	const paths: string[] = [];
	for (let index = 0; index < words.length; index++) {
		// --args and what follows a -- are the container's words: paths inside it.
		if (words[index] === '--args') index++;
		else if (words[index] === '--') break;
		else {
			const word = words[index]!.split(':')[0]!;
			const match = /^(?:\.\/|\$PWD\/|\$\{PWD\}\/)(.*)$/.exec(word);
			if (match) paths.push(match[1]!);
		}
	}
	return paths;
}

function missingPaths(example: Example): string[] {
	const made = new Set<string>();
	const missing: string[] = [];
	for (const line of example.lines) {
		for (const command of line.split(/&&|;|\|/)) {
			const words = shellWords(command);
			if (words[0] === 'mkdir') for (const dir of words.slice(1).filter((w) => !w.startsWith('-'))) made.add(dir);
			if (!words.some((w) => w === 'c32' || w === './c32' || w.endsWith('/c32'))) continue;
			for (const named of namedPaths(words))
				if (!exists(named) && !made.has(named)) missing.push(`${example.where}: ${named} in: ${line.trim()}`);
		}
	}
	return missing;
}

function docFiles(): string[] {
	return [
		'README.md',
		...fs
			.readdirSync(path.join(ROOT, 'docs'))
			.filter((f) => f.endsWith('.md'))
			.map((f) => `docs/${f}`),
	];
}

describe('examples', () => {
	it('every path an example in the README and docs names is in a fresh clone', () => {
		const examples = docFiles().flatMap(markdownExamples);
		assert.ok(examples.length > 10, 'the examples were found');
		assert.deepEqual(examples.flatMap(missingPaths), []);
	});

	it('every path an example of a --help text names is in a fresh clone', async () => {
		const modules = await Promise.all(COMMANDS.map((command) => command.load()));
		const examples = [helpExample('c32 --help', topLevelHelp())];
		modules.forEach((module, index) => {
			if (module.spec) examples.push(helpExample(`c32 ${COMMANDS[index]!.name} --help`, module.spec.help));
		});
		assert.ok(examples.some((example) => example.lines.some((line) => line.includes('./examples/'))));
		assert.deepEqual(examples.flatMap(missingPaths), []);
	});

	it('every relative link of the README and docs points at a file of the clone', () => {
		const broken: string[] = [];
		for (const file of docFiles()) {
			const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
			for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
				if (/^[a-z]+:/.test(target!)) continue;
				const rel = path.posix.normalize(path.posix.join(path.posix.dirname(file), target!));
				if (!exists(rel)) broken.push(`${file}: ${target}`);
			}
		}
		assert.deepEqual(broken, []);
	});

	it('the path checker itself catches a missing image, and follows mkdir', () => {
		assert.equal(missingPaths({where: 't', lines: ['c32 run -d ./bots/sample_bot.py']}).length, 1);
		assert.equal(missingPaths({where: 't', lines: ['c32 run -v "$PWD/nope:/x" -- true']}).length, 1);
		assert.deepEqual(
			missingPaths({where: 't', lines: ['mkdir -p out', 'c32 run -v "$PWD/out:/out" ./examples/workers/job.sh --args ./bot.py']}),
			[],
		);
	});
});

describe('the README runs as written', () => {
	const box = suiteSandbox();

	it('"Running a worker": each command works from the root of a clone', async (t) => {
		if (!needsRuntime(t)) return;
		const {clone, ...result} = await box.runInClone(readmeBlock('## Running a worker'), 'clone');
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.match(fs.readFileSync(path.join(clone, 'out', 'report.txt'), 'utf8'), /^report at /);
		const running = JSON.parse((await box.run(['ps', '--json'])).stdout)
			.map((c: {name: string}) => c.name)
			.sort();
		assert.deepEqual(running, ['api', 'bot']);
		const [api] = JSON.parse((await box.run(['inspect', 'api'])).stdout);
		assert.equal(api.config.entrypoint, 'node');
		assert.deepEqual(api.config.args, ['server.mjs']);
	});

	it('"OCI images": each command works, against a registry of the test', async (t) => {
		if (!needsRuntime(t) || !needsImageTools(t)) return;
		const block = readmeBlock('\n**OCI images** (');
		// Two changes only: the registry is the test's own on a free port, with an image pushed
		// as team/bot:1 (the README's 127.0.0.1:5000 is the docker-registry package's default),
		// and image prune gets -f, as there is no terminal here to answer its question.
		const registry = await startRegistry(t);
		push(ociFixtures(), 'two-layer', `${registry.host}/team/bot:1`);
		const script = block.replaceAll('127.0.0.1:5000', registry.host).replace(/c32 image prune(?=\s)/, 'c32 image prune -f');
		assert.notEqual(script, block);
		const result = await box.runInClone(script, 'oci-clone', 180_000);
		assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
		assert.match(result.stdout, /hi from Linux/);
		assert.match(result.stdout, /^ready$/m, "the committed image has the container's change");
		const images = JSON.parse((await box.run(['images', '--json'])).stdout) as {names: string[]}[];
		const names = images.flatMap((image) => image.names).sort();
		assert.ok(names.includes('localhost/tools:1'), names.join(' '));
		assert.ok(names.includes(`${registry.host}/team/bot:1`), names.join(' '));
	});
});
