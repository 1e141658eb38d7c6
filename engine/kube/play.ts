// A Kubernetes manifest (Pods and Deployments; Services checked against them) -> the engine
// configs of the containers `kube play` creates. Pure but for reading the file. Every field
// it does not map is refused with its path and line; every config is checked by the schema.
import path from 'node:path';
import {type Document, isMap, isScalar, LineCounter, parseAllDocuments} from 'yaml';
import {C32Error} from '../errors.js';
import {readUserFile} from '../fs/user-file.js';
import {parseContainerConfig} from '../schema.js';
import type {ContainerConfig, HealthcheckInput, IsolationType, PortMapping, ResourceLimits, Volume} from '../types.js';
import {KUBE_KIND_LABEL, KUBE_NAME_LABEL, KUBE_NUMBER_LABEL, type KubePlan, type PlayContainer} from './types.js';

type Path = (string | number)[];
type Obj = Record<string, unknown>;

/** Reads and converts a manifest. INVALID_CONFIG names the file, the line and the field. */
export function loadKube(file: string): KubePlan {
	const absolute = path.resolve(file);
	return parseKube(readUserFile(file, absolute), absolute);
}

/** The most replicas a Deployment may ask for (as a stack's deploy.replicas). */
const MAX_REPLICAS = 100;

/** The text of a manifest -> what kube play creates. `file` names it in errors. */
export function parseKube(text: string, file: string): KubePlan {
	const shown = path.basename(file);
	const lines = new LineCounter();
	const parsed = parseAllDocuments(text, {lineCounter: lines, prettyErrors: false, uniqueKeys: true});
	const docs = Array.isArray(parsed) ? parsed : [];
	for (const doc of docs) {
		const error = doc.errors[0];
		if (error) {
			const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
			throw new C32Error('INVALID_CONFIG', `${shown}:${lines.linePos(error.pos[0]).line}: YAML syntax error: ${what}`);
		}
	}
	const plan: KubePlan = {containers: [], workloads: [], notes: []};
	const services: {reader: Reader; root: Obj}[] = [];
	for (const doc of docs) {
		const raw = doc.toJS({maxAliasCount: 100}) as unknown;
		if (raw === null || raw === undefined) continue;
		const reader = new Reader(shown, doc, lines, plan.notes);
		if (!isObject(raw)) reader.fail([], 'expected a Kubernetes object (a mapping with apiVersion and kind)');
		const root = raw as Obj;
		const kind = reader.string(root, ['kind']);
		const apiVersion = reader.string(root, ['apiVersion']);
		const expected = kind === 'Deployment' ? 'apps/v1' : 'v1';
		if ((kind === 'Pod' || kind === 'Deployment' || kind === 'Service') && apiVersion !== expected) {
			reader.fail(['apiVersion'], `expected ${expected} for a ${kind}`);
		}
		if (kind === 'Service') services.push({reader, root});
		else if (kind === 'Pod') {
			const workload = reader.pod(root);
			plan.workloads.push({kind, name: workload.name});
			plan.containers.push(workload.container);
		} else if (kind === 'Deployment') {
			const {name, containers} = reader.deployment(root);
			plan.workloads.push({kind, name});
			plan.containers.push(...containers);
		} else reader.fail(['kind'], `${kind} is not supported: kube play runs Pod and Deployment (and reads Service)`);
	}
	for (const {reader, root} of services) serviceNotes(reader, root, plan);
	if (plan.workloads.length === 0) throw new C32Error('INVALID_CONFIG', `${shown}: no Pod or Deployment to play`);
	const names = new Set<string>();
	for (const container of plan.containers) {
		if (names.has(container.config.name)) {
			throw new C32Error('INVALID_CONFIG', `${shown}: two workloads make a container named ${container.config.name}: rename one`);
		}
		names.add(container.config.name);
	}
	return plan;
}

/**
 * A Service is not run: the ports it names must be published by its containers' hostPort
 * (as generate writes them). A note for each port of it that no container publishes.
 */
