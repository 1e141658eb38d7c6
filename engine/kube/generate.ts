// A container or a stack service -> Kubernetes objects (a Pod or a Deployment, and a Service
// for its published ports), with comments for what has no Kubernetes field. Pure.
import {type Capability, resolveCapabilities, STANDARD_CAPABILITIES} from '../capabilities.js';
import {C32Error} from '../errors.js';
import {parsePortSpec} from '../network/ports.js';
import {parseRestartPolicy} from '../restart.js';
import type {StackService} from '../stack/types.js';
import type {
	ContainerConfig,
	ContainerInfo,
	ContainerUser,
	HealthcheckConfig,
	HealthcheckInput,
	IsolationType,
	PortMapping,
} from '../types.js';
import {APP_LABEL, type GenerateOptions, type KubeComment, type KubeDocument, type KubeImage, type KubeSource} from './types.js';

/** The highest capability number generate assumes (Linux 5.9: CAP_CHECKPOINT_RESTORE); the cluster's kernel decides. */
const CAP_LAST_CAP = 40;
/** c32's own bookkeeping labels: a played container must not look like part of a stack. */
const OWN_LABELS = /^c32\.(stack|kube)(\.|$)/;
const K8S_LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A container as inspect returns it -> what generate maps. */
export function sourceFromContainer(info: Pick<ContainerInfo, 'name' | 'config'>): KubeSource {
	const resolved = info.config;
	const image: KubeImage =
		resolved.image !== null
			? {kind: 'host-path', path: resolved.image}
			: resolved.ociImage
				? {kind: 'oci', reference: resolved.ociImage.name, id: resolved.ociImage.id}
				: {kind: 'host-root'};
	const {image: _image, base: _base, ...config} = toInput(resolved);
	return {name: info.name, config, image, capabilities: resolved.capabilities};
}

/** The parts of a stored config generate reads, in their input form. */
function toInput(resolved: ContainerInfo['config']): ContainerConfig {
	return {
		entrypoint: resolved.entrypoint,
		args: resolved.args,
		environment: resolved.environment,
		volumes: resolved.volumes,
		resourceLimits: resolved.resourceLimits,
		isolationLevel: resolved.isolationLevel,
		labels: resolved.labels,
		restartPolicy: resolved.restartPolicy,
		workingDir: resolved.workingDir,
		user: resolved.user,
		// The default (the container's name) says nothing a Pod's own default would not.
		...(resolved.hostname !== resolved.name.slice(0, 63) ? {hostname: resolved.hostname} : {}),
		stopSignal: resolved.stopSignal,
		stopTimeout: resolved.stopTimeout,
		network: resolved.network,
		ports: resolved.ports,
		networkAliases: resolved.networkAliases,
		init: resolved.init,
		healthcheck: resolved.healthcheck,
	};
}

/** A stack's service -> what generate maps: a Deployment of its replicas. */
export function sourceFromService(service: StackService): KubeSource {
	const {image, base, ...config} = service.config;
	const kind: KubeImage =
		image === undefined
			? {kind: 'host-root'}
			: base !== undefined || /^(\/|\.\.?(\/|$)|~)/.test(image)
				? {kind: 'host-path', path: image}
				: {kind: 'oci', reference: image};
	return {name: service.name, config, image: kind, replicas: service.replicas};
}

/** A name Kubernetes takes for a Pod, a Deployment, a Service and a container (an RFC 1035 label). */
export function kubeName(name: string): string {
	const cleaned = name
		.toLowerCase()
		.replace(/[^a-z0-9-]+/g, '-')
		.replace(/^[^a-z]+/, '')
		.slice(0, 63)
		.replace(/-+$/, '');
	return cleaned === '' ? 'c32' : cleaned;
}

