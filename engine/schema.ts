// The one schema of a container's config: what createContainer, importContainerState and
// (later) stack files accept. It checks shapes and types (strings without NUL bytes, lists,
// numbers, the enums); config.ts then checks meaning against the host. Every failure is one
// INVALID_CONFIG line that names the field: `config.volumes: expected a list of ...`.
// valibot costs ~13 ms to load (zod ~55 ms), so only create and import load this module.
import * as v from 'valibot';
import {type HostFacts, type ImageFacts, imageReference, resolveConfig} from './config.js';
import {C32Error} from './errors.js';
import {HEALTH_ON_FAILURE} from './health/types.js';
import {BACKOFF_MAX_MS} from './restart.js';
import type {ContainerConfig, ExportedState, ResolvedConfig} from './types.js';
import {ISOLATION_TYPES} from './types.js';

const text = (what = 'a string') =>
	v.pipe(
		v.string(`expected ${what}`),
		v.check((s) => !s.includes('\0'), `expected ${what} without NUL bytes`),
	);
const stringList = (what: string) => v.array(text(), `expected a list of ${what}`);
const stringMap = (what: string) =>
	v.pipe(v.unknown(), v.check(notList, `expected an object of ${what}`), v.record(v.string(), text(), `expected an object of ${what}`));
const number = () => v.number('expected a number');
const boolean = () => v.boolean('expected true or false');

function notList(value: unknown): boolean {
	return !Array.isArray(value);
}

/** A strict object: an unknown field is refused (a typo must not be ignored). */
function shape<const E extends v.ObjectEntries>(entries: E, what: string) {
	const message = (issue: v.StrictObjectIssue) =>
		issue.expected === 'never' ? 'unknown field' : issue.received === 'undefined' ? `missing from ${what}` : `expected ${what}`;
	return v.pipe(v.unknown(), v.check(notList, `expected ${what}`), v.strictObject(entries, message));
}

const limits = shape(
	{
		cpuLimitPercent: v.optional(number()),
		memoryLimitMb: v.optional(number()),
		diskIoLimitMbps: v.optional(number()),
		networkBandwidthLimitMbps: v.optional(number()),
		maxProcesses: v.optional(number()),
		maxOpenFiles: v.optional(number()),
	},
	'an object of limits such as {memoryLimitMb: 512}',
);

const volume = shape(
	{source: text('a host path'), destination: text('a path in the container'), readOnly: v.optional(boolean())},
	'{source, destination, readOnly}',
);

const user = shape({uid: number(), gid: number(), name: v.optional(text()), lookup: v.optional(text())}, '{uid, gid}');

const ociImage = shape({id: text('an image id'), name: v.nullable(text('an image name')), digest: text('a digest')}, '{id, name, digest}');

const hostIp = text('an IPv4 address or ""');
const protocol = v.picklist(['tcp', 'udp'], 'expected tcp or udp');
const portMapping = shape({hostIp, hostPort: number(), containerPort: number(), protocol}, '{hostIp, hostPort, containerPort, protocol}');
/** Input may leave out hostIp (all addresses), hostPort (a free one) and protocol (tcp). */
const portInput = shape(
	{
		hostIp: v.optional(hostIp),
		hostPort: v.optional(number()),
		containerPort: number(),
		protocol: v.optional(protocol),
	},
	'{containerPort, hostPort, hostIp, protocol}',
);

const restartPolicy = shape(
	{
		name: v.picklist(['no', 'on-failure', 'always', 'unless-stopped'], 'expected no, on-failure, always or unless-stopped'),
		maxRetries: v.optional(number()),
	},
	'{name, maxRetries}',
);

const healthOnFailure = v.picklist(HEALTH_ON_FAILURE, 'expected none, kill, restart or stop');
const healthcheckInput = shape(
	{
		command: v.optional(v.union([text(), stringList('strings')], 'expected a command string or a list of strings')),
		interval: v.optional(number()),
		timeout: v.optional(number()),
		retries: v.optional(number()),
		startPeriod: v.optional(number()),
		onFailure: v.optional(healthOnFailure),
	},
	'{command, interval, timeout, retries, startPeriod, onFailure}',
);
const healthcheckStored = shape(
	{
		command: stringList('strings'),
		interval: number(),
		timeout: number(),
		retries: number(),
		startPeriod: number(),
		onFailure: healthOnFailure,
	},
	'{command, interval, timeout, retries, startPeriod, onFailure}',
);

