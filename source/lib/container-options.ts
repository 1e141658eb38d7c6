// The options of `run` and `create`, and how they become a ContainerConfig. The seed's names
// (--memory-limit, --cpu-limit, --args, --auto-restart) and docker's (-m, --cpus, -e, -v)
// are both accepted.
import path from 'node:path';
import {parseHookSpec} from '../../engine/events/hooks.js';
import type {CapabilityName, ContainerConfig, ResourceLimits, RestartPolicyText, Volume} from '../../engine/index.js';
import {type CommandSpec, type Parsed, parseArgs, valueFlagNames} from './args.js';
import {choiceFlag, restartFlag, signalFlag} from './checked-flags.js';
import type {Context} from './context.js';
import {parseSecondsOrDuration} from './duration.js';
import {UsageError} from './errors.js';
import type {AnyFlags} from './flags.js';
import {buildHealthcheck, type HealthFlagValues, healthFlags, healthOptionsHelp} from './health-options.js';
import {environmentFrom, parseKeyValue, readEnvFiles} from './key-value.js';
import {parseInteger, parseNumber, parsePercent} from './numbers.js';
import {type RunArgv, splitRunArgv} from './run-argv.js';
import {parseByteSize, parseMemoryMb} from './size.js';

export const containerFlags = {
	name: {type: 'string'},
	image: {type: 'string'},
	entrypoint: {type: 'string'},
	args: {type: 'string', isMultiple: true},
	env: {type: 'string', shortFlag: 'e', isMultiple: true},
	envFile: {type: 'string', isMultiple: true},
	volume: {type: 'string', shortFlag: 'v', isMultiple: true},
	memoryLimit: {type: 'string', shortFlag: 'm', aliases: ['memory']},
	cpuLimit: {type: 'string'},
	cpus: {type: 'string'},
	pidsLimit: {type: 'string', aliases: ['max-processes']},
	maxOpenFiles: {type: 'string'},
	ioLimit: {type: 'string'},
	isolation: {type: 'string'},
	restart: {type: 'string'},
	autoRestart: {type: 'boolean'},
	maxRestarts: {type: 'string'},
	restartMaxDelay: {type: 'string'},
	memoryThreshold: {type: 'string'},
	cpuThreshold: {type: 'string'},
	label: {type: 'string', shortFlag: 'l', isMultiple: true},
	hook: {type: 'string', isMultiple: true},
	workdir: {type: 'string', shortFlag: 'w', aliases: ['working-dir']},
	user: {type: 'string', shortFlag: 'u'},
	hostname: {type: 'string'},
	network: {type: 'string', aliases: ['net'], isMultiple: true},
	publish: {type: 'string', shortFlag: 'p', isMultiple: true},
	networkAlias: {type: 'string', isMultiple: true},
	networkLimit: {type: 'string'},
	stopSignal: {type: 'string'},
	stopTimeout: {type: 'string'},
	logMaxSize: {type: 'string', aliases: ['log-size-max']},
	rm: {type: 'boolean'},
	capAdd: {type: 'string', isMultiple: true},
	capDrop: {type: 'string', isMultiple: true},
	interactive: {type: 'boolean', shortFlag: 'i'},
	tty: {type: 'boolean', shortFlag: 't'},
	init: {type: 'boolean'},
	base: {type: 'string'},
	pull: {type: 'string'},
	tlsVerify: {type: 'boolean', default: true},
	monitorPidfile: {type: 'string', aliases: ['conmon-pidfile']},
	...healthFlags,
} satisfies AnyFlags;

export const imageHelp = `IMAGE is a host path or an OCI image. A host path (it starts with /, ./, ../ or ~, or
names something here) is copied: a file to /app/<name>, run by its kind (.py with python3,
.js with node, .sh with sh, an executable as itself); a directory becomes /app. Anything
else is an image reference (tools:1, 127.0.0.1:5000/team/bot:1), pulled first when it is
not stored yet (--pull); its config gives the command, environment, working directory and
user unless options say otherwise.
Options go before IMAGE; what follows IMAGE (or --) is the container's command.`;

