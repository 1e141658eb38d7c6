// A ContainerConfig back as the words of `c32 run`: what `generate systemd --new` puts in its
// ExecStart so that every start of the unit creates the same container again. Pure; the
// inverse of buildContainerConfig (container-options.ts), which the tests check both ways.
import type {ContainerConfig, ContainerUser, PortMapping, RestartPolicy} from '../../engine/index.js';
import {UsageError} from './errors.js';

/** The options (each `--flag=value`, so no value is taken for a flag) and, after `--`, the command's words. */
export function runWords(config: ContainerConfig): string[] {
	const words: string[] = [];
	const add = (flag: string, value: string | number) => words.push(`--${flag}=${typeof value === 'number' ? decimal(value) : value}`);
	if (config.name !== undefined) add('name', config.name);
	if (config.base !== undefined) add('base', config.base);
	if (config.entrypoint !== undefined) add('entrypoint', config.entrypoint);
	for (const [key, value] of Object.entries(config.environment ?? {})) add('env', `${key}=${value}`);
	for (const volume of config.volumes ?? []) {
		if (volume.source.includes(':') || volume.destination.includes(':')) {
			throw new UsageError(`the volume ${volume.source} has a ":" in a path, which c32 run -v cannot give`);
		}
		add('volume', `${volume.source}:${volume.destination}${volume.readOnly ? ':ro' : ''}`);
	}
	const limits = config.resourceLimits ?? {};
	if (limits.cpuLimitPercent !== undefined) add('cpu-limit', limits.cpuLimitPercent);
	if (limits.memoryLimitMb !== undefined) add('memory-limit', limits.memoryLimitMb);
	if (limits.maxProcesses !== undefined) add('pids-limit', limits.maxProcesses);
	if (limits.maxOpenFiles !== undefined) add('max-open-files', limits.maxOpenFiles);
	if (limits.diskIoLimitMbps !== undefined) add('io-limit', limits.diskIoLimitMbps);
	// 0 is the API's "no limit"; the flag refuses it, and leaving it out says the same.
	if (limits.networkBandwidthLimitMbps) add('network-limit', limits.networkBandwidthLimitMbps);
	if (config.isolationLevel !== undefined) add('isolation', config.isolationLevel);
	for (const [key, value] of Object.entries(config.labels ?? {})) add('label', `${key}=${value}`);
	if (config.restartPolicy !== undefined) add('restart', policyText(config.restartPolicy));
	if (config.workingDir !== undefined) add('workdir', config.workingDir);
	if (config.user !== undefined) add('user', userText(config.user));
	if (config.hostname !== undefined) add('hostname', config.hostname);
	networkWords(config, add);
	for (const port of config.ports ?? []) add('publish', typeof port === 'string' ? port : portText(port));
	if (config.stopSignal !== undefined) add('stop-signal', config.stopSignal);
	if (config.stopTimeout !== undefined) add('stop-timeout', config.stopTimeout);
	if (config.logSizeMax !== undefined) add('log-max-size', config.logSizeMax);
	if (config.autoRemove) words.push('--rm');
	for (const cap of config.capDrop ?? []) add('cap-drop', cap);
	for (const cap of config.capAdd ?? []) add('cap-add', cap);
	if (config.stdinOpen) words.push('--interactive');
	if (config.tty) words.push('--tty');
	if (config.init !== undefined) words.push(config.init ? '--init' : '--no-init');
	for (const hook of config.hooks ?? []) add('hook', `${hook.event}=${hook.command.map(shellQuote).join(' ')}`);
	healthWords(config.healthcheck, add, words);
	if (config.restartMaxDelayMs !== undefined) add('restart-max-delay', `${decimal(config.restartMaxDelayMs)}ms`);
	if (config.memoryThresholdMb !== undefined) add('memory-threshold', config.memoryThresholdMb);
	if (config.cpuThresholdPercent !== undefined) add('cpu-threshold', config.cpuThresholdPercent);
	if (config.monitorPidFile !== undefined) add('monitor-pidfile', config.monitorPidFile);
	// Last, as --image: the command follows `--`, so no word of it is read as an option.
	if (config.image !== undefined) add('image', config.image);
	return [...words, '--', ...(config.args ?? [])];
}

function networkWords(config: ContainerConfig, add: (flag: string, value: string) => void): void {
	const aliases = config.networkAliases ?? [];
	const further = config.additionalNetworks ?? [];
	// run's --network-alias applies on every network: a config with other aliases on each has no command line.
	for (const link of further) {
		const own = link.aliases ?? [];
		if (own.length !== aliases.length || own.some((alias, i) => alias !== aliases[i])) {
			throw new UsageError(`its aliases differ between its networks (${link.name}), which c32 run --network-alias cannot give`);
		}
	}
	if (config.network !== undefined) add('network', config.network);
	for (const link of further) add('network', link.name);
	for (const alias of aliases) add('network-alias', alias);
}

function healthWords(health: ContainerConfig['healthcheck'], add: (flag: string, value: string | number) => void, words: string[]): void {
	if (health === undefined) return;
	if (health === null) {
		words.push('--no-healthcheck');
		return;
	}
	if (health.command !== undefined) {
		// The exec form with its CMD marker: a first word "NONE" or "CMD-SHELL" stays a word.
		const argv = typeof health.command === 'string' ? ['CMD-SHELL', health.command] : ['CMD', ...health.command];
		add('health-cmd', JSON.stringify(argv));
	}
	if (health.interval !== undefined) add('health-interval', health.interval);
	if (health.timeout !== undefined) add('health-timeout', health.timeout);
	if (health.retries !== undefined) add('health-retries', health.retries);
	if (health.startPeriod !== undefined) add('health-start-period', health.startPeriod);
	if (health.onFailure !== undefined) add('health-on-failure', health.onFailure);
}

function policyText(policy: RestartPolicy | string): string {
	if (typeof policy === 'string') return policy;
	return policy.name === 'on-failure' && policy.maxRetries ? `on-failure:${policy.maxRetries}` : policy.name;
}

function userText(user: string | ContainerUser): string {
	if (typeof user === 'string') return user;
	// By name when it was given by name (the name is shown), with the group it resolved to.
	return user.lookup ?? `${user.name ?? user.uid}:${user.gid}`;
}

/** docker's -p form: [HOSTIP:][HOSTPORT]:PORT/PROTOCOL; a host port of 0 is "any free one". */
function portText(port: PortMapping): string {
	const host = port.hostPort ? String(port.hostPort) : '';
	const protocol = port.protocol ?? 'tcp';
	if (port.hostIp) return `${port.hostIp}:${host}:${port.containerPort}/${protocol}`;
	return host ? `${host}:${port.containerPort}/${protocol}` : `${port.containerPort}/${protocol}`;
}

/** A word for splitCommand (a hook's command): single quotes keep everything but a quote. */
function shellQuote(word: string): string {
	return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A number as the flag parsers read it: never in exponent form. */
function decimal(value: number): string {
	const text = String(value);
	return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}
