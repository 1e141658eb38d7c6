// Bash and zsh completion: subcommands, each one's flags, file names for the commands that
// take a path, and container names (from the hidden `c32 __names`) for the rest.

export interface CompletionCommand {
	names: string[];
	summary: string;
	flags: string[];
	/** `c32 image ls`: the words that may follow the command. */
	subcommands?: string[];
}

/** Network names come from `c32 __names networks`: network inspect, rm, and the first word of connect/disconnect. */

/** Commands whose operands are host paths, not containers. */
const FILE_COMMANDS = ['run', 'create', 'import', 'load'];

/** Commands whose operands are images (no completion of their names yet): none are offered. */
const IMAGE_COMMANDS = ['pull', 'images', 'image', 'save', 'tag', 'rmi', 'system'];

export function bashScript(commands: CompletionCommand[]): string {
	const words = commands.flatMap((c) => c.names).join(' ');
	const cases = commands
		.filter((c) => c.flags.length > 0)
		.map((c) => `\t\t${c.names.join('|')}) flags="${c.flags.join(' ')}" ;;`)
		.join('\n');
	const subcases = commands
		.filter((c) => c.subcommands)
		.map((c) => `\t\t\t${c.names.join('|')}) COMPREPLY=($(compgen -W "${c.subcommands!.join(' ')} --help" -- "$cur")); return ;;`)
		.join('\n');
	return `# c32 bash completion. Load it with: eval "$(c32 completion bash)"
_c32() {
	local cur="\${COMP_WORDS[COMP_CWORD]}"
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "${words} --help --version" -- "$cur"))
		return
	fi
	local command="\${COMP_WORDS[1]}" flags=""
	if [ "$COMP_CWORD" -eq 2 ]; then
		case "$command" in
${subcases}
		esac
	fi
	case "$command" in
${cases}
	esac
	if [[ "$cur" == -* ]]; then
		COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
		return
	fi
	case "$command" in
		completion) COMPREPLY=($(compgen -W "bash zsh" -- "$cur")) ;;
		${FILE_COMMANDS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")) ;;
		${IMAGE_COMMANDS.join('|')}) COMPREPLY=() ;;
		network)
			case "\${COMP_WORDS[2]}" in
				inspect|rm|remove) COMPREPLY=($(compgen -W "$(c32 __names networks 2>/dev/null)" -- "$cur")) ;;
				connect|disconnect)
					if [ "$COMP_CWORD" -eq 3 ]; then COMPREPLY=($(compgen -W "$(c32 __names networks 2>/dev/null)" -- "$cur"))
					else COMPREPLY=($(compgen -W "$(c32 __names 2>/dev/null)" -- "$cur")); fi ;;
				*) COMPREPLY=() ;;
			esac ;;
		*) COMPREPLY=($(compgen -W "$(c32 __names 2>/dev/null)" -- "$cur")) ;;
	esac
}
complete -F _c32 c32
`;
}

export function zshScript(commands: CompletionCommand[]): string {
	const described = commands
		.flatMap((c) => c.names.map((name) => `\t\t'${name}:${c.summary.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`))
		.join('\n');
	const cases = commands
		.filter((c) => c.flags.length > 0)
		.map((c) => `\t\t${c.names.join('|')}) flags=(${c.flags.join(' ')}) ;;`)
		.join('\n');
	const subcases = commands
		.filter((c) => c.subcommands)
		.map((c) => `\t\t\t${c.names.join('|')}) compadd -- ${c.subcommands!.join(' ')}; return ;;`)
		.join('\n');
	return `#compdef c32
# c32 zsh completion. Load it with: eval "$(c32 completion zsh)" (after compinit),
# or save it as _c32 in a directory of $fpath.
_c32() {
	local -a commands flags
	commands=(
${described}
	)
	if (( CURRENT == 2 )); then
		_describe 'command' commands
		return
	fi
	if (( CURRENT == 3 )); then
		case $words[2] in
${subcases}
		esac
	fi
	case $words[2] in
${cases}
	esac
	if [[ $PREFIX == -* ]]; then
		compadd -- $flags --help
		return
	fi
	case $words[2] in
		completion) compadd bash zsh ;;
		${FILE_COMMANDS.join('|')}) _files ;;
		${IMAGE_COMMANDS.join('|')}) ;;
		network)
			case $words[3] in
				inspect|rm|remove) compadd -- \${(f)"$(c32 __names networks 2>/dev/null)"} ;;
				connect|disconnect)
					if (( CURRENT == 4 )); then compadd -- \${(f)"$(c32 __names networks 2>/dev/null)"}
					else compadd -- \${(f)"$(c32 __names 2>/dev/null)"}; fi ;;
			esac ;;
		*) compadd -- \${(f)"$(c32 __names 2>/dev/null)"} ;;
	esac
}
if [[ "$funcstack[1]" == "_c32" ]]; then
	_c32 "$@"
else
	compdef _c32 c32
fi
`;
}
