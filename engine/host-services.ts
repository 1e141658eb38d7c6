// The engine's services on this host: which driver runs a container, metrics, doctor.
// Loaded on first use (see services.ts), so read-only commands never load drivers or samplers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {HostStats} from './api.js';
import {blockDeviceOf, cgroupDirs, detectCgroupHost, enableBlockIoAccounting} from './cgroups/index.js';
import {isNamedNetwork} from './config.js';
import type {Driver, DriverContext} from './drivers/driver.js';
import {OciDriver} from './drivers/oci.js';
import {ProcessDriver, processGroupMembers} from './drivers/process.js';
import {C32Error} from './errors.js';
import {kernelHasMountSetattr} from './fs/mount.js';
import {endScheduler, healthAttachment} from './health/scheduler.js';
import {detectHost, findInit, hostAllowsUserNamespaces, requireOciTools} from './host.js';
import type {Attachment} from './lifecycle/attachments.js';
import {HostStatsSampler, MetricsSampler, type MetricsTarget} from './metrics.js';
import {type BundleHost, checkBundle, prepareBundle, teardownBundle} from './oci/bundle.js';
import {cgroupPathFor, containerPaths, runtimeRoot, type StorageLayout} from './paths.js';
import {purgeContainer} from './purge.js';
import type {ContainerRecord, NetworkState} from './record.js';
import type {HostServices, ImageResolver} from './services.js';
import {cachedOciTools} from './tools-cache.js';
import {DEFAULT_NETWORK, type ResolvedConfig} from './types.js';

const CGROUP_LIMITS = ['memoryLimitMb', 'cpuLimitPercent', 'maxProcesses', 'diskIoLimitMbps'] as const;