function serviceNotes(reader: Reader, root: Obj, plan: KubePlan): void {
	const name = isObject(root['metadata']) ? String(root['metadata']['name']) : '?';
	const spec = isObject(root['spec']) ? root['spec'] : {};
	const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
	const published = new Set(
		plan.containers.flatMap((c) => ((c.config.ports ?? []) as PortMapping[]).flatMap((p) => [p.containerPort, p.hostPort])),
	);
	const unpublished = ports
		.map((port) => (isObject(port) ? (port['targetPort'] ?? port['port']) : undefined))
		.filter((port) => typeof port !== 'number' || !published.has(port));
	if (unpublished.length > 0) {
		plan.notes.push(
			`${reader.at(['kind'])}: Service ${name}: not run, and no container publishes its ${unpublished.length > 1 ? 'ports' : 'port'} ${unpublished.map(String).join(', ')} (give it a hostPort)`,
		);
	}
}

/** One document's reading: fields checked by path, refused with the line they are on. */
class Reader {
	constructor(
		private readonly shown: string,
		private readonly doc: Document,
		private readonly lines: LineCounter,
		private readonly notes: string[],
	) {}

	/** `file:line` of a path's key (or value), for messages. */
	at(where: Path): string {
		const offset = keyRange(this.doc, where)?.[0] ?? (this.doc.getIn(where, true) as {range?: number[]} | undefined)?.range?.[0];
		return offset === undefined ? this.shown : `${this.shown}:${this.lines.linePos(offset).line}`;
	}

	fail(where: Path, message: string): never {
		throw new C32Error(
			'INVALID_CONFIG',
			where.length === 0 ? `${this.at(where)}: ${message}` : `${this.at(where)}: ${pathText(where)}: ${message}`,
		);
	}

	note(where: Path, message: string): void {
		this.notes.push(`${this.at(where)}: ${pathText(where)}: ${message}`);
	}

	/** Refuses every key of `value` outside `allowed` (a message of its own, or true). */
	keys(value: Obj, where: Path, allowed: readonly string[], messages: Record<string, string> = {}): void {
		for (const key of Object.keys(value)) {
			if (!allowed.includes(key)) this.fail([...where, key], messages[key] ?? 'not supported');
		}
	}

	object(value: unknown, where: Path): Obj {
		if (!isObject(value)) this.fail(where, 'expected a mapping');
		return value as Obj;
	}

	list(value: unknown, where: Path): unknown[] {
		if (!Array.isArray(value)) this.fail(where, 'expected a list');
		return value as unknown[];
	}

	string(parent: Obj, where: Path): string {
		const value = parent[where[where.length - 1] as string];
		if (typeof value !== 'string' || value === '') this.fail(where, value === undefined ? 'missing' : 'expected a string');
		return value as string;
	}

	strings(value: unknown, where: Path): string[] {
		const list = this.list(value, where);
		list.forEach((item, index) => {
			if (typeof item !== 'string') this.fail([...where, index], 'expected a string');
		});
		return list as string[];
	}