export const containerOptionsHelp = `
  --name NAME                  Name the container (default: a generated one)
  --image PATH|REF             The image: a host path or an image reference (or give IMAGE)
  --base REF                   An OCI image as the root under a host-path IMAGE (at /app)
  --pull POLICY                missing (default: pull when not stored) | always | never
  --tls-verify=false           Pull over plain http or a self-signed certificate
  --entrypoint CMD             The program to run (default: derived from the image)
  --args ARG                   An argument for the program (repeatable), or words after IMAGE
  -e, --env KEY=VALUE          Set an environment variable (repeatable; KEY alone copies yours)
  --env-file FILE              Read KEY=VALUE lines from FILE (repeatable)
  -v, --volume SRC:DST[:ro]    Bind-mount a host path (repeatable)
  -m, --memory-limit SIZE      Memory limit: megabytes (512) or a size (512m, 1g)
  --cpu-limit PERCENT          CPU quota: 100 = one core, 50 = half, 200 = two
  --cpus N                     CPU quota in cores (1.5 = --cpu-limit 150)
  --pids-limit N               Process limit for the whole container (alias --max-processes)
  --max-open-files N           Open file limit (RLIMIT_NOFILE)
  --io-limit MBPS              Disk read and write limit in MB/s (megabytes)
  --network-limit MBIT         Network bandwidth limit, both ways, in megabits per second:
                               --network-limit 8 is 1 MB/s (unlike --io-limit, which counts
                               megabytes); omit it for no limit
  --isolation LEVEL            minimal | standard (default) | strict
  --restart POLICY             no | on-failure[:N] | always | unless-stopped
  --auto-restart               Restart on failure, up to 5 times (= --restart on-failure:5)
  --max-restarts N             Give up after N restarts (with --auto-restart or on-failure)
  --restart-max-delay DURATION Longest wait between the restarts of a crash loop (default 30s;
                               100ms to 24h)
  --memory-threshold MB        Flag it in ps and top, and say so once (a threshold event), while
                               its memory is above MB (default: MEMORY_THRESHOLD_MB)
  --cpu-threshold PERCENT      The same for CPU use, 100 = one core (default: CPU_THRESHOLD_PERCENT)
  -l, --label KEY=VALUE        Set a label (repeatable)
  --hook EVENT=COMMAND         Run COMMAND on the host on the event (repeatable): die, oom,
                               unhealthy, restart, restart_loop, start, stop, ...; the event's
                               JSON on stdin, C32_* variables, no shell (docs/events.md)
  -w, --workdir DIR            Working directory inside the container (default /app; an image's own)
  -u, --user USER              uid, uid:gid or a host user name
  --hostname NAME              Hostname inside the container (default: the container's name)
  --network NAME|host|none     The network: c32 (the default of standard isolation: a private
                               bridge with NAT), one of c32 network ls, none (loopback only; the
                               default of strict) or host (the host's own network: less isolated).
                               Repeat it for more c32 networks (eth1, eth2...); ports, the
                               bandwidth limit and the default route stay on the first
  --network-alias NAME         Another name it is known by on its networks (repeatable)
  -p, --publish [HOSTIP:]HOSTPORT:PORT[/tcp|udp]
                               Publish a port on the host (repeatable): 8080:80,
                               127.0.0.1:8080:80, 53:53/udp, 8000-8001:80-81, or PORT alone for
                               a free host port (c32 port shows it)
  --stop-signal SIGNAL         Signal sent by stop (default SIGTERM)
  --stop-timeout SECONDS       Wait before SIGKILL on stop (default 10)
  --log-max-size SIZE          Cap of the log file (default 10m)
  --cap-add CAP                Add a capability, e.g. NET_RAW, or ALL (repeatable; not minimal)
  --cap-drop CAP               Drop a capability, or ALL (repeatable; not minimal)
  --rm                         Remove the container once it exits (with -d or create: when it ends)
  -i, --interactive            Keep the container's stdin open; run attaches it to yours
  -t, --tty                    Give the container a terminal (with -i: yours, in raw mode)
  --init, --no-init            Run an init as PID 1 that forwards signals and reaps zombies
                               (default: on for a script IMAGE, off for a given command)
  --monitor-pidfile FILE       Write the pid of its monitor (conmon) to FILE at every start, for
                               a systemd unit's PIDFile= (alias --conmon-pidfile)${healthOptionsHelp}`;

