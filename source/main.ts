// Dispatch: `c32 COMMAND ...` -> the command's module; top-level --help and --version.
import {COMMANDS, findCommand, suggestCommand} from './commands/registry.js';
import type {Context} from './lib/context.js';
import {EXIT, reportError, UsageError} from './lib/errors.js';
// Not lib/args.js: --help and --version must not pay for loading the flag parser.
import {helpText} from './lib/help.js';
import {version} from './version.js';

export async function runCli(argv: string[], ctx: Context): Promise<number> {
	const [word, ...rest] = argv;
	const debug = ctx.env.C32_DEBUG === '1';
	if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
		const topic = word === 'help' ? rest[0] : undefined;
		if (topic !== undefined) return runCli([topic, '--help'], ctx);
		ctx.stdout.write(topLevelHelp());
		return word === undefined ? EXIT.usage : EXIT.ok;
	}
	if (word === '--version' || word === '-v') {
		ctx.stdout.write(`${version()}\n`);
		return EXIT.ok;
	}
	const command = findCommand(word);
	if (!command) {
		const suggestion = word.startsWith('-') ? undefined : suggestCommand(word);
		const error = new UsageError(
			word.startsWith('-') ? `unknown flag ${word}` : `unknown command "${word}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
		);
		return reportError(error, ctx.stderr, {failureCode: EXIT.failed, debug});
	}
	try {
		const module = await command.load();
		return await module.main(rest, ctx);
	} catch (error) {
		return reportError(error, ctx.stderr, {command: command.name, failureCode: command.failureCode, debug});
	}
}

export function topLevelHelp(): string {
	const visible = COMMANDS.filter((c) => !c.hidden);
	const width = Math.max(...visible.map((c) => c.name.length));
	const list = visible.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n');
	return helpText(`
c32 ${version()}: containers for workers (bots, scripts, agents, small services) without a daemon

Usage
  $ c32 COMMAND [options]
  $ c32 COMMAND --help       (or c32 help COMMAND)

Commands
${list}

Environment
  C32_STORAGE_DIR   Where containers live (alias CONTAINER_STORAGE_DIR; default /var/lib/c32 for root)
  NO_COLOR          No colour, even on a terminal
  C32_DEBUG=1       Show stack traces with errors

Examples
  $ c32 run -d --name my-bot -m 512m ./examples/workers/bot.py
  $ c32 ps
  $ c32 logs -f my-bot
  $ c32 import rootfs.tar tools:1 && c32 run --rm tools:1 -- sh -c 'echo hi'
  $ c32 top`);
}