/** The image the cluster pulls; INVALID_CONFIG naming c32 commit when there is none. */
function pullableImage(source: KubeSource, options: GenerateOptions): {image: string; comments: string[]} {
	if (options.image !== undefined) return {image: options.image, comments: []};
	const {image, name} = source;
	const fix = 'push an OCI image of it (c32 commit makes one from a container) and give its name with --image NAME';
	if (image.kind === 'host-path') {
		throw new C32Error('INVALID_CONFIG', `${name} runs the host-path image ${image.path}, which a cluster cannot pull: ${fix}`);
	}
	if (image.kind === 'host-root') {
		throw new C32Error('INVALID_CONFIG', `${name} runs on the host's own trees (no image), which a cluster cannot pull: ${fix}`);
	}
	if (image.reference === null) {
		throw new C32Error(
			'INVALID_CONFIG',
			`${name} runs the image ${image.id ?? '(no name)'}, which has no name: tag and push it, then give the name with --image NAME`,
		);
	}
	const comments = image.reference.startsWith('localhost/')
		? [`${image.reference} is in this host's image store only: push it where the cluster pulls from and give that name with --image`]
		: [];
	return {image: image.reference, comments};
}

/** The documents for one source: its Pod or Deployment, then a Service when it publishes ports. */
export function kubeDocuments(source: KubeSource, options: GenerateOptions = {}): KubeDocument[] {
	const name = kubeName(source.name);
	const {image, comments: imageComments} = pullableImage(source, options);
	const config = source.config;
	const isolation: IsolationType = config.isolationLevel ?? 'standard';
	const deployment = source.replicas !== undefined;
	const notes: KubeComment[] = [];
	const top = (text: string) => notes.push({path: [], text});
	top(`${deployment ? 'service' : 'container'} ${source.name}, ${isolation} isolation (c32 generate kube)`);
	if (name !== source.name) top(`${source.name} is not a Kubernetes name: named ${name}`);

	// Paths of the Pod spec and its one container, in the document being built.
	const podPath: (string | number)[] = deployment ? ['spec', 'template', 'spec'] : ['spec'];
	const at = (...rest: (string | number)[]) => [...podPath, ...rest];
	const inContainer = (...rest: (string | number)[]) => at('containers', 0, ...rest);
	const note = (where: (string | number)[], text: string) => notes.push({path: where, text});
	for (const text of imageComments) note(inContainer('image'), text);

	const container: Record<string, unknown> = {name, image};
	if (config.entrypoint !== undefined && config.entrypoint !== '') container['command'] = [config.entrypoint];
	if (config.args !== undefined && config.args.length > 0) container['args'] = [...config.args];
	if (config.workingDir !== undefined && config.workingDir !== '' && config.workingDir !== '/') container['workingDir'] = config.workingDir;
	const env = Object.entries(config.environment ?? {});
	if (env.length > 0) container['env'] = env.map(([key, value]) => ({name: key, value}));

	const ports = publishedPorts(config.ports);
	if (ports.length > 0) {
		container['ports'] = ports.map((p) => ({
			containerPort: p.containerPort,
			protocol: p.protocol.toUpperCase(),
			...(p.hostPort !== 0 ? {hostPort: p.hostPort} : {}),
			...(p.hostIp !== '' ? {hostIP: p.hostIp} : {}),
		}));
		if (ports.some((p) => p.hostPort !== 0)) {
			note(inContainer('ports'), 'hostPort publishes on the node the Pod runs on, as c32 -p did on this host');
		}
	}

	const resources = resourcesOf(config, (text) => note(inContainer('resources'), text));
	if (resources) container['resources'] = resources;
	else {
		const rest = unmappedLimits(config);
		if (rest) note(inContainer('image'), rest);
	}

	const volumes = (config.volumes ?? []).map((volume, index) => ({name: `volume-${index + 1}`, ...volume}));
	if (volumes.length > 0) {
		container['volumeMounts'] = volumes.map((v) => ({name: v.name, mountPath: v.destination, ...(v.readOnly ? {readOnly: true} : {})}));
	}

	const check = healthcheckOf(config.healthcheck);
	if (check !== null && check.interval > 0) {
		const probe = {
			exec: {command: [...check.command]},
			periodSeconds: seconds(check.interval),
			timeoutSeconds: seconds(check.timeout),
			failureThreshold: Math.max(1, check.retries),
			initialDelaySeconds: Math.ceil(check.startPeriod),
		};
		container['livenessProbe'] = probe;
		container['readinessProbe'] = {...probe, exec: {command: [...check.command]}};
		if (check.onFailure === 'none') {
			note(
				inContainer('livenessProbe'),
				'c32 only marked the container unhealthy; a failing liveness probe restarts it (drop livenessProbe to keep that)',
			);
		} else if (check.onFailure === 'stop') {
			note(inContainer('livenessProbe'), 'c32 stopped an unhealthy container; a failing liveness probe restarts it');
		}
	} else if (check !== null) {
		note(inContainer('image'), 'c32 health check with interval 0 (run by hand only): no probe');
	}

	const securityNotes: string[] = [];
	const security = securityContextOf(source, isolation, (text) => securityNotes.push(text));
	if (security) container['securityContext'] = security;
	for (const text of securityNotes) note(inContainer(security ? 'securityContext' : 'image'), text);

	const pod: Record<string, unknown> = {};
	const policy = parseRestartPolicy(config.restartPolicy);
	if (deployment) {
		pod['restartPolicy'] = 'Always';
		if (policy.name === 'no' || policy.name === 'on-failure') {
			note(
				at('restartPolicy'),
				`restart ${policy.name}: a Deployment only allows Always; run a one-shot as a Job or a Pod (c32 generate kube CONTAINER)`,
			);
		}
	} else {
		pod['restartPolicy'] = policy.name === 'no' ? 'Never' : policy.name === 'on-failure' ? 'OnFailure' : 'Always';
		if (policy.name === 'on-failure' && policy.maxRetries > 0) {
			note(at('restartPolicy'), `c32 gave up after ${policy.maxRetries} restarts; the kubelet retries with a backoff, without a limit`);
		}
	}
	if (config.hostname !== undefined) {
		if (DNS_LABEL.test(config.hostname)) pod['hostname'] = config.hostname;
		else top(`hostname ${config.hostname} is not a Kubernetes hostname (an RFC 1123 label): left out`);
	}
	if (config.network === 'host') pod['hostNetwork'] = true;
	else if (config.network === 'none') top("c32 gave it loopback only; a Pod is on the cluster's network (a NetworkPolicy can deny it)");
	else if (config.network !== undefined && config.network !== 'c32' && !deployment) {
		top(`c32 network ${config.network}: in a cluster every Pod reaches the others (a NetworkPolicy can restrict it)`);
	}
	if (config.init === true) {
		pod['shareProcessNamespace'] = true;
		note(at('shareProcessNamespace'), 'c32 ran an init as PID 1; here the pause process is PID 1, reaping orphans');
	}
	if (isolation === 'strict') {
		pod['hostUsers'] = false;
		note(at('hostUsers'), 'strict isolation always runs in a user namespace (needs Kubernetes 1.33, or 1.30 with UserNamespacesSupport)');
	}
	if (config.stopTimeout !== undefined) pod['terminationGracePeriodSeconds'] = config.stopTimeout;
	if (config.stopSignal !== undefined && config.stopSignal !== 'SIGTERM') {
		note(
			at('terminationGracePeriodSeconds'),
			`c32 stopped it with ${config.stopSignal}; Kubernetes sends SIGTERM (STOPSIGNAL in the image decides)`,
		);
	}
	pod['containers'] = [container];
	if (volumes.length > 0) {
		pod['volumes'] = volumes.map((v) => ({name: v.name, hostPath: {path: v.source}}));
		note(at('volumes'), 'bind mounts of this host: each hostPath must exist on the node the Pod runs on');
	}

	const {labels, annotations} = labelsOf(config.labels ?? {}, name);
	const metadata = {name, labels, ...(Object.keys(annotations).length > 0 ? {annotations} : {})};
	if (Object.keys(annotations).length > 0) note(['metadata', 'annotations'], 'labels that are not valid Kubernetes labels');
	const workload = deployment
		? {
				apiVersion: 'apps/v1',
				kind: 'Deployment',
				metadata,
				spec: {
					replicas: source.replicas,
					selector: {matchLabels: {[APP_LABEL]: name}},
					template: {metadata: {labels}, spec: pod},
				},
			}
		: {apiVersion: 'v1', kind: 'Pod', metadata, spec: pod};
	const documents: KubeDocument[] = [{object: workload, comments: notes}];
	if (ports.length > 0) documents.push(serviceOf(name, ports));
	return documents;
}