export function createHostServices(layout: StorageLayout, images: ImageResolver): HostServices {
	let blockDevice: string | null | undefined;
	const storageDevice = () => {
		if (blockDevice === undefined) blockDevice = blockDeviceOf(layout.storageDir);
		return blockDevice;
	};
	const canUseCgroups = process.getuid?.() === 0 && detectCgroupHost().version !== null;

	let accountingEnabled = false;
	/** v1 counts a disk's block I/O only once some cgroup has a throttle rule for it (see cgroups/writer.ts). */
	const enableAccounting = () => {
		if (accountingEnabled || !canUseCgroups) return;
		accountingEnabled = true;
		const device = storageDevice();
		if (device === null) return;
		try {
			enableBlockIoAccounting('c32', device);
		} catch {
			// Metrics then show no block I/O; nothing else depends on it.
		}
	};

	const bundleHost = (): BundleHost => ({
		storageDir: layout.storageDir,
		blockDevice: storageDevice(),
		swapLimitSupported: detectCgroupHost().memsw || detectCgroupHost().version === 2,
		userNamespacesAllowed: hostAllowsUserNamespaces(),
		recursiveReadOnly: kernelHasMountSetattr(),
		kernelRelease: os.release(),
		init: findInit(),
	});

	let oci: Promise<OciDriver> | undefined;
	const ociDriver = (): Promise<OciDriver> => {
		oci ??= cachedOciTools(layout, async () => requireOciTools(await detectHost(layout))).then(
			(tools) =>
				new OciDriver({
					layout,
					runtime: {name: tools.runtime.name, path: tools.runtime.path},
					conmonPath: tools.conmon.path,
					conmonRotates: conmonCanRotate(tools.conmon.version),
				}),
		);
		oci.catch(() => (oci = undefined));
		return oci;
	};
	let processDriver: ProcessDriver | undefined;
	const processDriverFor = () => (processDriver ??= new ProcessDriver({canUseCgroups, blockDevice: storageDevice()}));
	const sampler = new MetricsSampler();
	const hostSampler = new HostStatsSampler();

	const metricsTarget = (record: ContainerRecord): MetricsTarget => {
		const {id, name} = record.metadata;
		const dirs = canUseCgroups ? cgroupDirs(cgroupPathFor(id)) : null;
		if (dirs) return {id, name, source: {kind: 'cgroup', dirs}};
		const pid = record.metadata.pid ?? 0;
		return {id, name, source: {kind: 'processes', pids: processGroupMembers(pid)}};
	};

	/** The OCI bundle: the container's root (mounted outside the storage root), its /etc files, config.json. */
	const bundle: Attachment = {
		name: 'bundle',
		prepare: (ctx) => prepareBundle(ctx, bundleHost(), images),
		teardown: (ctx) => teardownBundle(ctx),
	};

	const networkModules = () => Promise.all([import('./network/attach.js'), import('./network/names.js')]);
	/** A start's network join under way: prepare begins it, ready waits for it, teardown lets it settle first. */
	const joins = new WeakMap<DriverContext, Promise<void>>();
	/** The address on its first network, known once the bridge plugin ran (the firewall's may still run). */
	const addresses = new WeakMap<DriverContext, Promise<string>>();
	/**
	 * The c32 networks: a network namespace (made in prepare, for the bundle's spec) wired to
	 * the first network's bridge by the CNI plugins (eth0: address, default route, published
	 * ports, bandwidth), then to each further network's (eth1, eth2...: an address). The
	 * plugins run while the runtime creates the container; ready waits for them.
	 */
	const network: Attachment = {
		name: 'network',
		prepare: async (ctx) => {
			const [{joinNetwork, joinFurtherNetwork, IF_NAME}] = await networkModules();
			const {config} = ctx;
			let namespaceMade!: (netnsPath: string) => void;
			const namespace = new Promise<string>((resolve) => {
				namespaceMade = resolve;
			});
			let addressGiven!: (ip: string) => void;
			let addressLost!: (error: unknown) => void;
			const address = new Promise<string>((resolve, reject) => {
				addressGiven = resolve;
				addressLost = reject;
			});
			address.catch(() => {});
			addresses.set(ctx, address);
			const input = {
				containerId: ctx.id,
				network: config.network,
				ports: config.ports,
				bandwidthMbps: config.resourceLimits.networkBandwidthLimitMbps ?? 0,
			};
			const joined = joinNetwork(layout, input, namespaceMade, addressGiven).then(async (first) => {
				const further: NetworkState[] = [];
				for (const [index, link] of config.additionalNetworks.entries()) {
					const ifName = `eth${index + 1}`;
					further.push({name: link.name, ...(await joinFurtherNetwork(layout, {containerId: ctx.id, network: link.name, ifName})), ifName});
				}
				ctx.network = {name: config.network, ...first, ifName: IF_NAME};
				ctx.additionalNetworks = further;
			});
			// Its failure is heard by ready, or by the race below; never unhandled in between.
			joined.catch(addressLost);
			joins.set(ctx, joined);
			ctx.netnsPath = await Promise.race([namespace, joined.then(() => ctx.network?.netnsPath ?? null)]);
		},
		ready: async (ctx) => {
			await joins.get(ctx);
		},
		tearsDownAlongside: true,
		teardown: async (ctx) => {
			// A DEL must not overtake the ADD it undoes.
			await joins.get(ctx)?.catch(() => {});
			joins.delete(ctx);
			addresses.delete(ctx);
			const [{leaveNetwork}] = await networkModules();
			await leaveNetwork(layout, ctx.id);
		},
	};
	/**
	 * The container's names on its networks: in the hosts file of every container on them (its
	 * own included), once it has its addresses and the bundle wrote its files. The first
	 * network's name goes in while the network's last plugins still run (its ready waits for them).
	 */
	const names: Attachment = {
		name: 'names',
		prepare: async () => {},
		ready: async (ctx) => {
			const [, {addName, namesOf}] = await networkModules();
			const ip = await addresses.get(ctx);
			if (!ip) throw new C32Error('RUNTIME_ERROR', `container ${ctx.config.name} has no address on network ${ctx.config.network}`);
			await addName(layout, ctx.config.network, {id: ctx.id, ip, names: namesOf(ctx.config)});
			await joins.get(ctx);
			for (const joined of ctx.additionalNetworks ?? []) {
				const aliases = ctx.config.additionalNetworks.find((link) => link.name === joined.name)?.aliases ?? [];
				await addName(layout, joined.name, {id: ctx.id, ip: joined.ip, names: namesOf(ctx.config, aliases)});
			}
		},
		teardown: async (ctx) => {
			const [, {removeName}] = await networkModules();
			await removeName(layout, ctx.id);
		},
	};

	return {
		attachmentsFor: async (record) => {
			// The health check's schedule comes last: it starts once everything it checks is in place.
			const health = record.config.healthcheck === null ? [] : [healthAttachment(layout, record)];
			if (record.config.isolationLevel === 'minimal') return health;
			// What the latest run joined is torn down even when the config has since moved to another network.
			const onNetwork = isNamedNetwork(record.config.network) || record.internal.network !== null;
			return [...(onNetwork ? [network, bundle, names] : [bundle]), ...health];
		},
		purge: async (id) => {
			endScheduler(containerPaths(layout, id).userdata);
			const runtime = fs.existsSync(path.join(runtimeRoot(layout), id)) ? await ociDriver() : null;
			await purgeContainer(layout, id, runtime);
			// Its record cannot say which network it was on: every roster and any attachment of its id.
			const [{leaveNetwork}, {removeName}] = await networkModules();
			await removeName(layout, id);
			await leaveNetwork(layout, id);
		},
		driverFor: async (record: ContainerRecord): Promise<Driver> => {
			enableAccounting();
			return record.config.isolationLevel === 'minimal' ? processDriverFor() : ociDriver();
		},
		logTruncates: async (record) =>
			record.config.isolationLevel === 'minimal' ? processDriverFor().logTruncates() : !(await ociDriver()).conmonRotates,
		requireDriver: async (isolation) => {
			if (isolation === 'minimal') return;
			if (process.getuid?.() !== 0) {
				throw new C32Error(
					'PERMISSION_DENIED',
					`${isolation} isolation needs root (namespaces, cgroups, mounts): run c32 with sudo, or use --isolation minimal`,
				);
			}
			await ociDriver();
		},
		checkLimits: async (config: ResolvedConfig) => {
			const limits = config.resourceLimits;
			if (limits.diskIoLimitMbps !== undefined && storageDevice() === null) {
				throw new C32Error(
					'UNSUPPORTED',
					`diskIoLimitMbps needs the storage root (${layout.storageDir}) on a block device: drop the limit or set C32_STORAGE_DIR to a disk`,
				);
			}
			if (config.isolationLevel !== 'minimal') checkBundle(config, bundleHost());
			const named = [config.network, ...config.additionalNetworks.map((link) => link.name)];
			if (named.some((name) => isNamedNetwork(name) && name !== DEFAULT_NETWORK)) {
				const {NetworkStore} = await import('./network/store.js');
				const store = new NetworkStore(layout);
				for (const name of named) if (isNamedNetwork(name) && name !== DEFAULT_NETWORK) store.inspect(name); // NOT_FOUND names the fix
			}
			await checkPortsFree(config);
			const needsCgroups = CGROUP_LIMITS.some((key) => limits[key] !== undefined);
			if (needsCgroups && !canUseCgroups) {
				throw new C32Error(
					'PERMISSION_DENIED',
					'cgroup limits need root and a writable cgroup filesystem: run c32 as root or drop the memory/cpu/pids/io limits',
				);
			}
		},
		metrics: (records) => sampler.sample(records.map(metricsTarget)),
		hostStats: (): Promise<HostStats> => hostSampler.sample(),
		doctor: () => detectHost(layout),
	};
}

/** conmon 2.2 and later rotate logs themselves (--log-rotate); 2.1 truncates. */
export function conmonCanRotate(version: string): boolean {
	const [major = 0, minor = 0] = version.split(/[.+-]/).map(Number);
	return major > 2 || (major === 2 && minor >= 2);
}

/** A host port someone listens on now is refused at create already (every start checks again, rules included). */
async function checkPortsFree(config: ResolvedConfig): Promise<void> {
	const fixed = config.ports.filter((p) => p.hostPort !== 0);
	if (fixed.length === 0) return;
	const {bindError} = await import('./network/ports.js');
	for (const {hostIp, hostPort, protocol} of fixed) {
		const error = await bindError(hostIp, hostPort, protocol);
		if (error === null) continue;
		const where = `${hostIp === '' ? '' : `${hostIp}:`}${hostPort}/${protocol}`;
		throw new C32Error(
			'INVALID_CONFIG',
			error === 'EADDRNOTAVAIL'
				? `${hostIp} is not an address of this host: publish on one of its addresses, or on all`
				: `the host port ${where} is in use (${error}): choose another host port, or publish only the container port for a free one`,
		);
	}
}
