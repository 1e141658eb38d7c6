// `c32 run [options] [IMAGE] [COMMAND...]`: as with docker, c32's options end at the first
// operand (the image) so the command's own flags reach the container; `--` ends them too.

export interface RunArgv {
	/** The words for c32's option parser. */
	options: string[];
	/** The positional image, if one was given (not via --image). */
	image: string | undefined;
	/** The container's command words. */
	command: string[];
}

/**
 * valueFlags: every spelling of the options that take a value (`--name`, `-e`), so their
 * values are not mistaken for the image. imageFlags: the spellings of --image; once given,
 * the first operand already starts the command.
 */
export function splitRunArgv(argv: string[], valueFlags: Set<string>, imageFlags: Set<string>): RunArgv {
	const options: string[] = [];
	let imageGiven = false;
	for (let index = 0; index < argv.length; index++) {
		const arg = argv[index]!;
		if (arg === '--') return {options, image: undefined, command: argv.slice(index + 1)};
		if (arg.startsWith('-') && arg !== '-') {
			options.push(arg);
			const name = arg.split('=', 1)[0]!;
			if (imageFlags.has(name)) imageGiven = true;
			if (!arg.includes('=') && valueFlags.has(arg) && index + 1 < argv.length) options.push(argv[++index]!);
			continue;
		}
		if (imageGiven) return {options, image: undefined, command: argv.slice(index)};
		const rest = argv.slice(index + 1);
		return {options, image: arg, command: rest[0] === '--' ? rest.slice(1) : rest};
	}
	return {options, image: undefined, command: []};
}