	integer(value: unknown, where: Path, min: number, max: number): number {
		if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
			this.fail(where, `expected a whole number from ${min} to ${max}`);
		}
		return value as number;
	}

	boolean(value: unknown, where: Path): boolean {
		if (typeof value !== 'boolean') this.fail(where, 'expected true or false');
		return value as boolean;
	}

	stringMap(value: unknown, where: Path): Record<string, string> {
		const map = this.object(value ?? {}, where);
		for (const [key, v] of Object.entries(map)) if (typeof v !== 'string') this.fail([...where, key], 'expected a string');
		return map as Record<string, string>;
	}

	metadata(root: Obj, where: Path, named: boolean): {name: string; labels: Record<string, string>} {
		const metadata = this.object(root['metadata'], where);
		this.keys(metadata, where, ['name', 'labels', 'annotations', 'namespace', 'creationTimestamp']);
		if (metadata['namespace'] !== undefined) this.note([...where, 'namespace'], 'ignored: a storage root has no namespaces');
		const name = named ? this.string(metadata, [...where, 'name']) : '';
		if (named && !/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/.test(name)) {
			this.fail([...where, 'name'], 'expected a Kubernetes name: lowercase letters, digits, - and . (at most 63)');
		}
		return {name, labels: this.stringMap(metadata['labels'], [...where, 'labels'])};
	}

	pod(root: Obj): {name: string; container: PlayContainer} {
		this.keys(root, [], ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
		const {name, labels} = this.metadata(root, ['metadata'], true);
		const config = this.podSpec(root['spec'], ['spec'], false);
		config.labels = {...labels, ...config.labels, [KUBE_KIND_LABEL]: 'Pod', [KUBE_NAME_LABEL]: name};
		return {name, container: {kind: 'Pod', workload: name, config: this.checked({...config, name}, ['metadata', 'name'])}};
	}

	deployment(root: Obj): {name: string; containers: PlayContainer[]} {
		this.keys(root, [], ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
		const {name} = this.metadata(root, ['metadata'], true);
		const spec = this.object(root['spec'], ['spec']);
		this.keys(spec, ['spec'], ['replicas', 'selector', 'template', 'strategy', 'revisionHistoryLimit']);
		const replicas = spec['replicas'] === undefined ? 1 : this.integer(spec['replicas'], ['spec', 'replicas'], 0, MAX_REPLICAS);
		const template = this.object(spec['template'], ['spec', 'template']);
		this.keys(template, ['spec', 'template'], ['metadata', 'spec']);
		const {labels} = this.metadata(template, ['spec', 'template', 'metadata'], false);
		const selector = this.object(spec['selector'], ['spec', 'selector']);
		this.keys(selector, ['spec', 'selector'], ['matchLabels']);
		const match = this.stringMap(selector['matchLabels'], ['spec', 'selector', 'matchLabels']);
		if (Object.keys(match).length === 0 || Object.entries(match).some(([k, v]) => labels[k] !== v)) {
			this.fail(['spec', 'selector', 'matchLabels'], "must select the template's labels (spec.template.metadata.labels)");
		}
		const config = this.podSpec(template['spec'], ['spec', 'template', 'spec'], true);
		const containers: PlayContainer[] = [];
		for (let n = 1; n <= replicas; n++) {
			const labelled = {
				...config,
				name: `${name}-${n}`,
				labels: {...labels, ...config.labels, [KUBE_KIND_LABEL]: 'Deployment', [KUBE_NAME_LABEL]: name, [KUBE_NUMBER_LABEL]: String(n)},
			};
			containers.push({kind: 'Deployment', workload: name, config: this.checked(labelled, ['metadata', 'name'])});
		}
		return {name, containers};
	}

	/** The engine's schema on the result: a shape the engine refuses is named here, before anything is made. */
	private checked(config: ContainerConfig & {name: string}, where: Path): ContainerConfig & {name: string} {
		try {
			parseContainerConfig(config);
		} catch (error) {
			this.fail(where, (error as Error).message);
		}
		return config;
	}

	podSpec(value: unknown, where: Path, deployment: boolean): ContainerConfig {
		const spec = this.object(value, where);
		this.keys(
			spec,
			where,
			[
				'containers',
				'restartPolicy',
				'hostname',
				'hostNetwork',
				'shareProcessNamespace',
				'hostUsers',
				'terminationGracePeriodSeconds',
				'volumes',
				'securityContext',
				'dnsPolicy',
			],
			{initContainers: 'not supported (run a one-shot first: a Pod with restartPolicy Never)'},
		);
		// kubectl run and create write dnsPolicy: ClusterFirst; a c32 container has its own resolv.conf either way.
		const dns = spec['dnsPolicy'];
		if (dns !== undefined && dns !== 'ClusterFirst' && dns !== 'Default' && dns !== 'ClusterFirstWithHostNet') {
			this.fail(
				[...where, 'dnsPolicy'],
				'not supported: c32 gives a container the resolv.conf of its network (ClusterFirst and Default are accepted)',
			);
		}
		const containers = this.list(spec['containers'], [...where, 'containers']);
		if (containers.length === 0) this.fail([...where, 'containers'], 'expected one container');
		if (containers.length > 1) {
			this.fail([...where, 'containers', 1], 'not supported: c32 runs one container per Pod (its containers share no network namespace)');
		}
		const podSecurity = this.object(spec['securityContext'] ?? {}, [...where, 'securityContext']);
		this.keys(podSecurity, [...where, 'securityContext'], ['runAsUser', 'runAsGroup', 'runAsNonRoot', 'seccompProfile']);
		const volumes = this.volumes(spec['volumes'], [...where, 'volumes']);
		const config = this.container(containers[0], [...where, 'containers', 0], podSecurity, volumes, [...where, 'securityContext']);

		const policy = spec['restartPolicy'] ?? 'Always';
		const policies: Record<string, ContainerConfig['restartPolicy']> = {Always: 'always', OnFailure: 'on-failure', Never: 'no'};
		if (typeof policy !== 'string' || !policies[policy]) this.fail([...where, 'restartPolicy'], 'expected Always, OnFailure or Never');
		if (deployment && policy !== 'Always') this.fail([...where, 'restartPolicy'], 'a Deployment allows only Always');
		config.restartPolicy = policies[policy as string];
		if (spec['hostname'] !== undefined) config.hostname = this.string(spec, [...where, 'hostname']);
		if (spec['hostNetwork'] !== undefined && this.boolean(spec['hostNetwork'], [...where, 'hostNetwork'])) config.network = 'host';
		else if (config.isolationLevel === 'strict' && (config.ports as PortMapping[] | undefined)?.length) {
			// Strict has only loopback unless a network is named; a published port needs one.
			config.network = 'c32';
		}
		if (spec['shareProcessNamespace'] !== undefined && this.boolean(spec['shareProcessNamespace'], [...where, 'shareProcessNamespace'])) {
			config.init = true;
		}
		if (
			spec['hostUsers'] !== undefined &&
			!this.boolean(spec['hostUsers'], [...where, 'hostUsers']) &&
			config.isolationLevel !== 'strict'
		) {
			this.note(
				[...where, 'hostUsers'],
				'standard isolation has no user namespace (readOnlyRootFilesystem: true gives strict isolation, which always has one)',
			);
		}
		if (spec['terminationGracePeriodSeconds'] !== undefined) {
			config.stopTimeout = this.integer(spec['terminationGracePeriodSeconds'], [...where, 'terminationGracePeriodSeconds'], 0, 3600);
		}
		return config;
	}

	volumes(value: unknown, where: Path): Map<string, string> {
		const volumes = new Map<string, string>();
		this.list(value ?? [], where).forEach((item, index) => {
			const at = [...where, index];
			const volume = this.object(item, at);
			this.keys(volume, at, ['name', 'hostPath'], {
				emptyDir: 'not supported: use a hostPath (strict isolation has a private /tmp)',
				persistentVolumeClaim: 'not supported: use a hostPath',
				configMap: 'not supported: use a hostPath',
				secret: 'not supported: use a hostPath',
			});
			const name = this.string(volume, [...at, 'name']);
			const hostPath = this.object(volume['hostPath'], [...at, 'hostPath']);
			this.keys(hostPath, [...at, 'hostPath'], ['path', 'type']);
			const type = hostPath['type'] ?? '';
			if (type !== '' && type !== 'Directory' && type !== 'File') {
				this.fail([...at, 'hostPath', 'type'], 'not supported: c32 binds a path that exists (Directory, File or none)');
			}
			const source = this.string(hostPath, [...at, 'hostPath', 'path']);
			if (!source.startsWith('/')) this.fail([...at, 'hostPath', 'path'], 'expected an absolute path');
			volumes.set(name, source);
		});
		return volumes;
	}

	container(value: unknown, where: Path, podSecurity: Obj, volumes: Map<string, string>, podSecurityPath: Path): ContainerConfig {
		const c = this.object(value, where);
		this.keys(
			c,
			where,
			[
				'name',
				'image',
				'imagePullPolicy',
				'command',
				'args',
				'workingDir',
				'env',
				'ports',
				'resources',
				'volumeMounts',
				'livenessProbe',
				'readinessProbe',
				'securityContext',
				'stdin',
				'tty',
				'terminationMessagePath',
				'terminationMessagePolicy',
			],
			{envFrom: 'not supported: give env values', startupProbe: 'not supported: c32 has one health check (livenessProbe)'},
		);
		this.string(c, [...where, 'name']);
		const config: ContainerConfig = {image: this.string(c, [...where, 'image'])};
		const command = c['command'] === undefined ? undefined : this.strings(c['command'], [...where, 'command']);
		const args = c['args'] === undefined ? undefined : this.strings(c['args'], [...where, 'args']);
		if (command !== undefined && command.length > 0) {
			config.entrypoint = command[0]!;
			config.args = [...command.slice(1), ...(args ?? [])];
		} else if (args !== undefined) config.args = args;
		if (c['workingDir'] !== undefined) config.workingDir = this.string(c, [...where, 'workingDir']);
		if (c['env'] !== undefined) config.environment = this.env(c['env'], [...where, 'env']);
		const ports = c['ports'] === undefined ? [] : this.ports(c['ports'], [...where, 'ports']);
		if (ports.length > 0) config.ports = ports;
		if (c['resources'] !== undefined) {
			const limits = this.resources(c['resources'], [...where, 'resources']);
			if (Object.keys(limits).length > 0) config.resourceLimits = limits;
		}
		const mounts = c['volumeMounts'] === undefined ? [] : this.mounts(c['volumeMounts'], [...where, 'volumeMounts'], volumes);
		if (mounts.length > 0) config.volumes = mounts;
		const health = this.health(c, where);
		if (health) config.healthcheck = health;
		this.security(c['securityContext'], [...where, 'securityContext'], podSecurity, podSecurityPath, config);
		if (c['stdin'] !== undefined && this.boolean(c['stdin'], [...where, 'stdin'])) config.stdinOpen = true;
		if (c['tty'] !== undefined && this.boolean(c['tty'], [...where, 'tty'])) config.tty = true;
		return config;
	}

	env(value: unknown, where: Path): Record<string, string> {
		const environment: Record<string, string> = {};
		this.list(value, where).forEach((item, index) => {
			const at = [...where, index];
			const entry = this.object(item, at);
			this.keys(entry, at, ['name', 'value'], {valueFrom: 'not supported: give the value'});
			const value = entry['value'] ?? '';
			if (typeof value !== 'string') this.fail([...at, 'value'], 'expected a string (quote numbers)');
			environment[this.string(entry, [...at, 'name'])] = value as string;
		});
		return environment;
	}

	ports(value: unknown, where: Path): PortMapping[] {
		const published: PortMapping[] = [];
		this.list(value, where).forEach((item, index) => {
			const at = [...where, index];
			const port = this.object(item, at);
			this.keys(port, at, ['containerPort', 'hostPort', 'hostIP', 'protocol', 'name']);
			const containerPort = this.integer(port['containerPort'], [...at, 'containerPort'], 1, 65535);
			const protocol = port['protocol'] ?? 'TCP';
			if (protocol !== 'TCP' && protocol !== 'UDP') this.fail([...at, 'protocol'], 'expected TCP or UDP');
			if (port['hostPort'] === undefined) return;
			const hostPort = this.integer(port['hostPort'], [...at, 'hostPort'], 1, 65535);
			const hostIp = port['hostIP'] === undefined ? '' : this.string(port, [...at, 'hostIP']);
			published.push({hostIp, hostPort, containerPort, protocol: protocol === 'UDP' ? 'udp' : 'tcp'});
		});
		return published;
	}

	resources(value: unknown, where: Path): ResourceLimits {
		const resources = this.object(value, where);
		this.keys(resources, where, ['limits', 'requests']);
		const read = (key: 'limits' | 'requests') => {
			const map = this.object(resources[key] ?? {}, [...where, key]);
			this.keys(map, [...where, key], ['cpu', 'memory']);
			const out: ResourceLimits = {};
			if (map['cpu'] !== undefined) out.cpuLimitPercent = Math.max(1, Math.round(this.quantity(map['cpu'], [...where, key, 'cpu']) * 100));
			if (map['memory'] !== undefined) {
				out.memoryLimitMb = Math.ceil(this.quantity(map['memory'], [...where, key, 'memory']) / 2 ** 20);
			}
			return out;
		};
		const limits = read('limits');
		const requests = read('requests');
		if (Object.keys(requests).length > 0 && JSON.stringify(requests) !== JSON.stringify(limits)) {
			this.note([...where, 'requests'], 'ignored: c32 reserves nothing, it limits (resources.limits)');
		}
		return limits;
	}

	/** A Kubernetes quantity ("500m", "1.5", "64Mi", "1G") as a plain number. */
	quantity(value: unknown, where: Path): number {
		const text = typeof value === 'number' ? String(value) : value;
		const match = typeof text === 'string' ? /^(\d+(?:\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(text) : null;
		if (!match) this.fail(where, 'expected a quantity such as 500m, 2, 64Mi or 1Gi');
		const scale: Record<string, number> = {
			m: 1e-3,
			k: 1e3,
			M: 1e6,
			G: 1e9,
			T: 1e12,
			P: 1e15,
			E: 1e18,
			Ki: 2 ** 10,
			Mi: 2 ** 20,
			Gi: 2 ** 30,
			Ti: 2 ** 40,
			Pi: 2 ** 50,
			Ei: 2 ** 60,
		};
		return Number(match![1]) * (match![2] ? scale[match![2]]! : 1);
	}

	mounts(value: unknown, where: Path, volumes: Map<string, string>): Required<Volume>[] {
		return this.list(value, where).map((item, index) => {
			const at = [...where, index];
			const mount = this.object(item, at);
			this.keys(mount, at, ['name', 'mountPath', 'readOnly']);
			const name = this.string(mount, [...at, 'name']);
			const source = volumes.get(name);
			if (source === undefined) this.fail([...at, 'name'], `no volume ${name} in the Pod's volumes`);
			const readOnly = mount['readOnly'] === undefined ? false : this.boolean(mount['readOnly'], [...at, 'readOnly']);
			return {source: source!, destination: this.string(mount, [...at, 'mountPath']), readOnly};
		});
	}

	/** The livenessProbe (else the readinessProbe) as c32's one health check; a liveness failure restarts, as the kubelet does. */
	health(c: Obj, where: Path): HealthcheckInput | null {
		const probes = (['livenessProbe', 'readinessProbe'] as const).filter((key) => c[key] !== undefined);
		const read = (key: string) => {
			const at = [...where, key];
			const probe = this.object(c[key], at);
			this.keys(probe, at, ['exec', 'periodSeconds', 'timeoutSeconds', 'failureThreshold', 'initialDelaySeconds', 'successThreshold'], {
				httpGet: 'not supported: c32 health checks run a command (exec, e.g. wget -q -O /dev/null URL)',
				tcpSocket: 'not supported: c32 health checks run a command (exec)',
				grpc: 'not supported: c32 health checks run a command (exec)',
			});
			const exec = this.object(probe['exec'], [...at, 'exec']);
			this.keys(exec, [...at, 'exec'], ['command']);
			const command = this.strings(exec['command'], [...at, 'exec', 'command']);
			if (command.length === 0) this.fail([...at, 'exec', 'command'], 'expected a command');
			if (probe['successThreshold'] !== undefined && probe['successThreshold'] !== 1) {
				this.fail([...at, 'successThreshold'], 'not supported: one success makes a c32 container healthy (give 1)');
			}
			const number = (field: string, fallback: number, min: number) =>
				probe[field] === undefined ? fallback : this.integer(probe[field], [...at, field], min, 86_400);
			// Kubernetes' defaults where a field is left out.
			return {
				command,
				interval: number('periodSeconds', 10, 1),
				timeout: number('timeoutSeconds', 1, 1),
				retries: number('failureThreshold', 3, 1),
				startPeriod: number('initialDelaySeconds', 0, 0),
			};
		};
		if (probes.length === 0) return null;
		const checks = probes.map(read);
		if (checks.length === 2 && JSON.stringify(checks[0]) !== JSON.stringify(checks[1])) {
			this.note([...where, 'readinessProbe'], 'differs from livenessProbe: c32 has one health check, the livenessProbe');
		}
		return {...checks[0]!, onFailure: probes[0] === 'livenessProbe' ? 'restart' : 'none'};
	}

	/** The isolation level (a read-only root is strict), capabilities and user. */
	security(value: unknown, where: Path, pod: Obj, podPath: Path, config: ContainerConfig): void {
		const context = this.object(value ?? {}, where);
		this.keys(context, where, [
			'readOnlyRootFilesystem',
			'capabilities',
			'seccompProfile',
			'allowPrivilegeEscalation',
			'privileged',
			'runAsUser',
			'runAsGroup',
			'runAsNonRoot',
		]);
		const level: IsolationType =
			context['readOnlyRootFilesystem'] !== undefined &&
			this.boolean(context['readOnlyRootFilesystem'], [...where, 'readOnlyRootFilesystem'])
				? 'strict'
				: 'standard';
		config.isolationLevel = level;
		if (context['privileged'] !== undefined && this.boolean(context['privileged'], [...where, 'privileged'])) {
			this.fail([...where, 'privileged'], 'not supported: c32 has no privileged containers (add capabilities)');
		}
		if (
			context['allowPrivilegeEscalation'] !== undefined &&
			this.boolean(context['allowPrivilegeEscalation'], [...where, 'allowPrivilegeEscalation'])
		) {
			this.fail([...where, 'allowPrivilegeEscalation'], 'not supported: c32 always sets no_new_privileges (give false)');
		}
		for (const [ctx, at] of [
			[pod, podPath],
			[context, where],
		] as const) {
			if (ctx['seccompProfile'] === undefined) continue;
			const profile = this.object(ctx['seccompProfile'], [...at, 'seccompProfile']);
			this.keys(profile, [...at, 'seccompProfile'], ['type']);
			if (profile['type'] !== 'RuntimeDefault') {
				this.fail([...at, 'seccompProfile', 'type'], 'not supported: c32 applies its default profile (RuntimeDefault)');
			}
		}
		if (context['capabilities'] !== undefined) {
			const caps = this.object(context['capabilities'], [...where, 'capabilities']);
			this.keys(caps, [...where, 'capabilities'], ['add', 'drop']);
			const add = caps['add'] === undefined ? [] : this.strings(caps['add'], [...where, 'capabilities', 'add']);
			const drop = caps['drop'] === undefined ? [] : this.strings(caps['drop'], [...where, 'capabilities', 'drop']);
			// Kubernetes' add and drop work as docker's --cap-add and --cap-drop, on the level's set.
			if (add.length > 0) config.capAdd = add as ContainerConfig['capAdd'];
			if (drop.length > 0) config.capDrop = drop as ContainerConfig['capDrop'];
		}
		const id = (key: string) => {
			const own = context[key] !== undefined ? this.integer(context[key], [...where, key], 0, 2 ** 32 - 2) : undefined;
			return own ?? (pod[key] !== undefined ? this.integer(pod[key], [...podPath, key], 0, 2 ** 32 - 2) : undefined);
		};
		const uid = id('runAsUser');
		const gid = id('runAsGroup');
		if (uid !== undefined || gid !== undefined) config.user = gid === undefined ? String(uid) : `${uid ?? 0}:${gid}`;
		const nonRoot = context['runAsNonRoot'] ?? pod['runAsNonRoot'];
		if (nonRoot === true && (uid === undefined || uid === 0)) {
			this.fail(
				context['runAsNonRoot'] !== undefined ? [...where, 'runAsNonRoot'] : [...podPath, 'runAsNonRoot'],
				"c32 cannot check the image's user: give runAsUser (not 0)",
			);
		}
	}
}

function isObject(value: unknown): value is Obj {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function pathText(where: Path): string {
	return where.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

/** The range of the key of a path's last step, for the line of `spec.initContainers` itself. */
function keyRange(doc: Document, where: Path): number[] | undefined {
	if (where.length === 0) return undefined;
	const parent = where.length === 1 ? doc.contents : doc.getIn(where.slice(0, -1), true);
	if (!isMap(parent)) return undefined;
	const last = where[where.length - 1];
	const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === last);
	return (pair?.key as {range?: number[]} | undefined)?.range;
}