export interface ContainerFlagValues extends HealthFlagValues {
	name?: string;
	image?: string;
	entrypoint?: string;
	args: string[];
	env: string[];
	envFile: string[];
	volume: string[];
	memoryLimit?: string;
	cpuLimit?: string;
	cpus?: string;
	pidsLimit?: string;
	maxOpenFiles?: string;
	ioLimit?: string;
	isolation?: string;
	restart?: string;
	autoRestart: boolean;
	maxRestarts?: string;
	label: string[];
	hook: string[];
	workdir?: string;
	user?: string;
	hostname?: string;
	network: string[];
	publish: string[];
	networkAlias: string[];
	networkLimit?: string;
	stopSignal?: string;
	stopTimeout?: string;
	restartMaxDelay?: string;
	memoryThreshold?: string;
	cpuThreshold?: string;
	logMaxSize?: string;
	rm: boolean;
	capAdd: string[];
	capDrop: string[];
	interactive: boolean;
	tty: boolean;
	/** --init / --no-init / --init=BOOL; undefined when none was given (the engine's default). */
	init?: boolean;
	base?: string;
	pull?: string;
	tlsVerify?: boolean;
	monitorPidfile?: string;
}

export interface BuildInputs {
	cwd: string;
	/** The caller's environment, for `-e KEY` without a value. */
	env: NodeJS.ProcessEnv;
	/** The contents of each --env-file, in order. */
	envFiles: {path: string; text: string}[];
	/** The image words (as typed) that name something on the host, relative to cwd. */
	existing?: ReadonlySet<string>;
}

/**
 * Whether an image word is a host path (today's images) rather than an OCI image reference:
 * it looks like a path, or names something that exists. The engine applies the same rule.
 */
export function isHostPath(word: string, existing: ReadonlySet<string> = new Set()): boolean {
	return /^(\/|\.\.?(\/|$)|~(\/|$))/.test(word) || existing.has(word);
}

/** A host-path word as an absolute path: `~` is the caller's home. */
function hostPath(word: string, inputs: BuildInputs): string {
	const home = inputs.env['HOME'];
	if (home && (word === '~' || word.startsWith('~/'))) return path.join(home, word.slice(1));
	return path.resolve(inputs.cwd, word);
}

