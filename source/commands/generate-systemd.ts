import fs from 'node:fs';
import path from 'node:path';
import {toContainerConfig} from '../../engine/config.js';
import {C32Error} from '../../engine/errors.js';
import type {ContainerInfo, RestartPolicy} from '../../engine/index.js';
import {signalNumber} from '../../engine/signals.js';
import {escapeControl} from '../../engine/text.js';
import {defineCommand, parseArgs} from '../lib/args.js';
import {choiceFlag} from '../lib/checked-flags.js';
import {
	type ContainerUnitInputs,
	containerUnitName,
	containerUnitText,
	SYSTEMD_RESTART_POLICIES,
	type SystemdRestart,
} from '../lib/container-unit.js';
import type {Context} from '../lib/context.js';
import {parseSecondsOrDuration} from '../lib/duration.js';
import {UsageError} from '../lib/errors.js';
import {runWords} from '../lib/run-flags.js';
import {CARRIED_ENVIRONMENT} from '../lib/systemd-unit.js';
import {thisCli, writeUnitFile} from '../lib/this-cli.js';

export const spec = defineCommand({
	name: 'generate systemd',
	help: `
Usage
  $ c32 generate systemd [options] CONTAINER

Print a systemd unit, c32-NAME.service, that starts and stops a container: Type=forking,
with its monitor (conmon) as the unit's main process (PIDFile=), after network-online.target,
running this c32 by absolute path with this storage root (C32_STORAGE_DIR).

Restarts are systemd's alone (Restart=): the container itself runs with restart policy no.
Without --new the unit starts and stops this very container, by id, which therefore must
have restart policy no; Restart= is --restart-policy (default on-failure). With --new every
start removes what is left and runs a new container of the same configuration (c32 run
with options regenerated from it, --restart no); Restart= is the container's own policy.
Manage it with systemctl from then on; a container that runs now is to be stopped first.

Options
  --new                    Create a fresh container at every start, remove it at every stop
  --name                   Name the container in ExecStart/ExecStop instead of its id (without --new)
  --restart-policy POLICY  systemd's Restart=: no, on-success, on-failure, on-abnormal,
                           on-watchdog, on-abort or always
  --stop-timeout SECONDS   Wait before SIGKILL on stop (default: the container's stop timeout)
  --files DIR              Write DIR/c32-NAME.service instead of printing it

Examples
  $ c32 generate systemd my-bot
  $ c32 generate systemd --new --restart-policy always my-bot
  $ c32 generate systemd --new --files /etc/systemd/system my-bot && systemctl daemon-reload
  $ systemctl enable --now c32-my-bot.service`,
	flags: {
		new: {type: 'boolean'},
		name: {type: 'boolean'},
		restartPolicy: {type: 'string'},
		stopTimeout: {type: 'string'},
		files: {type: 'string'},
	},
	operands: {min: 1, max: 1, label: 'container'},
});

