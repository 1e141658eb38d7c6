// The systemd unit `c32 generate systemd` prints for one container. Pure: every fact (paths,
// the container's name, id and policy) comes in as an argument, so its text is tested
// without systemd. Escaping is install-boot's (systemd-unit.ts).
import {UsageError} from './errors.js';
import {execWord, quote} from './systemd-unit.js';

/** systemd's own restart settings (systemd.service(5) Restart=). */
export const SYSTEMD_RESTART_POLICIES = ['no', 'on-success', 'on-failure', 'on-abnormal', 'on-watchdog', 'on-abort', 'always'] as const;
export type SystemdRestart = (typeof SYSTEMD_RESTART_POLICIES)[number];

/** The pid file of a --new unit, known before its container exists: /run/c32-NAME.service.pid for a system unit. */
export const NEW_PID_FILE = '%t/%n.pid';
/** Where a --new unit's run writes its container's id, which its stop and remove read. */
export const NEW_ID_FILE = '%t/%n.ctr-id';

export interface ContainerUnitInputs {
	/** Absolute paths of node and of c32's cli.js: ExecStart must not depend on PATH. */
	node: string;
	cli: string;
	/** C32_STORAGE_DIR and the other settings the unit's c32 needs to find the same containers. */
	environment: Record<string, string>;
	/** The storage root: RequiresMountsFor=, so a storage root on its own file system is mounted first. */
	storageDir: string;
	container: {id: string; name: string};
	/** Seconds `c32 stop` waits before SIGKILL; systemd's TimeoutStopSec= gives it a minute more. */
	stopTimeout: number;
	/** The number of the container's stop signal: the monitor exits 128 + it after a stop, which is no failure. */
	stopSignal: number;
	restart: SystemdRestart;
	/** on-failure:N: systemd gives up after this many starts within StartLimitIntervalSec= (10 s by default). */
	startLimitBurst?: number;
	/**
	 * existing: start and stop this container (by `ref`: its id, or its name); its monitor's
	 * pid file is `pidFile`. new: every start runs a fresh container from `runWords` (the
	 * options and command of `c32 run`, without -d and the pid file, which are added here).
	 */
	mode: {kind: 'existing'; ref: string; pidFile: string} | {kind: 'new'; runWords: string[]};
}

/** c32-NAME.service; c32-boot.service is install-boot's own. */
export function containerUnitName(name: string): string {
	// Container names are already within this; a record from elsewhere (an import) is checked here.
	if (!/^[A-Za-z0-9_.-]{1,200}$/.test(name)) {
		throw new UsageError(
			`the name ${JSON.stringify(name)} cannot be part of a systemd unit's name: rename the container (letters, digits, "_", "." or "-")`,
		);
	}
	if (name === 'boot') {
		throw new UsageError('c32-boot.service is the unit of c32 system install-boot: rename the container (c32 rename boot NEW) first');
	}
	return `c32-${name}.service`;
}

export function containerUnitText(inputs: ContainerUnitInputs): string {
	const {node, cli, container, mode} = inputs;
	for (const file of [node, cli, inputs.storageDir]) {
		if (!file.startsWith('/')) throw new UsageError(`${file} is not an absolute path: a systemd unit needs one`);
	}
	const c32 = (...words: string[]) => [node, cli, ...words].map(execWord).join(' ');
	const stop = ['stop', '--time', String(inputs.stopTimeout)];
	const service: string[] = [];
	if (mode.kind === 'existing') {
		service.push(`ExecStart=${c32('start', mode.ref)}`, `ExecStop=${c32(...stop, mode.ref)}`, `PIDFile=${pathValue(mode.pidFile)}`);
	} else {
		// --replace: what a crash or a power cut left under the name goes first (that name exactly).
		// Stop and remove by the id the run wrote: by name, a name nobody holds any more would
		// be taken for an id prefix, another container's. The specifiers are systemd's to expand.
		const idFile = `--cidfile=${NEW_ID_FILE}`;
		service.push(
			`ExecStart=${c32('run', '--detach', '--replace')} ${idFile} --monitor-pidfile=${NEW_PID_FILE}${optionLines(mode.runWords)}`,
			`ExecStop=${c32('stop', '--ignore')} ${idFile} ${stop.slice(1).map(execWord).join(' ')}`,
			`ExecStopPost=${c32('rm', '--force', '--ignore')} ${idFile}`,
			`PIDFile=${NEW_PID_FILE}`,
		);
	}
	const unit = [
		'[Unit]',
		`Description=${text(`c32 container ${container.name}`)}`,
		// The id as it was when the unit was written: a --new unit makes a new container at every start.
		`# container ${container.id}${mode.kind === 'new' ? ', recreated at every start (--new)' : ''}`,
		'Wants=network-online.target',
		'After=network-online.target',
		`RequiresMountsFor=${mountPath(inputs.storageDir)}`,
	];
	if (inputs.startLimitBurst !== undefined) unit.push(`StartLimitBurst=${inputs.startLimitBurst}`);
	return [
		'# Written by c32 generate systemd.',
		...unit,
		'',
		'[Service]',
		...Object.entries(inputs.environment).map(([key, value]) => `Environment=${quote(`${key}=${value}`)}`),
		// Restarts are systemd's alone: the container runs with restart policy "no" (docs/systemd.md).
		`Restart=${inputs.restart}`,
		`TimeoutStopSec=${Math.ceil(inputs.stopTimeout) + 60}`,
		// The monitor exits with the container's code: 128 + the stop signal is how a stop ends it.
		`SuccessExitStatus=${128 + inputs.stopSignal}`,
		...service,
		'Type=forking',
		'',
		'[Install]',
		'WantedBy=default.target',
		'',
	].join('\n');
}

/**
 * The words of c32 run, one option per line (a line ending in "\\" goes on in the next, as
 * podman writes them); the command, from "--" on, on the last line.
 */
function optionLines(words: string[]): string {
	const end = words.indexOf('--');
	const options = end < 0 ? words : words.slice(0, end);
	const command = end < 0 ? [] : words.slice(end);
	return [...options.map(execWord), command.map(execWord).join(' ')]
		.filter((line) => line !== '')
		.map((line) => ` \\\n\t${line}`)
		.join('');
}

/** A value of a setting that expands specifiers and takes it whole (Description=, PIDFile=). */
function text(value: string): string {
	if (/[\u0000-\u001f\u007f]/.test(value))
		throw new UsageError(`${JSON.stringify(value)} has a control character: a unit file cannot hold it`);
	return value.replaceAll('%', '%%');
}

/** PIDFile= takes one path as it is, specifiers expanded. */
function pathValue(file: string): string {
	if (!file.startsWith('/')) throw new UsageError(`${file} is not an absolute path: PIDFile= needs one`);
	return text(file);
}

/** RequiresMountsFor= is a list split at spaces: a path with one is quoted. */
function mountPath(dir: string): string {
	return /[\s"'\\]/.test(dir) ? quote(dir) : text(dir);
}
