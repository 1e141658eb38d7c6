// A compose file (the Compose Specification, the keys c32 can honour) -> a Stack: every
// service converted to the engine's ContainerConfig and checked by the engine's own schema.
// Pure but for reading the file and its env files (parseStack takes them as functions).
import fs from 'node:fs';
import path from 'node:path';
import type {Document} from 'yaml';
import {NAME_PATTERN} from '../config.js';
import {C32Error} from '../errors.js';
import {readUserFile} from '../fs/user-file.js';
import {parseContainerConfig} from '../schema.js';
import {convertService, type ServiceInput} from './service.js';
import {DEPENDS_CONDITIONS, type Stack, type StackNetwork, type StackService} from './types.js';

/** The files `up` and `down` look for, in this order, when no -f is given. */
export const STACK_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml', 'c32.yaml'];

export interface StackReadOptions {
	/** Reads an env_file (absolute path); default fs.readFileSync. */
	readFile?: (file: string) => string;
	/** For `environment` entries without a value (`- HOME`); default process.env. */
	env?: Record<string, string | undefined>;
}

const TOP_KEYS = new Set(['name', 'services', 'networks', 'version', 'x-c32']);
const TOP_UNSUPPORTED: Record<string, string> = {
	volumes: 'named volumes are not supported, use bind mounts (./dir:/path)',
	secrets: 'not supported, use a bind mount or env_file',
	configs: 'not supported, use a bind mount',
	include: 'not supported, give one file',
};

/** The first of STACK_FILES in `dir`; NOT_FOUND names them. */
export function findStackFile(dir: string): string {
	for (const name of STACK_FILES) {
		const file = path.join(dir, name);
		if (fs.existsSync(file)) return file;
	}
	throw new C32Error('NOT_FOUND', `no ${STACK_FILES.slice(0, 3).join(', ')} or c32.yaml in ${dir}: give one with -f FILE`);
}

/** Reads and converts a compose file. INVALID_CONFIG names the file, the line and the key. */
export async function loadStack(file: string, options: StackReadOptions = {}): Promise<Stack> {
	const absolute = path.resolve(file);
	return parseStack(readUserFile(file, absolute), absolute, options);
}

type Path = (string | number)[];