export async function main(argv: string[], ctx: Context): Promise<number> {
	const {flags, operands} = parseArgs(spec, argv, ctx);
	const restartFlag =
		flags.restartPolicy === undefined ? undefined : choiceFlag('--restart-policy', flags.restartPolicy, SYSTEMD_RESTART_POLICIES);
	const stopTimeout = flags.stopTimeout === undefined ? undefined : parseSecondsOrDuration(flags.stopTimeout, '--stop-timeout') / 1000;
	if (flags.name && flags.new)
		throw new UsageError('--name goes without --new: a --new unit always names its container (its id changes at every start)');
	const dir = flags.files === undefined ? null : path.resolve(ctx.cwd, flags.files);
	if (dir !== null && !fs.statSync(dir, {throwIfNoEntry: false})?.isDirectory()) {
		throw new UsageError(`${dir} is not a directory: create it, or give --files an existing one`);
	}
	const engine = await ctx.engine();
	const container = await engine.inspectContainer(operands[0]!);
	const unitName = fromContainer(() => containerUnitName(container.name));
	const policy = container.config.restartPolicy;
	if (!flags.new && policy.name !== 'no') {
		throw new C32Error(
			'UNSUPPORTED',
			`${container.name} has restart policy ${policyText(policy)}, and systemd would restart it too: use --new (the unit takes its policy and runs it with --restart no), or recreate it with --restart no`,
		);
	}
	if (flags.name && /^[0-9a-f]{1,64}$/.test(container.name)) {
		throw new C32Error(
			'UNSUPPORTED',
			`the name ${container.name} is also an id prefix: once no container holds it, c32 start ${container.name} would start the container whose id starts with it; leave out --name (the unit names it by id)`,
		);
	}
	if (!flags.new && container.config.autoRemove) {
		throw new C32Error(
			'UNSUPPORTED',
			`${container.name} removes itself once it ends (--rm), so the unit could start it once only: use --new`,
		);
	}
	const inputs: ContainerUnitInputs = {
		node: process.execPath,
		cli: thisCli(),
		environment: unitEnvironment(engine.storageDir, ctx.env),
		storageDir: engine.storageDir,
		container: {id: container.id, name: container.name},
		stopTimeout: stopTimeout ?? container.config.stopTimeout,
		stopSignal: signalNumber(container.config.stopSignal),
		...(flags.new ? restartOf(policy, restartFlag) : {restart: restartFlag ?? 'on-failure'}),
		mode: flags.new
			? {kind: 'new', runWords: fromContainer(() => newRunWords(container))}
			: {kind: 'existing', ref: flags.name ? container.name : container.id, pidFile: container.paths.monitorPidFile},
	};
	const text = fromContainer(() => containerUnitText(inputs));
	// systemd's start of a container that already runs fails (c32 start refuses it), and the
	// container would not be the unit's: say so now rather than at systemctl start.
	if (!flags.new && ['running', 'paused', 'restarting'].includes(container.state)) {
		ctx.stderr.write(
			`c32: ${escapeControl(container.name)} is ${container.state}: stop it (c32 stop ${escapeControl(container.name)}) before the unit's first start, so that it runs under systemd\n`,
		);
	}
	if (dir === null) {
		ctx.stdout.write(text);
		return 0;
	}
	const file = path.join(dir, unitName);
	writeUnitFile(file, text);
	ctx.stdout.write(`${escapeControl(file)}\n`);
	return 0;
}

/** What the container holds (a name, a value with a newline) and a unit cannot: the container's fault, not the command line's. */
function fromContainer<T>(build: () => T): T {
	try {
		return build();
	} catch (error) {
		if (error instanceof UsageError) throw new C32Error('UNSUPPORTED', error.message);
		throw error;
	}
}

/** The storage root always (the unit's environment is not the caller's), and any other c32 setting that is set. */
function unitEnvironment(storageDir: string, env: NodeJS.ProcessEnv): Record<string, string> {
	const environment: Record<string, string> = {C32_STORAGE_DIR: storageDir};
	for (const key of CARRIED_ENVIRONMENT) {
		if (key === 'C32_STORAGE_DIR' || key === 'CONTAINER_STORAGE_DIR') continue;
		const value = env[key];
		if (value) environment[key] = value;
	}
	return environment;
}

/** The options of c32 run that make the same container again, with restarts left to systemd and the unit's pid file. */
function newRunWords(container: ContainerInfo): string[] {
	const config = toContainerConfig(container.config);
	delete config.restartPolicy;
	delete config.monitorPidFile;
	return runWords(config);
}

/** The container's policy as systemd's (podman's mapping): unless-stopped is always, as systemctl stop is remembered anyway. */
function restartOf(
	policy: Required<RestartPolicy>,
	given: SystemdRestart | undefined,
): Pick<ContainerUnitInputs, 'restart' | 'startLimitBurst'> {
	if (given !== undefined) return {restart: given};
	if (policy.name === 'on-failure')
		return policy.maxRetries > 0 ? {restart: 'on-failure', startLimitBurst: policy.maxRetries} : {restart: 'on-failure'};
	return {restart: policy.name === 'no' ? 'no' : 'always'};
}

function policyText(policy: Required<RestartPolicy>): string {
	return policy.name === 'on-failure' && policy.maxRetries > 0 ? `on-failure:${policy.maxRetries}` : policy.name;
}
