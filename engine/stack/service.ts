// One compose service -> a StackService: its keys mapped onto the engine's ContainerConfig.
// Meaning (limits against the host, capability names, paths) is left to the engine's own
// validation, so its messages are the ones `c32 run` gives.
import path from 'node:path';
import type {CapabilityName, ContainerConfig, HealthcheckInput, IsolationType, ResourceLimits, Volume} from '../types.js';
import {type DependsCondition, SERVICE_LABEL, STACK_LABEL, type StackNetwork, type StackService} from './types.js';
import {parseDurationSeconds, parseMemoryMb, splitCommand} from './values.js';

export type ServiceInput = Record<string, unknown>;
type Path = (string | number)[];

export interface ServiceContext {
	stack: string;
	/** The compose file's directory: relative paths are relative to it. */
	dir: string;
	networks: Map<string, StackNetwork>;
	/** The top-level x-c32: defaults of every service's x-c32. */
	defaults: Record<string, unknown>;
	readFile(file: string): string;
	env: Record<string, string | undefined>;
	fail(where: Path, message: string): never;
	warn(where: Path, message: string): void;
}

const UNSUPPORTED: Record<string, string> = {
	build: 'not supported, use c32 pull or c32 import',
	container_name: 'not supported: containers are named <stack>-<service>-<n>',
	links: 'not supported: services reach each other by name on their networks',
	extends: 'not supported, write the service out',
	profiles: 'not supported',
	secrets: 'not supported, use a bind mount or env_file',
	configs: 'not supported, use a bind mount',
	privileged: 'not supported: c32 has no privileged containers (use cap_add)',
	devices: 'not supported',
	tmpfs: 'not supported (strict isolation has a private /tmp)',
};

const X_C32_KEYS = ['isolation', 'image', 'io_limit', 'network_limit', 'max_open_files'];

const HANDLERS: Record<string, (value: unknown, s: Converting) => void> = {
	image: (v, s) => {
		s.image = s.string(v, 'image');
	},
	command: (v, s) => {
		s.command = s.argv(v, 'command');
	},
	entrypoint: (v, s) => {
		s.entrypoint = s.argv(v, 'entrypoint');
	},
	environment: (v, s) => {
		s.environment = s.pairs(v, 'environment', true);
	},
	env_file: (v, s) => s.envFiles(v),
	volumes: (v, s) => {
		s.config.volumes = s.list(v, 'volumes').map((entry, i) => s.volume(entry, i));
	},
	ports: (v, s) => {
		s.config.ports = s.list(v, 'ports').map((entry, i) => s.port(entry, i));
	},
	networks: (v, s) => s.serviceNetworks(v),
	network_mode: (v, s) => {
		if (v !== 'host' && v !== 'none') s.fail(['network_mode'], 'use host or none (or networks for c32 networks)');
		s.networkMode = v as string;
	},
	healthcheck: (v, s) => s.healthcheck(v),
	restart: (v, s) => {
		s.config.restartPolicy = s.string(v, 'restart') as ContainerConfig['restartPolicy'];
	},
	deploy: (v, s) => s.deploy(v),
	depends_on: (v, s) => s.dependsOn(v),
	labels: (v, s) => {
		s.labels = s.pairs(v, 'labels', false);
	},
	user: (v, s) => {
		s.config.user = typeof v === 'number' ? String(v) : s.string(v, 'user');
	},
	working_dir: (v, s) => {
		s.config.workingDir = s.string(v, 'working_dir');
	},
	hostname: (v, s) => {
		s.config.hostname = s.string(v, 'hostname');
	},
	init: (v, s) => {
		s.config.init = s.boolean(v, 'init');
	},
	read_only: (v, s) => {
		s.readOnly = s.boolean(v, 'read_only');
	},
	cap_add: (v, s) => {
		s.config.capAdd = s.strings(v, 'cap_add') as CapabilityName[];
	},
	cap_drop: (v, s) => {
		s.config.capDrop = s.strings(v, 'cap_drop') as CapabilityName[];
	},
	stop_signal: (v, s) => {
		s.config.stopSignal = s.string(v, 'stop_signal');
	},
	stop_grace_period: (v, s) => {
		s.config.stopTimeout = Math.ceil(s.duration(v, ['stop_grace_period']));
	},
	'x-c32': (v, s) => s.extension(v, ['x-c32']),
};

