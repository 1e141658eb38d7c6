// Commands made of subcommands (`c32 image inspect`, `c32 system df`): each subcommand is a
// command module of its own, loaded only when it runs.
import type {CommandModule} from '../commands/types.js';
import type {Context} from './context.js';
import {EXIT, reportError, UsageError} from './errors.js';
import {helpText} from './help.js';

export interface Subcommand {
	/** The words that pick it: its name first, then aliases. */
	names: string[];
	summary: string;
	load(): Promise<CommandModule>;
}

export interface SubcommandSet {
	/** The parent command's name: "image". */
	name: string;
	summary: string;
	subcommands: Subcommand[];
	examples: string[];
}

export function subcommandHelp(set: SubcommandSet): string {
	const width = Math.max(...set.subcommands.map((s) => s.names.join(', ').length));
	const list = set.subcommands.map((s) => `  ${s.names.join(', ').padEnd(width)}   ${s.summary}`).join('\n');
	return helpText(`
Usage
  $ c32 ${set.name} COMMAND [options]
  $ c32 ${set.name} COMMAND --help

${set.summary}

Commands
${list}

Examples
${set.examples.map((example) => `  $ ${example}`).join('\n')}`);
}

export async function runSubcommand(set: SubcommandSet, argv: string[], ctx: Context): Promise<number> {
	const [word, ...rest] = argv;
	if (word === undefined || word === '--help' || word === '-h' || word === 'help') {
		ctx.stdout.write(subcommandHelp(set));
		return word === undefined ? EXIT.usage : EXIT.ok;
	}
	const subcommand = set.subcommands.find((s) => s.names.includes(word));
	if (!subcommand) {
		const known = set.subcommands.map((s) => s.names[0]).join(', ');
		throw new UsageError(`unknown command "c32 ${set.name} ${word}": use one of ${known}`);
	}
	try {
		return await (await subcommand.load()).main(rest, ctx);
	} catch (error) {
		// The usage hint names the subcommand: "See 'c32 image inspect --help'".
		const command = `${set.name} ${subcommand.names[0]}`;
		return reportError(error, ctx.stderr, {command, failureCode: EXIT.failed, debug: ctx.env.C32_DEBUG === '1'});
	}
}