/** The text of a compose file -> a Stack. `file` names it in errors and anchors relative paths. */
export async function parseStack(text: string, file: string, options: StackReadOptions = {}): Promise<Stack> {
	// Loaded here: every other command imports the engine without paying for a YAML parser.
	const {isMap, isScalar, LineCounter, parseDocument} = await import('yaml');
	const shown = path.basename(file);
	const lines = new LineCounter();
	const doc = parseDocument(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true});
	if (doc.errors.length > 0) {
		const error = doc.errors[0]!;
		const line = lines.linePos(error.pos[0]).line;
		const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
		throw new C32Error('INVALID_CONFIG', `${shown}:${line}: YAML syntax error: ${what}`);
	}
	const at = (where: Path): string => {
		const node = doc.getIn(where, true) as {range?: [number, number, number]} | undefined;
		const pair = keyNode(doc, where, isMap, isScalar);
		const offset = pair?.range?.[0] ?? node?.range?.[0];
		return offset === undefined ? shown : `${shown}:${lines.linePos(offset).line}`;
	};
	const fail = (where: Path, message: string): never => {
		throw new C32Error('INVALID_CONFIG', `${at(where)}: ${pathText(where)}: ${message}`);
	};
	const root = doc.toJS({maxAliasCount: 100}) as unknown;
	if (!isObject(root)) throw new C32Error('INVALID_CONFIG', `${shown}: expected a mapping with services`);
	const warnings: string[] = [];
	for (const key of Object.keys(root)) {
		if (TOP_UNSUPPORTED[key]) fail([key], TOP_UNSUPPORTED[key]);
		if (key.startsWith('x-') && key !== 'x-c32') warnings.push(`${at([key])}: ${key}: unknown extension, ignored`);
		else if (key === 'version') warnings.push(`${at([key])}: version: obsolete, ignored`);
		else if (!TOP_KEYS.has(key)) fail([key], 'not supported by c32 (docs/stacks.md lists the keys it reads)');
	}
	const name = stackName(root['name'], file, fail);
	const defaults = root['x-c32'] === undefined ? {} : root['x-c32'];
	if (!isObject(defaults)) fail(['x-c32'], 'expected a mapping');
	const declared = readNetworks(root['networks'], name, fail);
	const services = root['services'];
	if (!isObject(services) || Object.keys(services).length === 0) fail(['services'], 'expected a mapping of at least one service');
	const context = {
		stack: name,
		dir: path.dirname(file),
		networks: declared,
		defaults: defaults as Record<string, unknown>,
		readFile: options.readFile ?? ((f: string) => fs.readFileSync(f, 'utf8')),
		env: options.env ?? process.env,
		fail,
		warn: (where: Path, message: string) => warnings.push(`${at(where)}: ${pathText(where)}: ${message}`),
	};
	const converted: StackService[] = [];
	for (const [key, value] of Object.entries(services as Record<string, unknown>)) {
		if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(key))
			fail(['services', key], 'a service name is letters, digits, _ . - (starting with a letter or digit)');
		if (!isObject(value)) fail(['services', key], 'expected a mapping');
		const service = convertService(key, value as ServiceInput, context);
		try {
			parseContainerConfig(service.config);
		} catch (error) {
			fail(['services', key], (error as Error).message);
		}
		converted.push(service);
	}
	checkDependencies(converted, fail);
	const used = new Set(converted.flatMap((s) => [s.config.network, ...(s.config.additionalNetworks ?? []).map((n) => n.name)]));
	const networks = [...declared.values()].filter((n) => used.has(n.name));
	if (used.has(`${name}_default`) && !declared.has('default')) networks.push({key: 'default', name: `${name}_default`, external: false});
	return {name, file, services: converted, networks, warnings};
}

/** The key node of a path's last step, for the line of `services.web.build` itself. */
function keyNode(
	doc: Document,
	where: Path,
	isMap: typeof import('yaml').isMap,
	isScalar: typeof import('yaml').isScalar,
): {range?: [number, number, number]} | undefined {
	if (where.length === 0) return undefined;
	const parent = where.length === 1 ? doc.contents : doc.getIn(where.slice(0, -1), true);
	if (!isMap(parent)) return undefined;
	const last = where[where.length - 1];
	const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
	return pair?.key as {range?: [number, number, number]} | undefined;
}

export function pathText(where: Path): string {
	return where.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

type Fail = (where: Path, message: string) => never;

/** `name`, else the file's directory, lowercased to what container and network names allow. */
function stackName(given: unknown, file: string, fail: Fail): string {
	if (given !== undefined && typeof given !== 'string') fail(['name'], 'expected a string');
	const raw = typeof given === 'string' ? given : path.basename(path.dirname(file));
	const name = typeof given === 'string' ? raw : raw.toLowerCase().replace(/[^a-z0-9_-]/g, '');
	if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(name) || !NAME_PATTERN.test(name)) {
		fail(
			['name'],
			`invalid stack name ${JSON.stringify(raw)}: use lowercase letters, digits, _ and - (at most 40, starting with a letter or digit)`,
		);
	}
	return name;
}

