// The engine's services on this host: which driver runs a container, metrics, doctor.
// Loaded on first use (see services.ts), so read-only commands never load drivers or samplers.
import fs from 'node:fs';
import path from 'node:path';
import type {HostStats} from './api.js';
import {blockDeviceOf, cgroupDirs, detectCgroupHost, enableBlockIoAccounting} from './cgroups/index.js';
import type {Driver, DriverContext} from './drivers/driver.js';
import {OciDriver} from './drivers/oci.js';
import {ProcessDriver, processGroupMembers} from './drivers/process.js';
import {debugLogFile} from './debug-log.js';
import {C32Error} from './errors.js';
import {detectHost, hostAllowsUserNamespaces, requireOciTools} from './host.js';
import {HostStatsSampler, MetricsSampler, type MetricsTarget} from './metrics.js';
import {prepareRootfs, readHostDirs} from './oci/rootfs.js';
import {buildSpec} from './oci/spec.js';
import {cgroupPathFor, runtimeRoot, type StorageLayout} from './paths.js';
import type {Attachment} from './lifecycle/attachments.js';
import {purgeContainer} from './purge.js';
import type {ContainerRecord} from './record.js';
import type {HostServices} from './services.js';
import {cachedOciTools} from './tools-cache.js';
import type {ResolvedConfig} from './types.js';

/** Container root of a strict container is this unprivileged host uid (and gid). */
export const USERNS_HOST_BASE = 100_000;
const USERNS_SIZE = 65_536;
const CGROUP_LIMITS = ['memoryLimitMb', 'cpuLimitPercent', 'maxProcesses', 'diskIoLimitMbps'] as const;

