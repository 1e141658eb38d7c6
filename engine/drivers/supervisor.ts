// The c32 supervisor of a minimal-isolation container: the process driver's conmon.
// argv: <plan.json>. It puts the container in its cgroup, runs it in its own session,
// logs its output (k8s-file, capped and rotated), records the exit code and OOM kills,
// then runs the exit command. Fd 3 is the sync pipe: one JSON line, {"pid"} or {"error"}.
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import {constants as osConstants} from 'node:os';
import {allDirs, type CgroupDirs, createCgroup, killCgroup, readCgroupSample, removeCgroup} from '../cgroups/index.js';
import {debugLogAt} from '../debug-log.js';
import {K8sLogWriter} from './log-writer.js';
import type {SupervisorPlan} from './process.js';

const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as SupervisorPlan;
const sync = fs.createWriteStream('', {fd: 3});
const debug = debugLogAt(plan.debugLog);
const logged = (what: string) => (error: unknown) => debug(`supervisor of ${plan.cgroup?.relPath ?? plan.pidFile}: ${what}`, error);

function report(message: {pid: number} | {error: string}): void {
	sync.end(`${JSON.stringify(message)}\n`);
}

function writeAtomic(file: string, text: string): void {
	fs.writeFileSync(`${file}.tmp`, text);
	fs.renameSync(`${file}.tmp`, file);
}

process.on('SIGHUP', () => {});
process.on('SIGINT', () => {});
writeAtomic(plan.monitorPidFile, String(process.pid));

let dirs: CgroupDirs | null = null;
try {
	if (plan.cgroup) dirs = createCgroup(plan.cgroup.relPath, plan.cgroup.limits, {blockDevice: plan.cgroup.blockDevice});
} catch (error) {
	report({error: (error as Error).message});
	process.exit(1);
}

// The shell moves itself into the cgroup and sets the open-files limit before exec, so not
// one instruction of the container's program runs outside its limits (and no extra program
// such as prlimit is started for it).
const joinCgroup = dirs ? allDirs(dirs).map((d) => `${d}/cgroup.procs`) : [];
const INIT =
	'for f in $C32_CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; ' +
	'if [ -n "$C32_NOFILE" ]; then ulimit -n "$C32_NOFILE" || exit 125; fi; ' +
	'unset C32_CGROUP_PROCS C32_NOFILE; exec "$@"';
const child = spawn('/bin/sh', ['-c', INIT, 'c32-init', ...plan.argv], {
	cwd: plan.cwd,
	env: {...plan.env, C32_CGROUP_PROCS: joinCgroup.join(' '), C32_NOFILE: plan.openFiles === null ? '' : String(plan.openFiles)},
	detached: true,
	stdio: ['ignore', 'pipe', 'pipe'],
});

const log = new K8sLogWriter(plan.log, plan.logSizeMax);
child.stdout!.setEncoding('utf8').on('data', (chunk: string) => log.write('stdout', chunk));
child.stderr!.setEncoding('utf8').on('data', (chunk: string) => log.write('stderr', chunk));

child.on('error', async (error) => {
	report({error: `cannot start the container: ${error.message}`});
	if (dirs) await removeCgroup(dirs).catch(logged('cgroup removal'));
	process.exit(1);
});

child.on('spawn', () => {
	writeAtomic(plan.pidFile, String(child.pid));
	report({pid: child.pid!});
});

const outputClosed = Promise.all([
	new Promise((resolve) => child.stdout!.on('close', resolve)),
	new Promise((resolve) => child.stderr!.on('close', resolve)),
]);

child.on('exit', async (code, signal) => {
	const exitCode = code ?? 128 + (signal ? osConstants.signals[signal] : 0);
	const oomKilled = dirs !== null && (readCgroupSample(dirs)?.oomKills ?? 0) > 0;
	// When the main process ends the container ends, as with a pid namespace.
	try {
		process.kill(-child.pid!, 'SIGKILL');
	} catch {
		// Nothing left in the group.
	}
	if (dirs) await killCgroup(dirs, 'SIGKILL').catch(logged('cgroup kill'));
	await Promise.race([outputClosed, new Promise((resolve) => setTimeout(resolve, 2000))]);
	log.close();
	if (oomKilled) fs.writeFileSync(plan.oomFile, '');
	writeAtomic(plan.exitFile, String(exitCode));
	if (dirs) await removeCgroup(dirs).catch(logged('cgroup removal'));
	// Exiting with the container's code, as conmon does: a systemd unit whose main process this
	// is (its PIDFile) tells a failure from a clean end by it (Restart=on-failure).
	const done = () => process.exit(exitCode & 0xff);
	const [program, ...args] = plan.exitCommand;
	if (program) {
		const exitCommand = spawn(program, args, {stdio: 'ignore', env: process.env});
		exitCommand.on('exit', done);
		exitCommand.on('error', (error) => {
			logged('exit command')(error);
			done();
		});
	} else {
		done();
	}
});