/** The rules of each field, shared by the input and the stored form. */
const fields = {
	name: text(),
	image: text('a host path or an image reference'),
	entrypoint: text(),
	args: stringList('strings'),
	environment: stringMap('string values'),
	volumes: v.array(volume, 'expected a list of {source, destination, readOnly}'),
	resourceLimits: limits,
	isolationLevel: v.picklist(ISOLATION_TYPES, 'expected minimal, standard or strict'),
	labels: stringMap('string values'),
	restartPolicy,
	workingDir: text('an absolute path'),
	user,
	hostname: text(),
	stopSignal: text('a signal name or number'),
	stopTimeout: number(),
	network: text('host, none or a network name'),
	ports: v.array(portMapping, 'expected a list of {hostIp, hostPort, containerPort, protocol}'),
	networkAliases: stringList('names'),
	additionalNetworks: v.array(
		shape({name: text('a network name'), aliases: v.optional(stringList('names'))}, '{name, aliases}'),
		'expected a list of {name, aliases}',
	),
	logSizeMax: number(),
	autoRemove: boolean(),
	capabilities: stringList('capability names such as CAP_CHOWN'),
	stdinOpen: boolean(),
	tty: boolean(),
	init: boolean(),
	hooks: v.array(
		shape(
			{event: text('an event name such as die'), command: v.pipe(stringList('strings'), v.minLength(1, 'expected a program'))},
			'{event, command}',
		),
		'expected a list of {event, command}',
	),
	restartMaxDelayMs: number(),
	memoryThresholdMb: number(),
	cpuThresholdPercent: number(),
	monitorPidFile: text('an absolute path'),
};

const containerConfigSchema = shape(
	{
		name: v.optional(fields.name),
		image: v.optional(fields.image),
		base: v.optional(text('an image reference')),
		entrypoint: v.optional(fields.entrypoint),
		args: v.optional(fields.args),
		environment: v.optional(fields.environment),
		volumes: v.optional(fields.volumes),
		resourceLimits: v.optional(fields.resourceLimits),
		isolationLevel: v.optional(fields.isolationLevel),
		labels: v.optional(fields.labels),
		restartPolicy: v.optional(v.union([text(), restartPolicy], 'expected a policy such as "on-failure:5" or {name, maxRetries}')),
		autoRestart: v.optional(boolean()),
		maxRestartCount: v.optional(number()),
		workingDir: v.optional(fields.workingDir),
		user: v.optional(v.union([text(), user], 'expected "uid", "uid:gid", a user name or {uid, gid}')),
		hostname: v.optional(fields.hostname),
		stopSignal: v.optional(fields.stopSignal),
		stopTimeout: v.optional(fields.stopTimeout),
		network: v.optional(fields.network),
		ports: v.optional(
			v.union(
				[stringList('port specs'), v.array(portInput)],
				'expected a list of port specs such as "8080:80" or of {containerPort, hostPort, hostIp, protocol}',
			),
		),
		networkAliases: v.optional(fields.networkAliases),
		additionalNetworks: v.optional(fields.additionalNetworks),
		logSizeMax: v.optional(fields.logSizeMax),
		autoRemove: v.optional(fields.autoRemove),
		capAdd: v.optional(stringList('capability names such as NET_RAW')),
		capDrop: v.optional(stringList('capability names such as NET_RAW')),
		stdinOpen: v.optional(fields.stdinOpen),
		tty: v.optional(fields.tty),
		init: v.optional(fields.init),
		hooks: v.optional(fields.hooks),
		healthcheck: v.optional(v.nullable(healthcheckInput)),
		restartMaxDelayMs: v.optional(fields.restartMaxDelayMs),
		memoryThresholdMb: v.optional(fields.memoryThresholdMb),
		cpuThresholdPercent: v.optional(fields.cpuThresholdPercent),
		monitorPidFile: v.optional(fields.monitorPidFile),
	},
	'a container config object',
);

/** A stored (exported) config: every field present. capabilities and init are missing from exports before they were stored. */
const storedEntries = {
	name: fields.name,
	image: v.nullable(fields.image),
	// Missing from exports written before OCI images existed: a host-derived root.
	ociImage: v.optional(v.nullable(ociImage)),
	entrypoint: fields.entrypoint,
	args: fields.args,
	environment: fields.environment,
	volumes: fields.volumes,
	resourceLimits: fields.resourceLimits,
	isolationLevel: fields.isolationLevel,
	labels: fields.labels,
	restartPolicy: fields.restartPolicy,
	workingDir: fields.workingDir,
	user: fields.user,
	hostname: fields.hostname,
	stopSignal: fields.stopSignal,
	stopTimeout: fields.stopTimeout,
	network: fields.network,
	// Missing from exports written before networks: none published, no aliases.
	ports: v.optional(fields.ports),
	networkAliases: v.optional(fields.networkAliases),
	additionalNetworks: v.optional(fields.additionalNetworks),
	logSizeMax: fields.logSizeMax,
	autoRemove: fields.autoRemove,
	capabilities: v.optional(v.nullable(fields.capabilities)),
	// Missing from exports written before interactive containers existed.
	stdinOpen: v.optional(fields.stdinOpen),
	tty: v.optional(fields.tty),
	init: v.optional(fields.init),
	// Missing from exports written before hooks existed.
	hooks: v.optional(fields.hooks),
	// Missing from exports written before health checks: none.
	healthcheck: v.optional(v.nullable(healthcheckStored)),
	// Missing from exports written before crash-loop caps and thresholds.
	restartMaxDelayMs: v.optional(fields.restartMaxDelayMs),
	memoryThresholdMb: v.optional(v.nullable(fields.memoryThresholdMb)),
	cpuThresholdPercent: v.optional(v.nullable(fields.cpuThresholdPercent)),
	// Missing from exports written before monitor pid files.
	monitorPidFile: v.optional(v.nullable(fields.monitorPidFile)),
};
const resolvedConfigSchema = shape(storedEntries, 'a stored container config');