function readNetworks(input: unknown, stack: string, fail: Fail): Map<string, StackNetwork> {
	const networks = new Map<string, StackNetwork>();
	if (input === undefined || input === null) return networks;
	if (!isObject(input)) fail(['networks'], 'expected a mapping of networks');
	for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
		const where = ['networks', key];
		const spec = value ?? {};
		if (!isObject(spec)) fail(where, 'expected a mapping');
		const network: StackNetwork = {key, name: `${stack}_${key}`, external: false};
		for (const [field, v] of Object.entries(spec as Record<string, unknown>)) {
			if (field === 'driver') {
				if (v !== 'bridge') fail([...where, field], 'only the bridge driver is supported');
			} else if (field === 'external') {
				if (typeof v !== 'boolean') fail([...where, field], 'expected true or false');
				network.external = v as boolean;
			} else if (field === 'name') {
				if (typeof v !== 'string') fail([...where, field], 'expected a string');
				network.name = v as string;
			} else if (field === 'internal') {
				if (typeof v !== 'boolean') fail([...where, field], 'expected true or false');
				network.internal = v as boolean;
			} else if (field === 'ipam') {
				const configs = isObject(v) ? v['config'] : undefined;
				const subnet = Array.isArray(configs) && isObject(configs[0]) ? configs[0]['subnet'] : undefined;
				if (
					!isObject(v) ||
					Object.keys(v).some((k) => k !== 'config') ||
					typeof subnet !== 'string' ||
					(configs as unknown[]).length !== 1
				) {
					fail([...where, field], 'only ipam.config with one subnet is supported');
				}
				network.subnet = subnet as string;
			} else if (field === 'labels' || field.startsWith('x-')) {
				// Networks keep no labels in c32: accepted and ignored.
			} else fail([...where, field], 'not supported by c32 (docs/stacks.md lists the keys it reads)');
		}
		if (!network.external && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(network.name)) fail(where, `invalid network name ${network.name}`);
		networks.set(key, network);
	}
	return networks;
}

/** Every depends_on names a service of the file, and there is no cycle. */
function checkDependencies(services: StackService[], fail: Fail): void {
	const names = new Set(services.map((s) => s.name));
	for (const service of services) {
		for (const dependency of service.dependsOn) {
			if (!names.has(dependency.service)) {
				fail(
					['services', service.name, 'depends_on'],
					`unknown service ${JSON.stringify(dependency.service)}: depend on one of ${[...names].join(', ')}`,
				);
			}
			if (!DEPENDS_CONDITIONS.includes(dependency.condition)) {
				fail(
					['services', service.name, 'depends_on', dependency.service],
					`unknown condition ${JSON.stringify(dependency.condition)}: use ${DEPENDS_CONDITIONS.join(', ')}`,
				);
			}
		}
	}
	const cycle = findCycle(services);
	if (cycle) fail(['services', cycle[0]!, 'depends_on'], `dependency cycle: ${cycle.join(' -> ')}`);
}

/** A cycle of depends_on as the list of services round it (first repeated at the end), or null. */
export function findCycle(services: Pick<StackService, 'name' | 'dependsOn'>[]): string[] | null {
	const edges = new Map(services.map((s) => [s.name, s.dependsOn.map((d) => d.service)]));
	const state = new Map<string, 'visiting' | 'done'>();
	const stack: string[] = [];
	const visit = (name: string): string[] | null => {
		if (state.get(name) === 'done') return null;
		if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
		state.set(name, 'visiting');
		stack.push(name);
		for (const next of edges.get(name) ?? []) {
			const found = visit(next);
			if (found) return found;
		}
		stack.pop();
		state.set(name, 'done');
		return null;
	};
	for (const {name} of services) {
		const found = visit(name);
		if (found) return found;
	}
	return null;
}

/** Services in an order where each comes after what it depends on (file order otherwise). */
export function startOrder(services: Pick<StackService, 'name' | 'dependsOn'>[]): string[] {
	const byName = new Map(services.map((s) => [s.name, s]));
	const order: string[] = [];
	const seen = new Set<string>();
	const visit = (name: string) => {
		if (seen.has(name)) return;
		seen.add(name);
		for (const d of byName.get(name)?.dependsOn ?? []) if (byName.has(d.service)) visit(d.service);
		order.push(name);
	};
	for (const {name} of services) visit(name);
	return order;
}
