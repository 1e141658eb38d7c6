// A container's OCI bundle: config.json and the root it names. prepareBundle assembles
// them before the runtime starts; teardownBundle undoes what prepare mounted. Both are
// idempotent, and teardown runs on every ending (the OCI driver's cleanup).
//
// The root is an overlay mounted by c32 on the host: c32's skeleton of mount points below
// (rebuilt on every start, never writable by the container) and the container's own writes
// above. It is mounted outside the storage root, which stays 0700: a strict container's
// root is host uid 100000, and runc 1.1 sets up the root inside the user namespace, so every
// directory on the way to it must let that uid through. Bind mount sources are opened by
// runc's parent on the host side (it passes their descriptors in), so /app and volumes may
// stay behind the 0700 root. See docs/security.md.
import fs from 'node:fs';
import path from 'node:path';
import type {MountInfoEntry} from '../cgroups/mountinfo.js';
import type {DriverContext} from '../drivers/driver.js';
import {C32Error} from '../errors.js';
import {ensureDirectory, isWithin, replaceFile, resolveWithin, type TreeView} from '../fs/in-root.js';
import {hostMounts, isMountPoint, mountOverlay, mountsBelow, unmount} from '../fs/mount.js';
import {type InitLookup, requireInit} from '../host.js';
import {MOUNTS_BASE} from '../paths.js';
import type {ImageResolver} from '../services.js';
import type {ResolvedConfig} from '../types.js';
import {ETC_FILE_NAMES, etcFiles, readHostResolvConf, writeEtcFiles} from './etc-files.js';
import {buildImageSkeleton, isOnRuntimeMount, layeredView, linkLayers} from './image-root.js';
import {withImageUser} from './image-user.js';
import {buildSkeleton, readHostDirs} from './rootfs.js';
import {type AppMount, type BindFile, buildSpec, type HostDir, INIT_PATH} from './spec.js';
import {checkUserNamespace, containerRootOnHost, userNamespaceOf} from './user-namespace.js';

/** What prepareBundle needs to know about this host. */
export interface BundleHost {
	storageDir: string;
	/** The whole disk that holds the storage root ("major:minor"), for I/O throttling. */
	blockDevice: string | null;
	/** Whether the memory controller can limit swap. */
	swapLimitSupported: boolean;
	userNamespacesAllowed: boolean;
	/** Whether runc can make a mount read-only recursively here (mount_setattr, Linux 5.12). */
	recursiveReadOnly: boolean;
	kernelRelease: string;
	/** The static init found on this host, bound into containers that run with one. */
	init: InitLookup;
}

/** Refuses, before anything is created, what the bundle could not keep as promised. Run at create and at every start. */
/**
 * A volume source was stored with its symlinks resolved. If it resolves elsewhere now, a
 * symlink was put in its path since (perhaps by a container writing the parent through
 * another volume): binding it would hand the container whatever it points to.
 */
export function checkVolumeSources(config: Pick<ResolvedConfig, 'volumes'>, realPath = (p: string) => fs.realpathSync(p)): void {
	for (const {source} of config.volumes) {
		let now: string;
		try {
			now = realPath(source);
		} catch {
			throw new C32Error(
				'INVALID_CONFIG',
				`volume source ${source} no longer exists: create it again, or recreate the container without it`,
			);
		}
		if (now !== source) {
			throw new C32Error(
				'PERMISSION_DENIED',
				`volume source ${source} now leads to ${now} (a symlink was put in its path): remove the link, or recreate the container`,
			);
		}
	}
}