// The schemas list exactly the fields of the types: a field added to one and not the other does not compile.
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
const inputFieldsMatch: SameKeys<ContainerConfig, v.InferOutput<typeof containerConfigSchema>> = true;
const storedFieldsMatch: SameKeys<ResolvedConfig, v.InferOutput<typeof resolvedConfigSchema>> = true;
void inputFieldsMatch;
void storedFieldsMatch;

/** The fields of a stored config, for tests that must cover every one. */
export const RESOLVED_FIELDS = Object.keys(storedEntries) as (keyof ResolvedConfig)[];

function check<S extends v.GenericSchema>(schema: S, input: unknown, root: string): v.InferOutput<S> {
	const result = v.safeParse(schema, input, {abortEarly: true});
	if (result.success) return result.output;
	const issue = result.issues[0];
	throw new C32Error('INVALID_CONFIG', `${root}${formatPath(issue.path)}: ${issue.message}`);
}

function formatPath(path: readonly {key: unknown}[] | undefined): string {
	return (path ?? [])
		.map(({key}) =>
			typeof key === 'number'
				? `[${key}]`
				: /^[A-Za-z_$][\w$]*$/.test(String(key))
					? `.${String(key)}`
					: `[${JSON.stringify(String(key))}]`,
		)
		.join('');
}

/** Shapes and types of a caller's config; throws INVALID_CONFIG naming the field. */
export function parseContainerConfig(input: unknown): ContainerConfig {
	// Names (capabilities, restart policies) are checked with their meaning in resolveConfig.
	return check(containerConfigSchema, input, 'config') as ContainerConfig;
}

/**
 * The whole of create's validation: the schema, then the meaning against the host.
 * `image` gives what the store knows of the OCI image the config names (create looks it up first).
 */
export function validateConfig(
	input: unknown,
	defaultName: (config: ContainerConfig) => string,
	host: HostFacts,
	image: (ref: string) => ImageFacts | null = () => null,
): ResolvedConfig {
	const config = parseContainerConfig(input);
	const ref = imageReference(config, host);
	return resolveConfig(config, defaultName(config), host, ref === null ? null : image(ref));
}

/** The config of a file written by export, checked by the same field rules; newer formats are UNSUPPORTED. */
export function parseExportedConfig(state: unknown, newestFormat: number): ResolvedConfig {
	if (state === null || typeof state !== 'object' || Array.isArray(state)) {
		throw new C32Error('INVALID_CONFIG', 'not a c32 export: expected an object with formatVersion, metadata and config');
	}
	const {formatVersion, config} = state as Partial<ExportedState>;
	if (typeof formatVersion !== 'number' || !Number.isInteger(formatVersion) || formatVersion < 1) {
		throw new C32Error('INVALID_CONFIG', 'not a c32 export: formatVersion must be a whole number');
	}
	if (formatVersion > newestFormat) {
		throw new C32Error('UNSUPPORTED', `export format ${formatVersion} is newer than this c32 reads (${newestFormat}): upgrade c32`);
	}
	const resolved = check(resolvedConfigSchema, config, 'config') as ResolvedConfig;
	return {
		...resolved,
		ociImage: resolved.ociImage ?? null,
		ports: resolved.ports ?? [],
		networkAliases: resolved.networkAliases ?? [],
		additionalNetworks: (resolved.additionalNetworks ?? []).map((link) => ({name: link.name, aliases: link.aliases ?? []})),
		healthcheck: resolved.healthcheck ?? null,
		restartMaxDelayMs: resolved.restartMaxDelayMs ?? BACKOFF_MAX_MS,
		memoryThresholdMb: resolved.memoryThresholdMb ?? null,
		cpuThresholdPercent: resolved.cpuThresholdPercent ?? null,
	};
}
