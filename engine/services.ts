// Wires the engine to this host: which driver runs a container, metrics, doctor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type {HostStats} from './api.js';
import type {EngineServices} from './engine.js';
import {C32Error} from './errors.js';
import {OciDriver} from './drivers/oci.js';
import type {Driver, DriverContext} from './drivers/driver.js';
import {ProcessDriver} from './drivers/process.js';
import {blockDeviceOf, detectCgroupHost} from './cgroups/index.js';
import {buildSpec} from './oci/spec.js';
import {prepareRootfs, readHostDirs} from './oci/rootfs.js';
import type {StorageLayout} from './paths.js';
import type {ContainerRecord} from './store.js';
import type {ResolvedConfig} from './types.js';

/** Container root of a strict container is this unprivileged host uid (and gid). */
export const USERNS_HOST_BASE = 100_000;
const USERNS_SIZE = 65_536;

function locate(name: string): string | null {
	for (const dir of (process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
		const candidate = path.join(dir, name);
		try {
			fs.accessSync(candidate, fs.constants.X_OK);
			return candidate;
		} catch {}
	}
	return null;
}

export function createServices(layout: StorageLayout): EngineServices {
	let oci: OciDriver | undefined;
	const ociDriver = (): OciDriver => {
		if (oci) return oci;
		const runtimePath = locate('runc');
		if (!runtimePath) throw new C32Error('RUNTIME_MISSING', 'no OCI runtime found: install one with apt-get install -y runc');
		const conmonPath = locate('conmon');
		if (!conmonPath) throw new C32Error('MONITOR_MISSING', 'conmon is not installed: install it with apt-get install -y conmon');
		oci = new OciDriver({
			layout,
			runtime: {name: 'runc', path: runtimePath},
			conmonPath,
			conmonRotates: false,
			writeBundle: (ctx) => writeBundle(ctx, {blockDevice: storageDevice(), memsw: detectCgroupHost().memsw}),
		});
		return oci;
	};
	let blockDevice: string | null | undefined;
	const storageDevice = () => (blockDevice === undefined ? (blockDevice = blockDeviceOf(layout.storageDir)) : blockDevice);
	const canUseCgroups = process.getuid?.() === 0 && detectCgroupHost().version !== null;
	let processDriver: ProcessDriver | undefined;
	const processDriverFor = () => (processDriver ??= new ProcessDriver({canUseCgroups, blockDevice: storageDevice()}));
	return {
		driverFor: (record: ContainerRecord): Driver => (record.config.isolationLevel === 'minimal' ? processDriverFor() : ociDriver()),
		logTruncates: (record) => record.config.isolationLevel !== 'minimal' && !ociDriver().conmonRotates,
		requireDriver: (isolation) => {
			if (isolation !== 'minimal') ociDriver();
		},
		checkLimits: (config: ResolvedConfig) => {
			const limits = config.resourceLimits;
			if (limits.diskIoLimitMbps !== undefined && storageDevice() === null) {
				throw new C32Error('UNSUPPORTED', `diskIoLimitMbps needs the storage root (${layout.storageDir}) on a block device: drop the limit or set C32_STORAGE_DIR to a disk`);
			}
			const needsCgroups = ['memoryLimitMb', 'cpuLimitPercent', 'maxProcesses', 'diskIoLimitMbps'].some((k) => limits[k as keyof typeof limits] !== undefined);
			if (config.isolationLevel === 'minimal' && needsCgroups && !canUseCgroups) {
				throw new C32Error('PERMISSION_DENIED', 'cgroup limits need root and a writable cgroup filesystem: run c32 as root or drop the memory/cpu/pids/io limits');
			}
		},
		metrics: async () => [],
		hostStats: async (): Promise<HostStats> => ({cpuCount: os.availableParallelism(), cpuPercent: 0, memoryTotalMb: 0, memoryUsedMb: 0, loadAverage: [0, 0, 0]}),
		doctor: async () => { throw new Error('todo'); },
	};
}

function parseDevice(device: string | null): {major: number; minor: number} | null {
	if (device === null) return null;
	const [major, minor] = device.split(':').map(Number);
	return {major: major!, minor: minor!};
}

function userNamespacesAllowed(): boolean {
	try {
		return Number(fs.readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;
	} catch {
		return false;
	}
}

function writeBundle(ctx: DriverContext, host: {blockDevice: string | null; memsw: boolean}): void {
	const hostDirs = readHostDirs();
	prepareRootfs(ctx.paths.rootfs, hostDirs, ctx.config);
	const appDir = path.join(ctx.paths.root, 'app');
	const upper = path.join(appDir, 'upper');
	const work = path.join(appDir, 'work');
	fs.mkdirSync(upper, {recursive: true});
	fs.mkdirSync(work, {recursive: true});
	const strict = ctx.config.isolationLevel === 'strict';
	const app = ctx.imageDir === null
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
		swapLimitSupported: host.memsw,
		userNamespace: strict && userNamespacesAllowed() ? {hostId: USERNS_HOST_BASE, size: USERNS_SIZE} : null,
		arch: process.arch,
	});
	fs.writeFileSync(path.join(ctx.paths.bundle, 'config.json'), JSON.stringify(spec, null, 2));
}