export function checkBundle(
	config: ResolvedConfig,
	host: BundleHost,
	hostDirs: HostDir[] = hostDirsFor(config),
	mounts?: MountInfoEntry[],
): void {
	if (config.init) requireInit(host.init);
	checkVolumeSources(config);
	checkUserNamespace(config, {userNamespacesAllowed: host.userNamespacesAllowed, stat: (p) => fs.statSync(p)});
	if (host.recursiveReadOnly) return;
	mounts ??= hostMounts();
	const readOnly = [
		...hostDirs.filter((d) => d.symlinkTarget === undefined).map((d) => ({source: d.path, destination: d.path, volume: false})),
		...config.volumes.filter((v) => v.readOnly).map((v) => ({...v, volume: true})),
	];
	// The host's own /etc/hosts and friends may be mounts (a host that is itself a container): c32 binds its files over them.
	const covered = new Set(ETC_FILE_NAMES.map((name) => `/etc/${name}`));
	for (const {source, destination, volume} of readOnly) {
		const [below] = mountsBelow(fs.realpathSync(source), mounts).filter((m) => volume || !covered.has(m));
		if (below === undefined) continue;
		throw new C32Error(
			'UNSUPPORTED',
			`this kernel (${host.kernelRelease}) cannot make ${destination} read-only recursively (runc needs mount_setattr, Linux 5.12 or newer) ` +
				`and ${below} is mounted below ${source}: unmount it${volume ? ', drop :ro' : ''}, or upgrade the kernel`,
		);
	}
}

export async function prepareBundle(ctx: DriverContext, host: BundleHost, images: ImageResolver): Promise<void> {
	const {paths} = ctx;
	const hostDirs = hostDirsFor(ctx.config);
	checkBundle(ctx.config, host, hostDirs);
	closeStorageRoot(host.storageDir);
	const userNamespace = userNamespaceOf(ctx.config);
	const root = containerRootOnHost(ctx.config);
	const image = ctx.config.ociImage ?? null;
	// Strict keeps no writes on an OCI root: the image's layers alone, read-only.
	const writable = image === null || ctx.config.isolationLevel !== 'strict';
	// Unpacked (once per image and id shift) before anything of this container is made.
	const layers = image === null ? [] : [...(await images.layerDirs(image.id, root.uid))].reverse();

	// The container's writes: the upper layer's root directory is the container's "/".
	migrateLegacyRootfs(ctx);
	fs.mkdirSync(path.dirname(paths.layers.upper), {recursive: true, mode: 0o700});
	if (writable) {
		ensureDirectory(paths.layers.upper, 0o755, root);
		ensureDirectory(paths.layers.work, 0o700);
	}
	let etcBinds: BindFile[];
	if (image === null) {
		const etc = etcMounts(ctx, hostDirs);
		const fileTargets = ctx.config.init ? [...etc.created, INIT_PATH] : etc.created;
		buildSkeleton(paths.layers.skeleton, {config: ctx.config, hostDirs, fileTargets, owner: root});
		etcBinds = etc.binds;
	} else {
		etcBinds = imageSkeleton(ctx, layers, root);
	}
	writeEtcFiles(
		paths.etc,
		etcFiles({hostname: ctx.config.hostname, hostResolvConf: readHostResolvConf(), ownNetwork: ctx.config.network !== 'host'}),
	);

	makeMountDir(ctx, userNamespace ? 0o710 : 0o700, root.gid);
	await unmount(paths.rootfs);
	ensureDirectory(paths.rootfs, 0o755);
	const layersDir = path.dirname(paths.layers.skeleton);
	const lower = [paths.layers.skeleton];
	if (image !== null) lower.push(...linkLayers(path.join(layersDir, 'lower'), layers).map((name) => path.join(layersDir, name)));
	await mountOverlay(
		paths.rootfs,
		{
			// Relative to the container's rootfs directory: see oci/image-root.ts on the length of mount options.
			lower: lower.map((dir) => path.relative(layersDir, dir)),
			writable: writable ? {upper: path.relative(layersDir, paths.layers.upper), work: path.relative(layersDir, paths.layers.work)} : null,
			cwd: layersDir,
		},
		['nosuid', 'nodev'],
	);
	// From here on a failure is torn down by the caller (the bundle attachment's teardown unmounts).
	const config = image === null ? ctx.config : withImageUser(ctx.config, paths.rootfs);
	if (config !== ctx.config) checkUserNamespace(config, {userNamespacesAllowed: host.userNamespacesAllowed, stat: (p) => fs.statSync(p)});

	const spec = buildSpec({
		id: ctx.id,
		config,
		rootfs: paths.rootfs,
		// A pure OCI image has no /app; a host-path image on one (--base) has it as on a host root.
		app: image !== null && ctx.imageDir === null ? null : appMount(ctx),
		imageRoot: image !== null,
		hostDirs,
		etcFiles: etcBinds,
		recursiveReadOnly: host.recursiveReadOnly,
		cgroupsPath: `/${ctx.cgroupPath}`,
		blockDevice: parseDevice(host.blockDevice),
		swapLimitSupported: host.swapLimitSupported,
		userNamespace,
		netnsPath: ctx.netnsPath ?? null,
		initBinary: ctx.config.init ? requireInit(host.init).path : null,
		arch: process.arch,
	});
	fs.mkdirSync(paths.bundle, {recursive: true, mode: 0o700});
	replaceFile(paths.bundle, 'config.json', JSON.stringify(spec, null, 2), 0o600);
}