/** Flags and words -> the ContainerConfig handed to the engine. Pure. */
export function buildContainerConfig(flags: ContainerFlagValues, words: RunArgv, inputs: BuildInputs): ContainerConfig {
	const config: ContainerConfig = {};
	const fromCaller = (key: string) => inputs.env[key];
	if (flags.name !== undefined) config.name = flags.name;

	const image = flags.image ?? words.image;
	if (image !== undefined) config.image = isHostPath(image, inputs.existing) ? hostPath(image, inputs) : image;
	if (flags.base !== undefined) {
		if (image !== undefined && !config.image?.startsWith('/')) {
			throw new UsageError(`--base goes under a host-path IMAGE (a script or directory); "${image}" is an image reference`);
		}
		config.base = flags.base;
	}
	if (flags.entrypoint !== undefined) config.entrypoint = flags.entrypoint;
	if (flags.args.length > 0 && words.command.length > 0) {
		throw new UsageError('give the command either with --args or after the image, not both');
	}
	const args = flags.args.length > 0 ? flags.args : words.command;
	if (args.length > 0) config.args = args;

	const environment = environmentFrom(inputs.envFiles, flags.env, fromCaller);
	if (Object.keys(environment).length > 0) config.environment = environment;

	if (flags.volume.length > 0) config.volumes = flags.volume.map((spec) => parseVolume(spec, inputs.cwd));

	const limits = buildLimits(flags);
	if (Object.keys(limits).length > 0) config.resourceLimits = limits;

	if (flags.isolation !== undefined) config.isolationLevel = choiceFlag('--isolation', flags.isolation, ['minimal', 'standard', 'strict']);
	if (flags.label.length > 0) {
		config.labels = Object.fromEntries(flags.label.map((word) => parseKeyValue(word, 'label', () => '')!));
	}
	if (flags.hook.length > 0) {
		config.hooks = flags.hook.map((spec) => {
			try {
				return parseHookSpec(spec);
			} catch (error) {
				throw new UsageError(`--hook: ${(error as Error).message}`);
			}
		});
	}
	const restartPolicy = buildRestartPolicy(flags);
	if (restartPolicy !== undefined) config.restartPolicy = restartFlag('--restart', restartPolicy) as RestartPolicyText;
	if (flags.rm && restartPolicy !== undefined && restartPolicy !== 'no') {
		throw new UsageError('--rm and a restart policy conflict: a removed container cannot be restarted');
	}

	if (flags.rm) config.autoRemove = true;
	if (flags.workdir !== undefined) config.workingDir = flags.workdir;
	if (flags.user !== undefined) config.user = flags.user;
	if (flags.hostname !== undefined) config.hostname = flags.hostname;
	// A network's name is checked by the engine, against the networks it has.
	// More than one: the first carries the published ports and the limit; the aliases apply on each (as podman's).
	const [network, ...further] = flags.network;
	if (network !== undefined) config.network = network;
	if (further.length > 0) config.additionalNetworks = further.map((name) => ({name, aliases: [...flags.networkAlias]}));
	// So are port specs: engine/network/ports.ts reads docker's -p syntax.
	if (flags.publish.length > 0) config.ports = flags.publish;
	if (flags.networkAlias.length > 0) config.networkAliases = flags.networkAlias;
	if (flags.stopSignal !== undefined) config.stopSignal = signalFlag('--stop-signal', flags.stopSignal);
	if (flags.stopTimeout !== undefined) config.stopTimeout = parseSecondsOrDuration(flags.stopTimeout, '--stop-timeout') / 1000;
	if (flags.restartMaxDelay !== undefined) {
		config.restartMaxDelayMs = parseSecondsOrDuration(flags.restartMaxDelay, '--restart-max-delay');
	}
	if (flags.memoryThreshold !== undefined)
		config.memoryThresholdMb = Math.round((parseByteSize(flags.memoryThreshold, 'memory threshold', 'm') / 1024 ** 2) * 1000) / 1000;
	if (flags.cpuThreshold !== undefined) config.cpuThresholdPercent = parsePercent(flags.cpuThreshold, '--cpu-threshold');
	if (flags.logMaxSize !== undefined) config.logSizeMax = Math.round(parseByteSize(flags.logMaxSize, '--log-max-size'));
	// Capability names are checked by the engine, against the kernel's list.
	if (flags.capAdd.length > 0) config.capAdd = flags.capAdd as CapabilityName[];
	if (flags.capDrop.length > 0) config.capDrop = flags.capDrop as CapabilityName[];
	if (flags.interactive) config.stdinOpen = true;
	if (flags.tty) config.tty = true;
	if (flags.init !== undefined) config.init = flags.init;
	if (flags.monitorPidfile !== undefined) config.monitorPidFile = path.resolve(inputs.cwd, flags.monitorPidfile);
	const healthcheck = buildHealthcheck(flags);
	if (healthcheck !== undefined) config.healthcheck = healthcheck;
	return config;
}

/**
 * Whether --init, --no-init or --init=true|false was given, and the last one's value (the
 * parser has checked it). The parser gives an absent boolean as false, which would turn the
 * script-image default off.
 */
export function initFlag(options: readonly string[]): boolean | undefined {
	let value: boolean | undefined;
	for (const word of options) {
		if (word === '--init' || word === '--init=true') value = true;
		else if (word === '--no-init' || word === '--init=false') value = false;
	}
	return value;
}

/** "SRC:DST", "SRC:DST:ro" or "SRC:DST:rw"; a relative SRC is taken from the current directory. */
export function parseVolume(spec: string, cwd: string): Volume {
	const parts = spec.split(':');
	const [source, destination, mode] = parts;
	if (parts.length < 2 || parts.length > 3 || !source || !destination) {
		throw new UsageError(`invalid volume "${spec}": use SRC:DST or SRC:DST:ro`);
	}
	if (mode !== undefined && mode !== 'ro' && mode !== 'rw') {
		throw new UsageError(`invalid volume mode "${mode}" in "${spec}": use ro or rw`);
	}
	return {source: path.resolve(cwd, source), destination, readOnly: mode === 'ro'};
}