export function createHostServices(layout: StorageLayout): HostServices {
	let blockDevice: string | null | undefined;
	const storageDevice = () => (blockDevice === undefined ? (blockDevice = blockDeviceOf(layout.storageDir)) : blockDevice);
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
	const processDriverFor = () => (processDriver ??= new ProcessDriver({canUseCgroups, blockDevice: storageDevice(), debugLog: debugLogFile(layout.storageDir)}));
	const sampler = new MetricsSampler();
	const hostSampler = new HostStatsSampler();

	const metricsTarget = (record: ContainerRecord): MetricsTarget => {
		const {id, name} = record.metadata;
		const dirs = canUseCgroups ? cgroupDirs(cgroupPathFor(id)) : null;
		if (dirs) return {id, name, source: {kind: 'cgroup', dirs}};
		const pid = record.metadata.pid ?? 0;
		return {id, name, source: {kind: 'processes', pids: processGroupMembers(pid)}};
	};

	/** The OCI bundle: config.json and the rootfs skeleton of this start. */
	const bundle: Attachment = {
		name: 'bundle',
		prepare: async (ctx) => writeBundle(ctx, {blockDevice: storageDevice(), memsw: detectCgroupHost().memsw, storageDir: layout.storageDir}),
		teardown: async () => {},
	};

	return {
		attachmentsFor: async (record) => (record.config.isolationLevel === 'minimal' ? [] : [bundle]),
		purge: async (id) => {
			const runtime = fs.existsSync(path.join(runtimeRoot(layout), id)) ? await ociDriver() : null;
			await purgeContainer(layout, id, runtime);
		},
		driverFor: async (record: ContainerRecord): Promise<Driver> => {
			enableAccounting();
			return record.config.isolationLevel === 'minimal' ? processDriverFor() : ociDriver();
		},
		logTruncates: async (record) => record.config.isolationLevel !== 'minimal' && !(await ociDriver()).conmonRotates,
		requireDriver: async (isolation) => {
			if (isolation === 'minimal') return;
			if (process.getuid?.() !== 0) {
				throw new C32Error('PERMISSION_DENIED', `${isolation} isolation needs root (namespaces, cgroups, mounts): run c32 with sudo, or use --isolation minimal`);
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
			if (config.isolationLevel === 'strict' && hostAllowsUserNamespaces()) {
				const blocked = closedAncestor(layout.storageDir);
				if (blocked) {
					throw new C32Error(
						'PERMISSION_DENIED',
						`strict containers run as host uid ${USERNS_HOST_BASE}, which cannot pass ${blocked} (above the storage root): chmod o+x ${blocked}, or use another C32_STORAGE_DIR`,
					);
				}
			}
			const needsCgroups = CGROUP_LIMITS.some((key) => limits[key] !== undefined);
			if (needsCgroups && !canUseCgroups) {
				throw new C32Error('PERMISSION_DENIED', 'cgroup limits need root and a writable cgroup filesystem: run c32 as root or drop the memory/cpu/pids/io limits');
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

function parseDevice(device: string | null): {major: number; minor: number} | null {
	if (device === null) return null;
	const [major, minor] = device.split(':').map(Number);
	return {major: major!, minor: minor!};
}

/**
 * A user namespace maps container root to an unprivileged host uid, which cannot write a
 * volume owned by host root. A strict container whose read-write volumes that uid cannot
 * write runs without the user namespace rather than with volumes it cannot use; the rest of
 * strict stays (see docs/security.md).
 */
export function rwVolumesWritableBy(config: ResolvedConfig, uid: number, stat = fs.statSync): boolean {
	return config.volumes
		.filter((v) => !v.readOnly)
		.every((v) => {
			const s = stat(v.source);
			return (s.uid === uid && (s.mode & 0o200) !== 0) || (s.mode & 0o002) !== 0;
		});
}

/** The first directory above `dir` that others may not search, or null. c32 owns only its storage root and below. */
function closedAncestor(dir: string): string | null {
	for (let parent = path.dirname(dir); ; parent = path.dirname(parent)) {
		try {
			if ((fs.statSync(parent).mode & 0o001) === 0) return parent;
		} catch {
			return null; // created later by c32 itself
		}
		if (parent === path.dirname(parent)) return null;
	}
}

/** A user-namespaced container runs as an unprivileged uid: every directory above its bundle must let it through. */
function makeTraversable(from: string, upTo: string): void {
	for (let dir = from; dir.startsWith(upTo); dir = path.dirname(dir)) {
		const mode = fs.statSync(dir).mode & 0o7777;
		if ((mode & 0o001) === 0) fs.chmodSync(dir, mode | 0o001);
		if (dir === upTo) break;
	}
}

function writeBundle(ctx: DriverContext, host: {blockDevice: string | null; memsw: boolean; storageDir: string}): void {
	const hostDirs = readHostDirs();
	prepareRootfs(ctx.paths.rootfs, hostDirs, ctx.config);
	const appDir = path.join(ctx.paths.root, 'app');
	const upper = path.join(appDir, 'upper');
	const work = path.join(appDir, 'work');
	fs.mkdirSync(upper, {recursive: true});
	fs.mkdirSync(work, {recursive: true});
	const strict = ctx.config.isolationLevel === 'strict';
	const app =
		ctx.imageDir === null
			? {kind: 'bind' as const, source: upper, readOnly: strict}
			: strict
				? {kind: 'bind' as const, source: ctx.imageDir, readOnly: true}
				: {kind: 'overlay' as const, lower: ctx.imageDir, upper, work};
	const spec = buildSpec({
		id: ctx.id,
		config: ctx.config,
		rootfs: ctx.paths.rootfs,
		app,
		hostDirs,
		cgroupsPath: `/${ctx.cgroupPath}`,
		blockDevice: parseDevice(host.blockDevice),
		swapLimitSupported: host.memsw || detectCgroupHost().version === 2,
		userNamespace: strict && hostAllowsUserNamespaces() && rwVolumesWritableBy(ctx.config, USERNS_HOST_BASE)
			? {hostId: USERNS_HOST_BASE, size: USERNS_SIZE}
			: null,
		arch: process.arch,
	});
	if (spec.linux.uidMappings) makeTraversable(ctx.paths.bundle, host.storageDir);
	fs.writeFileSync(path.join(ctx.paths.bundle, 'config.json'), JSON.stringify(spec, null, 2));
}