/** The host's system directories bound into a host-derived root; an OCI root has none of them. */
function hostDirsFor(config: ResolvedConfig): HostDir[] {
	return config.ociImage ? [] : readHostDirs();
}

/**
 * The skeleton of an OCI root: the mount points the image lacks. Returns the binds of the
 * container's /etc files, at the paths the image's symlinks lead them to.
 */
function imageSkeleton(ctx: DriverContext, layersTopFirst: string[], owner: {uid: number; gid: number}): BindFile[] {
	const {config} = ctx;
	const dirs = ['/proc', '/sys', '/dev', '/tmp'];
	const files = ETC_FILE_NAMES.map((name) => `/etc/${name}`);
	if (ctx.imageDir !== null) dirs.push('/app');
	if (config.init) files.push(INIT_PATH);
	for (const volume of config.volumes) (fs.statSync(volume.source).isDirectory() ? dirs : files).push(volume.destination);
	const volumes = config.volumes.map((v) => v.destination);
	// docker makes a working directory the image lacks; one on a mount is the mount's.
	if (!isOnRuntimeMount(config.workingDir, ctx.imageDir === null ? volumes : [...volumes, '/app'])) dirs.push(config.workingDir);
	const resolved = buildImageSkeleton(ctx.paths.layers.skeleton, layeredView(layersTopFirst), {dirs, files}, owner);
	return ETC_FILE_NAMES.map((name, index) => ({source: path.join(ctx.paths.etc, name), destination: resolved.files[index]!}));
}

/** Unmounts the container's root and removes its mount directories. Idempotent; never removes anything recursively outside the storage root. */
/** Unmounts the container's root and removes its mount directory; needs only the paths (a damaged record is purged with it). */
export async function teardownBundle(ctx: Pick<DriverContext, 'paths'>): Promise<void> {
	const {paths} = ctx;
	await unmount(paths.rootfs);
	for (const dir of [paths.rootfs, paths.mountDir, path.dirname(paths.mountDir)]) {
		try {
			fs.rmdirSync(dir);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'ENOENT') continue;
			if (code === 'ENOTEMPTY' || code === 'EEXIST') break; // another container of this storage root
			throw error;
		}
	}
}

/**
 * The container's mount directory and its parents. Only c32 writes them; a user-namespaced
 * root passes its own by group. A teardown of the storage root's last other container may
 * remove the shared parent meanwhile: then it is made again.
 */
function makeMountDir(ctx: DriverContext, mode: number, gid: number): void {
	for (let attempt = 0; ; attempt++) {
		try {
			ensureDirectory(MOUNTS_BASE, 0o711);
			ensureDirectory(path.dirname(ctx.paths.mountDir), 0o711);
			ensureDirectory(ctx.paths.mountDir, mode, {uid: 0, gid});
			return;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw error;
		}
	}
}