function buildLimits(flags: ContainerFlagValues): ResourceLimits {
	const limits: ResourceLimits = {};
	if (flags.cpuLimit !== undefined && flags.cpus !== undefined) {
		throw new UsageError('give --cpu-limit or --cpus, not both');
	}
	if (flags.cpuLimit !== undefined) limits.cpuLimitPercent = parsePercent(flags.cpuLimit, '--cpu-limit');
	if (flags.cpus !== undefined) limits.cpuLimitPercent = Math.round(parseNumber(flags.cpus, '--cpus') * 10000) / 100;
	if (flags.memoryLimit !== undefined) limits.memoryLimitMb = parseMemoryMb(flags.memoryLimit);
	if (flags.pidsLimit !== undefined) limits.maxProcesses = parseInteger(flags.pidsLimit, '--pids-limit');
	if (flags.maxOpenFiles !== undefined) limits.maxOpenFiles = parseInteger(flags.maxOpenFiles, '--max-open-files');
	if (flags.ioLimit !== undefined) limits.diskIoLimitMbps = parseNumber(flags.ioLimit, '--io-limit');
	if (flags.networkLimit !== undefined) limits.networkBandwidthLimitMbps = parseNetworkLimit(flags.networkLimit);
	return limits;
}

/** The seed's max_restart_count default, for --auto-restart alone. */
const SEED_MAX_RESTARTS = 5;

/** --restart, or the seed's --auto-restart / --max-restarts, as one policy string. */
function buildRestartPolicy(flags: ContainerFlagValues): string | undefined {
	const maxRestarts = flags.maxRestarts === undefined ? undefined : parseInteger(flags.maxRestarts, '--max-restarts');
	if (flags.restart !== undefined && flags.autoRestart) {
		throw new UsageError('give --restart or --auto-restart, not both');
	}
	if (flags.restart === undefined) {
		if (!flags.autoRestart && maxRestarts === undefined) return undefined;
		return `on-failure:${maxRestarts ?? SEED_MAX_RESTARTS}`;
	}
	if (maxRestarts === undefined) return flags.restart;
	if (flags.restart !== 'on-failure') {
		throw new UsageError(`--max-restarts goes with --restart on-failure, not "${flags.restart}"`);
	}
	return `on-failure:${maxRestarts}`;
}

/**
 * Megabits per second, above 0. The API's 0 means "no limit"; typed on the command line it is
 * more likely a slip than a wish, and leaving the flag out says "no limit" plainly.
 */
export function parseNetworkLimit(text: string): number {
	const mbit = parseNumber(text, '--network-limit');
	if (mbit <= 0) {
		throw new UsageError(`invalid --network-limit "${text}": give megabits per second above 0 (8 = 1 MB/s), or leave it out for no limit`);
	}
	return mbit;
}

/** Flags of docker run that c32 does not have, and what to do instead. */
export const dockerHabitHints: Record<string, string> = {};

/** Spellings of --image: once given, the first operand already starts the command. */
export const IMAGE_FLAGS = new Set(['--image']);

/** Usage lines of run and create: `verb` is the command's name. */
export function containerUsage(verb: string): string {
	return `Usage
  $ c32 ${verb} [options] [IMAGE] [COMMAND [ARG...]]
  $ c32 ${verb} [options] --image PATH [-- COMMAND [ARG...]]`;
}

/** The whole command line of run or create -> its flags and the ContainerConfig. */
export async function parseContainerCommand<Flags extends AnyFlags>(
	spec: CommandSpec<Flags>,
	argv: string[],
	ctx: Context,
): Promise<{flags: Parsed<Flags>['flags']; config: ContainerConfig}> {
	const words = splitRunArgv(argv, valueFlagNames(spec.flags), IMAGE_FLAGS);
	const {flags} = parseArgs(spec, words.options, ctx);
	const values = {...(flags as unknown as ContainerFlagValues), init: initFlag(words.options)};
	const config = await containerConfigFromFlags(values, words, ctx);
	return {flags, config};
}

/** Reads the --env-file files, then builds the config. */
export async function containerConfigFromFlags(
	flags: ContainerFlagValues,
	words: RunArgv,
	ctx: {cwd: string; env: NodeJS.ProcessEnv; readFile(path: string): Promise<string>; exists(path: string): Promise<boolean>},
): Promise<ContainerConfig> {
	const envFiles = await readEnvFiles(flags.envFile, ctx);
	const image = flags.image ?? words.image;
	const existing = new Set<string>();
	if (image !== undefined && !isHostPath(image) && (await ctx.exists(path.resolve(ctx.cwd, image)))) existing.add(image);
	return buildContainerConfig(flags, words, {cwd: ctx.cwd, env: ctx.env, envFiles, existing});
}