/** Every source's documents, in order. */
export function generateKube(sources: KubeSource[], options: (source: KubeSource) => GenerateOptions = () => ({})): KubeDocument[] {
	return sources.flatMap((source) => kubeDocuments(source, options(source)));
}

function serviceOf(name: string, ports: PortMapping[]): KubeDocument {
	const used = new Set<string>();
	const servicePorts = ports.map((p) => {
		const port = p.hostPort !== 0 ? p.hostPort : p.containerPort;
		let portName = `${p.protocol}-${port}`;
		for (let n = 2; used.has(portName); n++) portName = `${p.protocol}-${port}-${n}`;
		used.add(portName);
		return {name: portName, port, targetPort: p.containerPort, protocol: p.protocol.toUpperCase()};
	});
	return {
		object: {
			apiVersion: 'v1',
			kind: 'Service',
			metadata: {name, labels: {[APP_LABEL]: name}},
			spec: {selector: {[APP_LABEL]: name}, ports: servicePorts},
		},
		comments: [
			{
				path: [],
				text: `the ports ${name} published, inside the cluster on the same numbers (type LoadBalancer or an Ingress reaches them from outside)`,
			},
		],
	};
}

function publishedPorts(ports: ContainerConfig['ports']): PortMapping[] {
	return (ports ?? []).flatMap((port) => (typeof port === 'string' ? parsePortSpec(port) : [{...port}]));
}

