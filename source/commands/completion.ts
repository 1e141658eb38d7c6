import {defineCommand, parseArgs, spellings} from '../lib/args.js';
import {bashScript, type CompletionCommand, zshScript} from '../lib/completion-scripts.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import type {AnyFlags} from '../lib/flags.js';
import {COMMANDS} from './registry.js';

export const spec = defineCommand({
	name: 'completion',
	help: `
Usage
  $ c32 completion bash|zsh

Print a shell completion script: subcommands, flags and container names.

Examples
  $ eval "$(c32 completion bash)"          # add to ~/.bashrc
  $ eval "$(c32 completion zsh)"           # add to ~/.zshrc, after compinit
  $ c32 completion zsh > "\${fpath[1]}/_c32"`,
	flags: {},
	operands: {min: 1, max: 1, label: 'shell (bash or zsh)'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {operands} = parseArgs(spec, argv, ctx);
	const shell = operands[0];
	if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`no completion for "${shell}": use bash or zsh`);
	const commands = await completionCommands();
	ctx.stdout.write(shell === 'bash' ? bashScript(commands) : zshScript(commands));
	return 0;
}

async function completionCommands(): Promise<CompletionCommand[]> {
	const visible = COMMANDS.filter((c) => !c.hidden);
	const modules = await Promise.all(visible.map((c) => c.load()));
	return visible.map((command, index) => {
		const module = modules[index]!;
		const subcommands = module.subcommands?.subcommands.flatMap((s) => s.names);
		return {
			names: [command.name, ...command.aliases],
			summary: command.summary,
			flags: flagWords(module.spec?.flags ?? {}),
			...(subcommands ? {subcommands} : {}),
		};
	});
}

function flagWords(flags: AnyFlags): string[] {
	return Object.entries(flags).flatMap(([key, flag]) => spellings(key, flag));
}