/** /app: the image's snapshot under a private layer (standard), read-only (strict), or the container's own directory. */
function appMount(ctx: DriverContext): AppMount {
	const appDir = path.join(ctx.paths.root, 'app');
	const upper = path.join(appDir, 'upper');
	const work = path.join(appDir, 'work');
	fs.mkdirSync(appDir, {recursive: true, mode: 0o700});
	ensureDirectory(upper, 0o755, containerRootOnHost(ctx.config));
	ensureDirectory(work, 0o700);
	const strict = ctx.config.isolationLevel === 'strict';
	if (ctx.imageDir === null) return {kind: 'bind', source: upper, readOnly: strict};
	if (strict) return {kind: 'bind', source: ctx.imageDir, readOnly: true};
	return {kind: 'overlay', lower: ctx.imageDir, upper, work};
}

/**
 * Where the container's /etc/hostname, /etc/hosts and /etc/resolv.conf are bound. The host's
 * /etc is the container's, so a symlink there (resolv.conf → ../run/...) is followed as the
 * container will see it: into the host's read-only trees, or into the skeleton, where the
 * target is then created. A name the host's /etc lacks has no mount point and is left out.
 */
function etcMounts(ctx: DriverContext, hostDirs: HostDir[]): {binds: BindFile[]; created: string[]} {
	const view = containerView(hostDirs);
	const binds: BindFile[] = [];
	const created: string[] = [];
	for (const name of ETC_FILE_NAMES) {
		const destination = resolveWithin(`/etc/${name}`, view);
		const onHost = hostDirs.some((d) => d.symlinkTarget === undefined && isWithin(d.path, destination));
		if (onHost) {
			if (!fs.statSync(destination, {throwIfNoEntry: false})?.isFile()) continue;
		} else {
			created.push(destination);
		}
		binds.push({source: path.join(ctx.paths.etc, name), destination});
	}
	return {binds, created};
}

/** The container's tree as runc will resolve it: the host's bound directories, the skeleton's symlinks, nothing else. */
function containerView(hostDirs: HostDir[]): TreeView {
	return {
		readLink(inRoot) {
			for (const dir of hostDirs) {
				if (dir.symlinkTarget !== undefined && inRoot === dir.path) return dir.symlinkTarget;
				if (dir.symlinkTarget === undefined && isWithin(dir.path, inRoot)) {
					const stat = fs.lstatSync(inRoot, {throwIfNoEntry: false});
					return stat?.isSymbolicLink() ? fs.readlinkSync(inRoot) : null;
				}
			}
			return null;
		},
	};
}

/** Containers of c32 before the layered root wrote into bundle/rootfs: that tree becomes the upper layer. */
function migrateLegacyRootfs(ctx: DriverContext): void {
	const legacy = path.join(ctx.paths.bundle, 'rootfs');
	const stat = fs.lstatSync(legacy, {throwIfNoEntry: false});
	if (!stat?.isDirectory() || isMountPoint(legacy) || fs.existsSync(ctx.paths.layers.upper)) return;
	fs.mkdirSync(path.dirname(ctx.paths.layers.upper), {recursive: true, mode: 0o700});
	fs.renameSync(legacy, ctx.paths.layers.upper);
}

/** No other host user reaches anything under the storage root (an older c32 opened it for user namespaces). */
function closeStorageRoot(storageDir: string): void {
	const mode = fs.statSync(storageDir).mode & 0o7777;
	if ((mode & 0o077) !== 0) fs.chmodSync(storageDir, mode & 0o700);
}

function parseDevice(device: string | null): {major: number; minor: number} | null {
	if (device === null) return null;
	const [major, minor] = device.split(':').map(Number);
	return {major: major!, minor: minor!};
}