/** CPU and memory as limits and equal requests (c32 reserves nothing: a request equal to the limit asks for what it may use). */
function resourcesOf(config: ContainerConfig, note: (text: string) => void): Record<string, unknown> | null {
	const limits = config.resourceLimits ?? {};
	const quantities: Record<string, string> = {};
	if (limits.cpuLimitPercent !== undefined) quantities['cpu'] = cpuQuantity(limits.cpuLimitPercent);
	if (limits.memoryLimitMb !== undefined) quantities['memory'] = `${Math.ceil(limits.memoryLimitMb)}Mi`;
	if (Object.keys(quantities).length === 0) return null;
	note('requests equal the limits: the scheduler reserves what c32 allowed');
	const rest = unmappedLimits(config);
	if (rest) note(rest);
	return {limits: quantities, requests: {...quantities}};
}

/** "500m" for 50 percent, "2" for 200. */
export function cpuQuantity(percent: number): string {
	const milli = Math.round(percent * 10);
	return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function unmappedLimits(config: ContainerConfig): string | null {
	const limits = config.resourceLimits ?? {};
	const parts: string[] = [];
	if (limits.maxProcesses !== undefined) parts.push(`pids ${limits.maxProcesses} (the kubelet's podPidsLimit is per node)`);
	if (limits.maxOpenFiles !== undefined) parts.push(`open files ${limits.maxOpenFiles}`);
	if (limits.diskIoLimitMbps !== undefined) parts.push(`disk I/O ${limits.diskIoLimitMbps} MB/s`);
	if (limits.networkBandwidthLimitMbps !== undefined) parts.push(`bandwidth ${limits.networkBandwidthLimitMbps} Mbit/s`);
	return parts.length > 0 ? `c32 limits without a Kubernetes field: ${parts.join(', ')}` : null;
}

/** The stored form of a check (defaults filled), or null for none. */
function healthcheckOf(input: HealthcheckInput | HealthcheckConfig | null | undefined): HealthcheckConfig | null {
	if (input === null || input === undefined || input.command === undefined) return null;
	const command = typeof input.command === 'string' ? ['/bin/sh', '-c', input.command] : [...input.command];
	return {
		command,
		interval: input.interval ?? 30,
		timeout: input.timeout ?? 30,
		retries: input.retries ?? 3,
		startPeriod: input.startPeriod ?? 0,
		onFailure: input.onFailure ?? 'none',
	};
}

const seconds = (value: number) => Math.max(1, Math.ceil(value));

function securityContextOf(source: KubeSource, isolation: IsolationType, note: (text: string) => void): Record<string, unknown> | null {
	const user = userOf(source.config.user, note);
	if (isolation === 'minimal') {
		note(
			'minimal isolation ran a plain host process (no namespaces, no capability set): the cluster gives it a container and its default capabilities',
		);
		return Object.keys(user).length > 0 ? user : null;
	}
	const capabilities = capabilitySet(source, isolation);
	const add = capabilities.map((c) => c.replace(/^CAP_/, ''));
	const context: Record<string, unknown> = {
		...user,
		allowPrivilegeEscalation: false,
		capabilities: {drop: ['ALL'], ...(add.length > 0 ? {add} : {})},
		seccompProfile: {type: 'RuntimeDefault'},
	};
	if (isolation === 'strict') context['readOnlyRootFilesystem'] = true;
	const standard =
		isolation === 'standard' &&
		capabilities.length === STANDARD_CAPABILITIES.length &&
		STANDARD_CAPABILITIES.every((c) => capabilities.includes(c));
	note(
		isolation === 'strict'
			? 'strict isolation: read-only root, no capabilities, the runtime default seccomp profile, no privilege escalation'
			: standard
				? "standard isolation: c32's capability set (podman's default), the runtime default seccomp profile, no privilege escalation"
				: 'standard isolation with the capabilities it was given, the runtime default seccomp profile, no privilege escalation',
	);
	return context;
}

function capabilitySet(source: KubeSource, isolation: IsolationType): Capability[] {
	if (source.capabilities !== undefined && source.capabilities !== null) return source.capabilities;
	const config = source.config;
	return resolveCapabilities(isolation, config.capAdd ?? [], config.capDrop ?? [], CAP_LAST_CAP) ?? [];
}

/** runAsUser and runAsGroup: Kubernetes takes numbers only; a user name stays the image's business. */
function userOf(user: string | ContainerUser | undefined, note: (text: string) => void): Record<string, number> {
	if (user === undefined) return {};
	let text: string | null = null;
	let ids: {uid: number; gid?: number} | null = null;
	if (typeof user === 'string') text = user;
	else if (user.lookup !== undefined) text = user.lookup;
	else ids = {uid: user.uid, gid: user.gid};
	if (text !== null) {
		const match = /^(\d+)(?::(\d+))?$/.exec(text);
		if (text === '') return {};
		if (!match) {
			note(`user ${text}: Kubernetes takes numeric ids only (runAsUser, runAsGroup): give uid:gid, or make it the image's USER`);
			return {};
		}
		ids = {uid: Number(match[1]), ...(match[2] !== undefined ? {gid: Number(match[2])} : {})};
	}
	if (ids === null || (ids.uid === 0 && (ids.gid ?? 0) === 0)) return {};
	return {runAsUser: ids.uid, ...(ids.gid !== undefined ? {runAsGroup: ids.gid} : {})};
}

/** A container's labels: Kubernetes-shaped ones as labels, the rest as annotations; c32's own left out. */
function labelsOf(input: Record<string, string>, name: string): {labels: Record<string, string>; annotations: Record<string, string>} {
	const labels: Record<string, string> = {};
	const annotations: Record<string, string> = {};
	for (const [key, value] of Object.entries(input)) {
		if (OWN_LABELS.test(key)) continue;
		if (validLabelKey(key) && (value === '' || K8S_LABEL_NAME.test(value))) labels[key] = value;
		else if (validLabelKey(key)) annotations[key] = value;
	}
	labels[APP_LABEL] = name;
	return {labels, annotations};
}

function validLabelKey(key: string): boolean {
	const slash = key.lastIndexOf('/');
	if (slash < 0) return K8S_LABEL_NAME.test(key);
	const prefix = key.slice(0, slash);
	return prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix) && K8S_LABEL_NAME.test(key.slice(slash + 1));
}
