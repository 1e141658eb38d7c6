// The OCI runtime conmon runs for minimal isolation: a POSIX sh script c32 writes into the
// container's run directory. conmon calls `/bin/sh runtime.sh SEP create --bundle DIR
// --pid-file FILE ID` with the container's stdout/stderr as the pipes it logs; create starts
// the container's process held, in a session of its own, in its cgroup, with its open-files
// limit and working directory, writes its pid and returns; the engine releases it (its start)
// with a line written to DIR/start. conmon then waits for it as its subreaper, as for runc.
//
// What to run comes from files the engine writes in DIR, each a list of fields ended by SEP, a
// byte found in none of them. The script only splits them into words (IFS=SEP, no globbing):
// no field is ever parsed as shell code. The environment is exported last, once nothing but
// the final exec reads a variable, so a container variable named like one of the script's
// changes nothing; the loop's own (c32_entry) is listed last for the same reason.
//   settings  the working directory, the open-files limit (empty: unchanged), then the
//             cgroup.procs files to join
//   argv      the program (an absolute path) and its arguments
//   env       NAME=value entries
import fs from 'node:fs';
import path from 'node:path';

export const RUNTIME_SCRIPT = `# c32's OCI runtime for minimal isolation (engine/drivers/minimal-runtime.ts). Run by conmon.
set -f
sep=$1
case $2 in
create)
	bundle=$4 pidfile=$6
	rm -f "$bundle/start" && mkfifo -m 600 "$bundle/start" || exit 1
	exec 4>&1
	pid=$(setsid env -i /bin/sh "$0" "$sep" held "$bundle" 3>&1 1>&4 4>&- &)
	exec 4>&-
	[ -n "$pid" ] || exit 1
	printf '%s' "$pid" >"$pidfile" || exit 1
	;;
held)
	bundle=$3
	IFS=$sep
	set -- $(cat "$bundle/settings")
	cwd=$1 nofile=$2
	shift 2
	for procs do
		echo $$ 2>/dev/null >"$procs" || { echo "cannot join the container's cgroup ($procs)" >&2; exit 125; }
	done
	if [ -n "$nofile" ]; then
		ulimit -n "$nofile" 2>/dev/null || { echo "cannot set the open-files limit to $nofile" >&2; exit 125; }
	fi
	cd "$cwd" 2>/dev/null || { echo "cannot enter the working directory $cwd" >&2; exit 125; }
	unset OLDPWD
	exec 5<>"$bundle/start" || exit 125
	set -- $(cat "$bundle/argv")
	echo $$ >&3
	exec 3>&-
	read -r go <&5
	exec 5<&-
	for c32_entry in $(cat "$bundle/env"); do export "$c32_entry" || exit 125; done
	exec "$@"
	;;
*)
	echo "c32's minimal runtime has no command $2" >&2
	exit 1
	;;
esac
`;

/** The variable of the script's export loop: its entry, if the container has one, goes last. */
const LOOP_VARIABLE = 'c32_entry';

export interface RuntimePlan {
	cwd: string;
	/** RLIMIT_NOFILE (soft = hard), or null to leave it. */
	openFiles: number | null;
	/** The cgroup.procs files to join: none without a cgroup. */
	cgroupProcs: string[];
	argv: string[];
	env: Record<string, string>;
}

/** Control bytes that are no IFS white space (space, tab, newline behave otherwise) and no NUL. */
const SEPARATORS = [...Array.from({length: 8}, (_, i) => i + 1), ...Array.from({length: 18}, (_, i) => i + 14), 127].map((code) =>
	String.fromCharCode(code),
);

/** A separator byte none of the fields contains, or null when they hold every candidate. */
export function pickSeparator(fields: readonly string[]): string | null {
	return SEPARATORS.find((sep) => fields.every((field) => !field.includes(sep))) ?? null;
}

/** The three files' contents, each field ended by `sep`. */
export function runtimeFiles(plan: RuntimePlan, sep: string): {settings: string; argv: string; env: string} {
	const list = (fields: readonly string[]) => fields.map((field) => `${field}${sep}`).join('');
	const entries = Object.entries(plan.env).sort(([a], [b]) => Number(a === LOOP_VARIABLE) - Number(b === LOOP_VARIABLE));
	return {
		settings: list([plan.cwd, plan.openFiles === null ? '' : String(plan.openFiles), ...plan.cgroupProcs]),
		argv: list(plan.argv),
		env: list(entries.map(([key, value]) => `${key}=${value}`)),
	};
}

/** Every field of the plan, for the choice of a separator. */
export function planFields(plan: RuntimePlan): string[] {
	return [plan.cwd, ...plan.cgroupProcs, ...plan.argv, ...Object.entries(plan.env).map(([key, value]) => `${key}=${value}`)];
}

/** Writes the script and the plan into `dir` (0700); returns the separator the script is given. */
export function writeRuntimeDir(dir: string, plan: RuntimePlan): {script: string; sep: string} | {error: string} {
	const sep = pickSeparator(planFields(plan));
	if (sep === null) return {error: 'the command, environment or working directory holds every control character: drop some'};
	fs.mkdirSync(dir, {recursive: true, mode: 0o700});
	const script = path.join(dir, 'runtime.sh');
	fs.writeFileSync(script, RUNTIME_SCRIPT, {mode: 0o600});
	for (const [name, text] of Object.entries(runtimeFiles(plan, sep))) fs.writeFileSync(path.join(dir, name), text, {mode: 0o600});
	return {script, sep};
}