class Converting {
	readonly config: ContainerConfig = {};
	readonly limits: ResourceLimits = {};
	image?: string;
	hostImage?: string;
	command?: string[];
	entrypoint?: string[];
	environment: Record<string, string> = {};
	fileEnvironment: Record<string, string> = {};
	labels: Record<string, string> = {};
	readOnly?: boolean;
	networkMode?: string;
	networkList?: {name: string; aliases: string[]}[];
	replicas = 1;
	dependsOnList: {service: string; condition: DependsCondition}[] = [];

	constructor(
		readonly service: string,
		readonly context: ServiceContext,
	) {}

	fail(where: Path, message: string): never {
		return this.context.fail(['services', this.service, ...where], message);
	}

	string(value: unknown, key: string | Path): string {
		if (typeof value !== 'string') this.fail(typeof key === 'string' ? [key] : key, 'expected a string');
		return value as string;
	}

	boolean(value: unknown, key: string): boolean {
		if (typeof value !== 'boolean') this.fail([key], 'expected true or false');
		return value as boolean;
	}

	list(value: unknown, key: string): unknown[] {
		if (!Array.isArray(value)) this.fail([key], 'expected a list');
		return value as unknown[];
	}

	strings(value: unknown, key: string): string[] {
		const list = this.list(value, key);
		for (const [i, item] of list.entries()) this.string(item, [key, i]);
		return list as string[];
	}

	/** A command: a list as it is, a string split as a shell would split words (no shell runs it). */
	argv(value: unknown, key: string): string[] {
		if (typeof value === 'string') {
			const words = splitCommand(value);
			if (words === null) this.fail([key], 'unbalanced quotes');
			return words as string[];
		}
		return this.strings(value, key);
	}

	duration(value: unknown, where: Path): number {
		const seconds = typeof value === 'string' ? parseDurationSeconds(value) : null;
		if (seconds === null) this.fail(where, `invalid duration ${JSON.stringify(value)}: use a duration such as 10s, 1m30s or 500ms`);
		return seconds as number;
	}

