import type {ExecOptions} from '../../engine/index.js';
import {defineCommand, parseArgs, valueFlagNames} from '../lib/args.js';
import type {Context} from '../lib/context.js';
import {UsageError} from '../lib/errors.js';
import {environmentFrom, readEnvFiles} from '../lib/key-value.js';
import {splitRunArgv} from '../lib/run-argv.js';

export const spec = defineCommand({
	name: 'exec',
	help: `
Usage
  $ c32 exec [options] CONTAINER [--] COMMAND [ARG...]

Run a command in a running container: in its namespaces and cgroup, with its capabilities,
seccomp profile and limits, its environment, user and working directory. c32 exits with the
command's exit code: 126 when it cannot be run, 127 when it is not found, 125 when c32 fails.
Options go before CONTAINER; what follows it (or --) is the command.

Options
  -i, --interactive        Connect stdin (EOF on it reaches the command)
  -t, --tty                Give the command a terminal (your terminal's size; Ctrl-C goes to it)
  -d, --detach             Start it in the background and print nothing; it ends with the container
  -e, --env KEY=VALUE      Set an environment variable (repeatable; KEY alone copies yours)
  --env-file FILE          Read KEY=VALUE lines from FILE (repeatable)
  -u, --user USER          uid, uid:gid, a user name or name:gid of the container's /etc/passwd
  -w, --workdir DIR        Working directory inside the container (absolute)

Examples
  $ c32 run -d --name web -- sleep 3600
  $ c32 exec web -- ls -la /app
  $ c32 exec -it web sh
  $ echo hi | c32 exec -i web cat
  $ c32 exec -e GREETING=hello -w /tmp -u nobody web -- sh -c 'echo $GREETING from $(pwd) as $(id -un)'
  $ c32 exec -d web -- sh -c 'sleep 60'`,
	flags: {
		interactive: {type: 'boolean', shortFlag: 'i'},
		tty: {type: 'boolean', shortFlag: 't'},
		detach: {type: 'boolean', shortFlag: 'd'},
		env: {type: 'string', shortFlag: 'e', isMultiple: true},
		envFile: {type: 'string', isMultiple: true},
		user: {type: 'string', shortFlag: 'u'},
		workdir: {type: 'string', shortFlag: 'w', aliases: ['working-dir']},
	},
	operands: {min: 0, max: 0, label: ''},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const words = splitRunArgv(argv, valueFlagNames(spec.flags), new Set());
	const {flags} = parseArgs(spec, words.options, ctx);
	const command = [...words.command];
	const ref = words.image ?? command.shift();
	if (ref === undefined) throw new UsageError('"c32 exec" needs a container and a command: c32 exec CONTAINER -- COMMAND [ARG...]');
	if (command.length === 0) throw new UsageError(`"c32 exec" needs a command to run in ${ref}: c32 exec ${ref} -- COMMAND [ARG...]`);
	if (flags.detach && (flags.interactive || flags.tty)) {
		throw new UsageError('-d runs the command in the background, without stdin or a terminal: drop -i and -t, or drop -d');
	}
	const envFiles = await readEnvFiles(flags.envFile ?? [], ctx);
	const env = environmentFrom(envFiles, flags.env ?? [], (key) => ctx.env[key]);

	const options: ExecOptions = {command, env, tty: flags.tty, detach: flags.detach};
	if (flags.user !== undefined) options.user = flags.user;
	if (flags.workdir !== undefined) options.workingDir = flags.workdir;
	// The command's own bytes go to this process's real streams, not through the Context's text writers.
	if (flags.tty || flags.interactive) options.stdio = 'inherit';
	else if (!flags.detach) options.stdio = {stdin: null, stdout: process.stdout, stderr: process.stderr};

	const engine = await ctx.engine();
	// Ctrl-C in a terminal reaches the command (or, with -t, is a key it reads) without c32's
	// help: c32 stays to report its exit code. A SIGTERM meant for c32 is passed on to it.
	const abort = new AbortController();
	options.signal = abort.signal;
	const stopListening = ctx.onInterrupt((signal) => {
		if (signal === 'SIGTERM') abort.abort();
	});
	try {
		return await engine.execInContainer(ref, options);
	} finally {
		stopListening();
	}
}