	/** A map or a list of KEY=VALUE; `fromEnv`: a key without a value takes the caller's. */
	pairs(value: unknown, key: string, fromEnv: boolean): Record<string, string> {
		const result: Record<string, string> = {};
		if (Array.isArray(value)) {
			value.forEach((item, i) => {
				const text = this.string(item, [key, i]);
				const at = text.indexOf('=');
				if (at === 0) this.fail([key, i], 'use KEY=VALUE');
				if (at > 0) result[text.slice(0, at)] = text.slice(at + 1);
				else if (fromEnv && this.context.env[text] !== undefined) result[text] = this.context.env[text]!;
				else if (!fromEnv) result[text] = '';
			});
			return result;
		}
		if (value === null || typeof value !== 'object') this.fail([key], 'expected a mapping or a list of KEY=VALUE');
		for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
			if (v === null) {
				if (fromEnv && this.context.env[k] !== undefined) result[k] = this.context.env[k]!;
				else if (!fromEnv) result[k] = '';
			} else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') result[k] = String(v);
			else this.fail([key, k], 'expected a string, number or boolean');
		}
		return result;
	}

	envFiles(value: unknown): void {
		const entries = typeof value === 'string' ? [value] : this.list(value, 'env_file');
		entries.forEach((entry, i) => {
			const where: Path = typeof value === 'string' ? ['env_file'] : ['env_file', i];
			const spec = typeof entry === 'string' ? {path: entry, required: true} : entry;
			if (spec === null || typeof spec !== 'object' || typeof (spec as {path?: unknown}).path !== 'string') {
				this.fail(where, 'expected a path or {path, required}');
			}
			const {path: file, required = true} = spec as {path: string; required?: boolean};
			const absolute = path.resolve(this.context.dir, file);
			let text: string;
			try {
				text = this.context.readFile(absolute);
			} catch (error) {
				if (!required) return;
				this.fail(where, `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
			}
			for (const [n, raw] of text.split(/\r?\n/).entries()) {
				const line = raw.trim();
				if (line === '' || line.startsWith('#')) continue;
				const at = line.indexOf('=');
				if (at <= 0) this.fail(where, `${file} line ${n + 1}: "${raw}" is not KEY=VALUE`);
				const v = line.slice(at + 1);
				this.fileEnvironment[line.slice(0, at).replace(/^export\s+/, '')] = /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
			}
		});
	}

	/** A bind mount: "SRC:DST[:ro|rw]" or {type: bind, source, target, read_only}. */
	volume(entry: unknown, i: number): Volume {
		const where: Path = ['volumes', i];
		const bind = (source: string, destination: string, readOnly: boolean): Volume => {
			if (!/^(\/|\.\.?(\/|$)|~(\/|$))/.test(source)) {
				this.fail(where, `named volume ${JSON.stringify(source)} is not supported: use a bind mount of a host path (./dir:${destination})`);
			}
			const home = this.context.env['HOME'];
			const absolute = source.startsWith('~') && home ? path.join(home, source.slice(1)) : path.resolve(this.context.dir, source);
			return readOnly ? {source: absolute, destination, readOnly} : {source: absolute, destination};
		};
		if (typeof entry === 'string') {
			const parts = entry.split(':');
			if (parts.length < 2 || parts.length > 3 || (parts[2] !== undefined && !['ro', 'rw'].includes(parts[2]))) {
				this.fail(where, `invalid volume ${JSON.stringify(entry)}: use SRC:DST, SRC:DST:ro or SRC:DST:rw`);
			}
			return bind(parts[0]!, parts[1]!, parts[2] === 'ro');
		}
		if (entry === null || typeof entry !== 'object') this.fail(where, 'expected SRC:DST or a mapping');
		const spec = entry as Record<string, unknown>;
		for (const key of Object.keys(spec)) {
			if (!['type', 'source', 'target', 'read_only', 'bind'].includes(key)) this.fail([...where, key], 'not supported by c32');
		}
		if (spec['type'] !== 'bind') this.fail([...where, 'type'], 'only type: bind is supported (c32 stacks have no named volumes)');
		const source = this.string(spec['source'], [...where, 'source']);
		const target = this.string(spec['target'], [...where, 'target']);
		return bind(source, target, spec['read_only'] === true);
	}

	/** A published port, in the docker -p syntax the engine reads. */
	port(entry: unknown, i: number): string {
		if (typeof entry === 'number') return String(entry);
		if (typeof entry === 'string') return entry;
		if (entry === null || typeof entry !== 'object') this.fail(['ports', i], 'expected "HOST:CONTAINER" or a mapping');
		const spec = entry as Record<string, unknown>;
		for (const key of Object.keys(spec)) {
			if (!['target', 'published', 'host_ip', 'protocol', 'mode'].includes(key)) this.fail(['ports', i, key], 'not supported by c32');
		}
		if (typeof spec['target'] !== 'number') this.fail(['ports', i, 'target'], 'expected a port number');
		const host = spec['published'] === undefined ? '' : `${String(spec['published'])}:`;
		const ip = spec['host_ip'] === undefined ? '' : `${String(spec['host_ip'])}:`;
		const protocol = spec['protocol'] === undefined ? '' : `/${String(spec['protocol'])}`;
		return host === '' ? `${String(spec['target'])}${protocol}` : `${ip}${host}${String(spec['target'])}${protocol}`;
	}

	serviceNetworks(value: unknown): void {
		const entries: [string, unknown][] = Array.isArray(value)
			? value.map((item, i) => [this.string(item, ['networks', i]), null])
			: value !== null && typeof value === 'object'
				? Object.entries(value)
				: this.fail(['networks'], 'expected a list or a mapping of networks');
		this.networkList = entries.map(([key, spec]) => {
			const network = this.context.networks.get(key);
			if (!network) this.fail(['networks', key], `unknown network: declare it under the top-level networks`);
			const aliases = [this.service];
			if (spec !== null && spec !== undefined) {
				if (typeof spec !== 'object' || Array.isArray(spec)) this.fail(['networks', key], 'expected a mapping');
				for (const [field, v] of Object.entries(spec as Record<string, unknown>)) {
					if (field !== 'aliases') this.fail(['networks', key, field], 'not supported by c32 (only aliases)');
					aliases.push(...this.strings(v, 'networks'));
				}
			}
			return {name: (network as StackNetwork).name, aliases};
		});
	}

	healthcheck(value: unknown): void {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(['healthcheck'], 'expected a mapping');
		const spec = value as Record<string, unknown>;
		if (spec['disable'] === true) {
			this.config.healthcheck = null;
			return;
		}
		const check: HealthcheckInput = {};
		for (const [key, v] of Object.entries(spec)) {
			const where: Path = ['healthcheck', key];
			if (key === 'test') {
				if (typeof v === 'string') check.command = v;
				else {
					const [kind, ...rest] = this.strings(v, 'healthcheck');
					if (kind === 'NONE') {
						this.config.healthcheck = null;
						return;
					}
					if (kind === 'CMD' && rest.length > 0) check.command = rest;
					else if (kind === 'CMD-SHELL' && rest.length === 1) check.command = rest[0]!;
					else this.fail(where, 'use ["CMD", program, args...], ["CMD-SHELL", command], ["NONE"] or a string');
				}
			} else if (key === 'interval' || key === 'timeout') check[key] = this.duration(v, where);
			else if (key === 'start_period') check.startPeriod = this.duration(v, where);
			else if (key === 'retries') {
				if (typeof v !== 'number') this.fail(where, 'expected a number');
				check.retries = v as number;
			} else if (key === 'disable') {
				if (v !== false) this.fail(where, 'expected true or false');
			} else this.fail(where, 'not supported by c32 (test, interval, timeout, retries, start_period, disable)');
		}
		this.config.healthcheck = check;
	}

	deploy(value: unknown): void {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(['deploy'], 'expected a mapping');
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			if (key === 'replicas') {
				if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100)
					this.fail(['deploy', key], 'expected a whole number from 0 to 100');
				this.replicas = v as number;
			} else if (key === 'resources') {
				if (v === null || typeof v !== 'object') this.fail(['deploy', key], 'expected a mapping');
				for (const [kind, limits] of Object.entries(v as Record<string, unknown>)) {
					if (kind !== 'limits') this.fail(['deploy', key, kind], 'not supported by c32 (only limits)');
					this.resourceLimits(limits);
				}
			} else this.fail(['deploy', key], 'not supported by c32 (only replicas and resources.limits)');
		}
	}

	resourceLimits(value: unknown): void {
		const where: Path = ['deploy', 'resources', 'limits'];
		if (value === null || typeof value !== 'object') this.fail(where, 'expected a mapping');
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			if (key === 'cpus') {
				const cpus = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
				if (!Number.isFinite(cpus) || cpus <= 0)
					this.fail([...where, key], `invalid cpus ${JSON.stringify(v)}: give a number of cores such as 0.5`);
				this.limits.cpuLimitPercent = Math.round(cpus * 10000) / 100;
			} else if (key === 'memory') {
				const mb = parseMemoryMb(v);
				if (mb === null) this.fail([...where, key], `invalid memory ${JSON.stringify(v)}: give a size such as 512m or 1g`);
				this.limits.memoryLimitMb = mb as number;
			} else if (key === 'pids') {
				// Its type and range are the engine schema's to check.
				this.limits.maxProcesses = v as number;
			} else this.fail([...where, key], 'not supported by c32 (cpus, memory, pids)');
		}
	}

	dependsOn(value: unknown): void {
		if (Array.isArray(value)) {
			this.dependsOnList = value.map((item, i) => ({service: this.string(item, ['depends_on', i]), condition: 'service_started' as const}));
			return;
		}
		if (value === null || typeof value !== 'object') this.fail(['depends_on'], 'expected a list or a mapping of services');
		this.dependsOnList = Object.entries(value as Record<string, unknown>).map(([service, spec]) => {
			let condition: unknown = 'service_started';
			if (spec !== null && typeof spec === 'object') {
				for (const [key, v] of Object.entries(spec)) {
					if (key === 'condition') condition = v;
					else if (key !== 'required' && key !== 'restart') this.fail(['depends_on', service, key], 'not supported by c32 (condition)');
				}
			}
			return {service, condition: condition as DependsCondition};
		});
	}

	/** x-c32: what compose has no key for, in the engine's terms. */
	extension(value: unknown, where: Path, top = false): void {
		if (value === null || typeof value !== 'object' || Array.isArray(value)) {
			if (top) this.context.fail(where, 'expected a mapping');
			this.fail(where, 'expected a mapping');
		}
		const fail = (key: string, message: string): never =>
			top ? this.context.fail([...where, key], message) : this.fail([...where, key], message);
		for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
			if (key === 'isolation') {
				if (typeof v !== 'string') fail(key, 'expected minimal, standard or strict');
				this.config.isolationLevel = v as IsolationType;
			} else if (key === 'image') {
				if (top) fail(key, 'a host-path image is set per service');
				if (typeof v !== 'string') fail(key, 'expected a host path');
				this.hostImage = path.resolve(this.context.dir, v as string);
			} else if (key === 'io_limit' || key === 'network_limit' || key === 'max_open_files') {
				if (typeof v !== 'number') fail(key, 'expected a number');
				const field = key === 'io_limit' ? 'diskIoLimitMbps' : key === 'network_limit' ? 'networkBandwidthLimitMbps' : 'maxOpenFiles';
				this.limits[field] = v as number;
			} else fail(key, `unknown x-c32 key: use ${X_C32_KEYS.join(', ')}`);
		}
	}

	finish(): StackService {
		const c = this.config;
		if (this.hostImage !== undefined) {
			c.image = this.hostImage;
			if (this.image !== undefined) c.base = this.image;
		} else if (this.image !== undefined) {
			c.image = /^(\/|\.\.?(\/|$))/.test(this.image) ? path.resolve(this.context.dir, this.image) : this.image;
		}
		if (this.entrypoint !== undefined && this.entrypoint.length > 0) {
			c.entrypoint = this.entrypoint[0]!;
			c.args = [...this.entrypoint.slice(1), ...(this.command ?? [])];
		} else if (this.command !== undefined) c.args = this.command;
		const environment = {...this.fileEnvironment, ...this.environment};
		if (Object.keys(environment).length > 0) c.environment = environment;
		if (Object.keys(this.limits).length > 0) c.resourceLimits = this.limits;
		if (this.readOnly === true && c.isolationLevel !== 'strict') {
			this.fail(['read_only'], 'a read-only root is what strict isolation gives: set x-c32: {isolation: strict}');
		}
		if (this.readOnly === false && c.isolationLevel === 'strict') this.fail(['read_only'], 'strict isolation always has a read-only root');
		const level = c.isolationLevel ?? 'standard';
		if (this.networkMode !== undefined) {
			if (this.networkList) this.fail(['network_mode'], 'give network_mode or networks, not both');
			c.network = this.networkMode;
		} else {
			const networks = this.networkList ?? (level === 'standard' ? [{name: `${this.context.stack}_default`, aliases: [this.service]}] : []);
			if (networks.length > 0) {
				c.network = networks[0]!.name;
				c.networkAliases = networks[0]!.aliases;
				if (networks.length > 1) c.additionalNetworks = networks.slice(1);
			}
		}
		c.labels = {...this.labels, [STACK_LABEL]: this.context.stack, [SERVICE_LABEL]: this.service};
		return {name: this.service, config: c, replicas: this.replicas, dependsOn: this.dependsOnList};
	}
}

export function convertService(name: string, input: ServiceInput, context: ServiceContext): StackService {
	const s = new Converting(name, context);
	if (Object.keys(context.defaults).length > 0) s.extension(context.defaults, ['x-c32'], true);
	for (const [key, value] of Object.entries(input)) {
		const handler = HANDLERS[key];
		if (handler) handler(value, s);
		else if (UNSUPPORTED[key]) s.fail([key], UNSUPPORTED[key]);
		else if (key.startsWith('x-')) context.warn(['services', name, key], 'unknown extension, ignored');
		else s.fail([key], 'not supported by c32 (docs/stacks.md lists the keys it reads)');
	}
	return s.finish();
}
